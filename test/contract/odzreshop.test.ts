import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { OdzreshopProvider, odzreshopTarget, type OdzreshopOptions } from "../../src/providers/odzreshop/adapter.js";
import { ProviderError } from "../../src/providers/errors.js";
import type { PlaceOrderRequest, ProviderProduct } from "../../src/providers/types.js";
import { silentLogger } from "../../src/logger.js";
import { startOdzreshopFake, type OdzreshopFake } from "../fakes/odzreshop-server.js";

let fake: OdzreshopFake;

beforeEach(async () => {
  fake = await startOdzreshopFake({ apiKey: "odz-secret-key-123", balance: 500_000 });
});

afterEach(async () => {
  await fake.close();
});

function provider(overrides: Partial<OdzreshopOptions> = {}): OdzreshopProvider {
  return new OdzreshopProvider({
    baseUrl: fake.url,
    apiKey: fake.apiKey,
    slugs: ["mobile-legends", "free-fire", "pulsa-telkomsel"],
    logger: silentLogger,
    // Generous enough for a loaded CI machine; the timeout tests pass a shorter one.
    timeoutMs: 1_000,
    retryDelaysMs: [5, 5, 5],
    ...overrides,
  });
}

/** A logger that keeps its lines, to check what was warned about. */
function recordingLogger() {
  const lines: { msg: string; slug?: string }[] = [];
  const logger = pino({ level: "warn" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

async function product(sku: string): Promise<ProviderProduct> {
  const found = (await provider().listProducts()).find((candidate) => candidate.sku === sku);
  if (!found) throw new Error(`no product ${sku}`);
  return found;
}

function orderRequest(item: ProviderProduct, inputs: Record<string, string>, refId = "ref-0001"): PlaceOrderRequest {
  return { orderId: "ORD-1", refId, product: item, inputs, payment: "direct" };
}

const zoneGame: ProviderProduct = {
  provider: "odzreshop",
  sku: "ml-86",
  category: "game",
  group: "Mobile Legends",
  name: "Mobile Legends 86 Diamonds",
  basePrice: 18500,
  stock: null,
  input: "game_id_zone",
  delivery: "serial",
};

/** A status reference for an invoice; odzreshop only needs the invoice. */
function statusRef(providerRef: string, item: ProviderProduct = zoneGame) {
  return { providerRef, refId: "ref-0001", product: item };
}

/** Runs `action` and returns the ProviderError it must throw. */
async function providerError(action: () => Promise<unknown>): Promise<ProviderError> {
  const error = await action().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe("odzreshop catalog", () => {
  it("lists several slugs in parallel, each as a POST with the key and slug in the body", async () => {
    const products = await provider({ slugs: ["mobile-legends", "free-fire"] }).listProducts();

    expect(products.map((item) => item.sku).sort()).toEqual(["ff-70", "ml-172", "ml-86"]);
    expect(products.find((item) => item.sku === "ml-86")).toEqual({
      provider: "odzreshop",
      sku: "ml-86",
      code: "ML-86",
      category: "game",
      group: "Mobile Legends",
      name: "Mobile Legends 86 Diamonds",
      basePrice: 18500,
      stock: null,
      input: "game_id_zone",
      delivery: "serial",
    });
    const servicesCalls = fake.requests.filter((request) => request.path === "/services");
    expect(servicesCalls.map((request) => request.method)).toEqual(["POST", "POST"]);
    expect(servicesCalls.map((request) => request.body.slug).sort()).toEqual(["free-fire", "mobile-legends"]);
    expect(servicesCalls.every((request) => request.body.api_key === fake.apiKey)).toBe(true);
  });

  it("gives games without zones a plain game id and shows inactive services as sold out", async () => {
    const products = await provider({ slugs: ["mobile-legends", "free-fire"] }).listProducts();

    expect(products.find((item) => item.sku === "ff-70")).toMatchObject({ category: "game", group: "Free Fire", input: "game_id", stock: null });
    expect(products.find((item) => item.sku === "ml-172")).toMatchObject({ input: "game_id_zone", stock: 0 });
  });

  it("sells pulsa as a data product bought for a phone number", async () => {
    const products = await provider({ slugs: ["pulsa-telkomsel"] }).listProducts();

    expect(products).toEqual([
      expect.objectContaining({ sku: "tsel-10", code: "TSEL-10", category: "data", group: "Pulsa Telkomsel", input: "phone", basePrice: 10400 }),
    ]);
  });

  it("skips a slug the provider does not know, with a warning, and keeps the others", async () => {
    const { logger, lines } = recordingLogger();

    const products = await provider({ slugs: ["mobile-legends", "no-such-game", "free-fire"], logger }).listProducts();

    expect(products.map((item) => item.sku).sort()).toEqual(["ff-70", "ml-172", "ml-86"]);
    expect(lines).toEqual([expect.objectContaining({ slug: "no-such-game" })]);
  });

  it("leaves PLN services out because no input kind takes a meter number", async () => {
    await fake.close();
    fake = await startOdzreshopFake({
      catalog: {
        "pln": [{ sku: "pln-20", name: "Token PLN 20.000", category: "PLN", brand: "PLN", price: 20500, status: "active" }],
        "data-xl": [{ sku: "xl-1gb", name: "XL Data 1GB", category: "Data XL", brand: "XL", price: 12000, status: "active" }],
      },
    });

    const products = await provider({ slugs: ["pln", "data-xl"] }).listProducts();

    expect(products).toEqual([expect.objectContaining({ sku: "xl-1gb", category: "data", input: "phone" })]);
  });

  it("fails the whole listing when a slug fails for another reason than 404", async () => {
    fake.inject("/services", "html_502", 10);

    const error = await providerError(() => provider({ slugs: ["mobile-legends"] }).listProducts());

    expect(error.code).toBe("upstream");
    expect(fake.count("/services")).toBe(4); // a read: first try and three retries
  });
});

describe("odzreshop balance", () => {
  it("reads the rupiah balance from /profile", async () => {
    await expect(provider().getBalance()).resolves.toEqual({ amount: 500_000, currency: "IDR", idr: 500_000 });
    expect(fake.requests).toEqual([
      { method: "POST", path: "/profile", contentType: "application/json", body: { api_key: fake.apiKey } },
    ]);
  });
});

describe("odzreshop orders", () => {
  it("places a Mobile Legends order pending, then getStatus delivers the serial number", async () => {
    const client = provider();
    const ml = await product("ml-86");

    const placed = await client.placeOrder(orderRequest(ml, { userId: "12345678", zoneId: "1234" }, "ref-ml-1"));

    expect(placed.state).toBe("pending");
    const invoice = placed.providerRef ?? "";
    expect(invoice).toMatch(/^INV-/);
    expect(fake.requests.filter((request) => request.path === "/order").map((request) => request.body)).toEqual([
      // The document's only target is a bare run of digits: the zone id is appended.
      { api_key: fake.apiKey, sku: "ml-86", target: "123456781234", ref_id: "ref-ml-1" },
    ]);
    await expect(client.getBalance()).resolves.toMatchObject({ idr: 500_000 - 18_500 });

    await expect(client.getStatus(statusRef(invoice, ml))).resolves.toEqual({
      state: "success",
      providerRef: invoice,
      delivery: [{ label: "serial", value: "SN123456789" }],
    });
    expect(fake.requests.at(-1)).toMatchObject({ method: "POST", path: "/status", body: { api_key: fake.apiKey, invoice } });
  });

  it("keeps an order pending while the provider says processing", async () => {
    fake.orderScenario = { kind: "pending", after: 2, then: "success", sn: "SN-LATE", pendingStatus: "processing" };
    const client = provider();
    const ml = await product("ml-86");
    const placed = await client.placeOrder(orderRequest(ml, { userId: "12345678", zoneId: "1234" }));
    const ref = statusRef(placed.providerRef ?? "", ml);

    expect(placed.state).toBe("pending");
    await expect(client.getStatus(ref)).resolves.toEqual({ state: "pending", providerRef: ref.providerRef });
    await expect(client.getStatus(ref)).resolves.toMatchObject({ state: "success", delivery: [{ label: "serial", value: "SN-LATE" }] });
  });

  it("returns an immediate success with its serial number", async () => {
    fake.orderScenario = { kind: "success", sn: "SN-NOW-1" };
    const ff = await product("ff-70");

    const placed = await provider().placeOrder(orderRequest(ff, { userId: "987654321" }));

    expect(placed).toEqual({ state: "success", providerRef: expect.stringMatching(/^INV-/), delivery: [{ label: "serial", value: "SN-NOW-1" }] });
    expect(fake.requests.at(-1)?.body.target).toBe("987654321");
  });

  it("sends the 08… phone number as the target of a pulsa order", async () => {
    const pulsa = await product("tsel-10");

    await provider().placeOrder(orderRequest(pulsa, { phone: "081234567890" }));

    expect(fake.requests.at(-1)).toMatchObject({ path: "/order", body: { sku: "tsel-10", target: "081234567890" } });
  });

  it("reports an order the provider refuses at once as failed, with its message", async () => {
    fake.orderScenario = { kind: "failed", message: "Nomor tujuan salah", status: "gagal" };
    const pulsa = await product("tsel-10");

    const placed = await provider().placeOrder(orderRequest(pulsa, { phone: "081234567890" }));

    expect(placed).toEqual({ state: "failed", providerRef: expect.stringMatching(/^INV-/), reason: "Nomor tujuan salah" });
    expect(fake.balance).toBe(500_000);
  });

  it("reports a pending order that ends refunded as failed", async () => {
    fake.orderScenario = { kind: "pending", after: 1, then: "failed", finalStatus: "refund" };
    const client = provider();
    const ff = await product("ff-70");
    const placed = await client.placeOrder(orderRequest(ff, { userId: "987654321" }));

    await expect(client.getStatus(statusRef(placed.providerRef ?? "", ff))).resolves.toEqual({
      state: "failed",
      providerRef: placed.providerRef,
      reason: "Transaksi gagal",
    });
  });

  it("a zone order is accepted by an API that takes targets only in the document's form (digits)", async () => {
    expect(fake.targetFormat).toBe("digits");
    const ml = await product("ml-86");
    const placed = await provider().placeOrder(orderRequest(ml, { userId: "12345678", zoneId: "1234" }));
    expect(placed.state).toBe("pending");
    expect(fake.orders.get(placed.providerRef ?? "")?.target).toBe("123456781234");
  });

  it("sends the configured zone template when odzreshop asks for another form", async () => {
    fake.targetFormat = "any"; // ASSUMPTION of the looser fake: any text is a target
    const ml = await product("ml-86");
    const placed = await provider({ zoneTarget: "{id} ({zone})" }).placeOrder(orderRequest(ml, { userId: "12345678", zoneId: "1234" }));
    expect(fake.orders.get(placed.providerRef ?? "")?.target).toBe("12345678 (1234)");
  });

  it("refuses a target without the zone id before calling the provider", async () => {
    const ml = await product("ml-86");

    const error = await providerError(() => provider().placeOrder(orderRequest(ml, { userId: "12345678" })));

    expect(error.code).toBe("invalid_input");
    expect(fake.count("/order")).toBe(0);
  });

  it("formats zone targets as digits only by default, or by the configured template", () => {
    expect(odzreshopTarget("game_id_zone", { userId: "12345678", zoneId: "1234" })).toBe("123456781234");
    expect(odzreshopTarget("game_id_zone", { userId: "12345678", zoneId: "1234" }, "{id} ({zone})")).toBe("12345678 (1234)");
    expect(odzreshopTarget("game_id_zone", { userId: "12345678", zoneId: "1234" }, "{id}|{zone}")).toBe("12345678|1234");
    expect(odzreshopTarget("game_id", { userId: "12345678" })).toBe("12345678");
    expect(odzreshopTarget("phone", { phone: "081234567890" })).toBe("081234567890");
  });
});

describe("odzreshop errors", () => {
  it("maps 400 Insufficient balance on an order to insufficient_balance", async () => {
    fake.balance = 1_000;
    const ml = await product("ml-86");

    const error = await providerError(() => provider().placeOrder(orderRequest(ml, { userId: "12345678", zoneId: "1234" })));

    expect(error).toMatchObject({ code: "insufficient_balance", details: { status: 400 } });
    expect(error.definitive).toBe(true);
  });

  it("maps 400 Missing fields to invalid_input", async () => {
    const error = await providerError(() => provider().getStatus(statusRef("")));

    expect(error).toMatchObject({ code: "invalid_input", details: { status: 400 } });
    expect(error.message).toContain("Missing fields");
  });

  it("maps 401 Invalid API key to auth without echoing the key", async () => {
    const error = await providerError(() => provider({ apiKey: "wrong-key-999" }).getBalance());

    expect(error).toMatchObject({ code: "auth", details: { status: 401 } });
    expect(error.message).not.toContain("wrong-key-999");
    expect(fake.count("/profile")).toBe(1); // 4xx is not retried
  });

  it.each([["unset" as const], ["unknown_ip" as const]])("maps 403 for whitelist state %s to forbidden_ip", async (state) => {
    fake.ipWhitelist = state;

    const error = await providerError(() => provider().getBalance());

    expect(error).toMatchObject({ code: "forbidden_ip", details: { status: 403 } });
  });

  it("maps 404 Transaction not found to not_found", async () => {
    const error = await providerError(() => provider().getStatus(statusRef("INV-NOPE-1")));

    expect(error).toMatchObject({ code: "not_found", details: { status: 404 } });
  });

  it("maps 405 (a redirect turned our POST into a GET) to invalid_input", async () => {
    const error = await providerError(() => provider({ baseUrl: fake.redirectingUrl }).getBalance());

    expect(error).toMatchObject({ code: "invalid_input", details: { status: 405 } });
    expect(fake.requests.at(-1)).toMatchObject({ method: "GET", path: "/profile" });
  });

  it("maps 429 on an order to rate_limited with Retry-After, sent once", async () => {
    const ml = await product("ml-86");
    fake.inject("/order", "rate_limited");

    const error = await providerError(() => provider().placeOrder(orderRequest(ml, { userId: "12345678", zoneId: "1234" })));

    expect(error).toMatchObject({ code: "rate_limited", details: { status: 429, retryAfterMs: 2000 } });
    expect(fake.count("/order")).toBe(1);
  });

  it("maps 503 Vendor balance depleted on an order to unavailable, sent once", async () => {
    const ml = await product("ml-86");
    fake.inject("/order", "vendor_depleted");

    const error = await providerError(() => provider().placeOrder(orderRequest(ml, { userId: "12345678", zoneId: "1234" })));

    expect(error).toMatchObject({ code: "unavailable", details: { status: 503 } });
    expect(error.transient).toBe(true);
    expect(fake.count("/order")).toBe(1);
  });

  it("maps another 5xx on an order to upstream (outcome unknown), sent once", async () => {
    const ml = await product("ml-86");
    fake.inject("/order", "server_error");

    const error = await providerError(() => provider().placeOrder(orderRequest(ml, { userId: "12345678", zoneId: "1234" })));

    expect(error).toMatchObject({ code: "upstream", details: { status: 500 } });
    expect(error.outcomeUnknown).toBe(true);
    expect(fake.count("/order")).toBe(1);
  });

  it("maps a 200 body with success:false by its message", async () => {
    const stub: typeof fetch = async () =>
      new Response(JSON.stringify({ success: false, message: "Insufficient balance" }), {
        status: 200,
        headers: { "content-type": "application/json" },
      });

    const error = await providerError(() => provider({ fetch: stub }).getBalance());

    expect(error.code).toBe("insufficient_balance");
  });

  it("turns broken JSON into malformed", async () => {
    fake.inject("/profile", "malformed");

    const error = await providerError(() => provider().getBalance());

    expect(error).toMatchObject({ code: "malformed", details: { status: 200 } });
  });

  it("turns a success body of the wrong shape into malformed", async () => {
    fake.inject("/status", "wrong_shape");

    const error = await providerError(() => provider().getStatus(statusRef("INV-X")));

    expect(error.code).toBe("malformed");
  });

  it("turns an HTML error page on an order into upstream, not a crash", async () => {
    const ml = await product("ml-86");
    fake.inject("/order", "html_502");

    const error = await providerError(() => provider().placeOrder(orderRequest(ml, { userId: "12345678", zoneId: "1234" })));

    expect(error).toMatchObject({ code: "upstream", details: { status: 502 } });
    expect(error.message).not.toContain("<html");
  });
});

describe("odzreshop retries", () => {
  it("never repeats a purchase that timed out, and reports the unknown outcome", async () => {
    const ml = await product("ml-86");
    fake.inject("/order", "timeout");

    const error = await providerError(() =>
      provider({ timeoutMs: 300 }).placeOrder(orderRequest(ml, { userId: "12345678", zoneId: "1234" })),
    );

    expect(error.code).toBe("timeout");
    expect(error.outcomeUnknown).toBe(true);
    expect(fake.count("/order")).toBe(1);
    expect(fake.orders.size).toBe(1); // it did go through: repeating it would have bought twice
  });

  it("retries reads on 5xx until they succeed", async () => {
    const client = provider();
    fake.inject("/profile", "html_503", 2);
    fake.inject("/services", "server_error");
    fake.inject("/status", "vendor_depleted");

    await expect(client.getBalance()).resolves.toMatchObject({ idr: 500_000 });
    expect(fake.count("/profile")).toBe(3);

    const products = await client.listProducts();
    expect(products).toHaveLength(4);
    expect(fake.count("/services")).toBe(4); // three slugs, one of them twice

    const ml = products.find((item) => item.sku === "ml-86")!;
    const placed = await client.placeOrder(orderRequest(ml, { userId: "12345678", zoneId: "1234" }));
    await expect(client.getStatus(statusRef(placed.providerRef ?? "", ml))).resolves.toMatchObject({
      state: "success",
    });
    expect(fake.count("/status")).toBe(2);
  });

  it("retries a read that timed out", async () => {
    fake.inject("/profile", "timeout");

    await expect(provider({ timeoutMs: 500 }).getBalance()).resolves.toMatchObject({ idr: 500_000 });
    expect(fake.count("/profile")).toBe(2);
  });

  it("waits for a slow answer within the timeout", async () => {
    fake.slowMs = 150;
    fake.inject("/profile", "slow");

    await expect(provider().getBalance()).resolves.toMatchObject({ idr: 500_000 });
    expect(fake.count("/profile")).toBe(1);
  });
});
