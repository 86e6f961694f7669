import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AlxzenProvider, classifyAlxzenProduct } from "../../src/providers/alxzen/adapter.js";
import { ProviderError, type ProviderErrorCode } from "../../src/providers/errors.js";
import type { PlaceOrderRequest, ProviderPayment, ProviderProduct } from "../../src/providers/types.js";
import type { TargetInputs } from "../../src/providers/inputs.js";
import { silentLogger } from "../../src/logger.js";
import { FakeAlxzenServer, type FakeAlxzenFault } from "../fakes/alxzen-server.js";

const vpsId = "60d5ecb8b392d7a1f0c0a123";
const netflixId = "60d5ecb8b392d7a1f0c0c789";
const spotifyId = "60d5ecb8b392d7a1f0c0d0ab";
const scriptId = "60d5ecb8b392d7a1f0c0e1cd";

let fake: FakeAlxzenServer;
let alxzen: AlxzenProvider;

function adapter(apiKey = fake.apiKey): AlxzenProvider {
  return new AlxzenProvider({ baseUrl: fake.url, apiKey, logger: silentLogger, timeoutMs: 300, retryDelaysMs: [5, 5, 5] });
}

beforeEach(async () => {
  fake = await FakeAlxzenServer.start();
  alxzen = adapter();
});

afterEach(async () => {
  await fake.close();
});

async function product(sku: string): Promise<ProviderProduct> {
  const found = (await alxzen.listProducts()).find((candidate) => candidate.sku === sku);
  if (!found) throw new Error(`no product ${sku} in the catalog`);
  return found;
}

async function order(sku: string, inputs: TargetInputs = {}, payment: ProviderPayment = "direct"): Promise<PlaceOrderRequest> {
  return { orderId: "ORD-1", refId: "REF-1", product: await product(sku), inputs, payment };
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe("classifyAlxzenProduct", () => {
  it.each([
    ["VPS Node.js 1GB", "panel", "VPS", "panel_username", "panel"],
    ["Panel Pterodactyl 2GB", "panel", "Pterodactyl", "panel_username", "panel"],
    ["SERVER MINECRAFT 4GB", "panel", "Pterodactyl", "panel_username", "panel"],
    ["Netflix Premium 1 Bulan", "app", "Netflix", "none", "account"],
    ["spotify family", "app", "Spotify", "none", "account"],
    ["YouTube Premium 3 Bulan", "app", "YouTube", "none", "account"],
    ["Canva Pro Lifetime", "app", "Canva", "none", "account"],
    ["CapCut Pro 1 Bulan", "app", "CapCut", "none", "account"],
    ["Netflix Private (Server SG)", "app", "Netflix", "none", "account"],
    ["Wink Premium", "app", "Premium", "none", "account"],
    ["Script Bot WhatsApp MD", "other", "Script", "none", "download"],
    ["SC Store Bot Telegram", "other", "Script", "none", "download"],
    ["Jasa Pasang Bot", "other", "Lainnya", "none", "account"],
  ])("%s → %s / %s", (name, category, group, input, delivery) => {
    expect(classifyAlxzenProduct(name)).toEqual({ category, group, input, delivery });
  });

  it("leaves OTP / nokos products out, even when the name says WhatsApp or premium", () => {
    expect(classifyAlxzenProduct("Nokos WhatsApp Indonesia")).toBeNull();
    expect(classifyAlxzenProduct("OTP Telegram Premium")).toBeNull();
  });

  it("does not read 'whatsapp' as an app", () => {
    expect(classifyAlxzenProduct("WhatsApp Bot Hosting")?.category).toBe("panel");
  });
});

describe("AlxzenProvider catalog and balance", () => {
  it("maps products: reseller price, unlimited / empty stock, classification, code; OTP left out", async () => {
    const products = await alxzen.listProducts();

    expect(products.map((p) => p.sku)).not.toContain("60d5ecb8b392d7a1f0c0f2ef");
    expect(products).toHaveLength(5);
    expect(products.find((p) => p.sku === vpsId)).toEqual({
      provider: "alxzen",
      sku: vpsId,
      code: "AX-C0A123",
      category: "panel",
      group: "VPS",
      name: "VPS Node.js 1GB",
      basePrice: 20_000,
      stock: null,
      input: "panel_username",
      delivery: "panel",
    });
    expect(products.find((p) => p.sku === netflixId)).toMatchObject({ category: "app", basePrice: 30_000, stock: 5, delivery: "account" });
    expect(products.find((p) => p.sku === spotifyId)?.stock).toBe(0);
    expect(products.find((p) => p.sku === scriptId)).toMatchObject({ category: "other", delivery: "download", stock: null });

    const [request] = fake.requestsTo("GET /products");
    expect(request?.headers["x-api-key"]).toBe(fake.apiKey);
    expect(request?.path).toBe("/api/products");
  });

  it("reads the balance in rupiah", async () => {
    expect(await alxzen.getBalance()).toEqual({ amount: 150_000, currency: "IDR", idr: 150_000 });
  });
});

describe("AlxzenProvider orders", () => {
  it("buys a panel from the balance and delivers its login, password secret", async () => {
    const outcome = await alxzen.placeOrder(await order(vpsId, { username: "budi_store" }));

    expect(fake.requestsTo("POST /order").map((r) => r.body)).toEqual([
      { productId: vpsId, paymentType: "direct", serverUsername: "budi_store" },
    ]);
    expect(outcome.state).toBe("success");
    if (outcome.state !== "success") return;
    const sent = fake.orders.get(outcome.providerRef)?.credentials;
    expect(outcome.delivery).toEqual([
      { label: "url", value: "https://panel.alxzen.test" },
      { label: "username", value: "budi_store" },
      { label: "password", value: sent?.serverPassword, secret: true },
    ]);
    expect((await alxzen.getBalance()).idr).toBe(130_000);
  });

  it("buys an app account: email and password both secret, no panel fields sent", async () => {
    const outcome = await alxzen.placeOrder(await order(netflixId, { username: "ignored" }));

    expect(fake.requestsTo("POST /order")[0]?.body).toEqual({ productId: netflixId, paymentType: "direct" });
    expect(outcome.state).toBe("success");
    if (outcome.state !== "success") return;
    const sent = fake.orders.get(outcome.providerRef)?.credentials;
    expect(outcome.delivery).toEqual([
      { label: "email", value: sent?.accountEmail, secret: true },
      { label: "password", value: sent?.accountPassword, secret: true },
    ]);
  });

  it("buys a script and delivers its download link", async () => {
    const outcome = await alxzen.placeOrder(await order(scriptId));
    expect(outcome).toMatchObject({ state: "success", delivery: [{ label: "url", value: expect.stringMatching(/\.zip$/) }] });
  });

  it("sends a voucher from the product meta, and prefers the buyer's own", async () => {
    const request = await order(scriptId);
    request.product = { ...request.product, meta: { voucherCode: "HEMAT2K" } };
    await alxzen.placeOrder(request);
    fake.vouchers.set("BUYER1K", 1_000);
    await alxzen.placeOrder({ ...request, inputs: { voucher: "BUYER1K" } });

    expect(fake.requestsTo("POST /order").map((r) => (r.body as { voucherCode?: string }).voucherCode)).toEqual(["HEMAT2K", "BUYER1K"]);
    expect(fake.account.balance).toBe(150_000 - 33_000 - 34_000);
  });

  it("sends an admin's promo code as voucherCode; the buyer's own voucher still wins", async () => {
    fake.vouchers.set("ADMIN2K", 2_000);
    const request = await order(scriptId);
    await alxzen.placeOrder({ ...request, promoCode: "ADMIN2K" });
    fake.vouchers.set("BUYER1K", 1_000);
    await alxzen.placeOrder({ ...request, inputs: { voucher: "BUYER1K" }, promoCode: "ADMIN2K" });
    expect(fake.requestsTo("POST /order").map((r) => (r.body as { voucherCode?: string }).voucherCode)).toEqual(["ADMIN2K", "BUYER1K"]);
  });

  it("QRIS order: pending with the payload and amount, completed via getStatus once paid", async () => {
    const request = await order(netflixId, {}, "qris");
    const placed = await alxzen.placeOrder(request);

    expect(fake.requestsTo("POST /order")[0]?.body).toEqual({ productId: netflixId, paymentType: "qris" });
    expect(placed.state).toBe("pending");
    if (placed.state !== "pending") return;
    expect(placed.qris).toEqual({ payload: expect.stringMatching(/^000201/), amount: 30_000 });
    expect(fake.account.balance).toBe(150_000);

    const ref = { providerRef: placed.providerRef, refId: request.refId, product: request.product };
    expect(await alxzen.getStatus(ref)).toEqual({ state: "pending", providerRef: placed.providerRef });

    fake.pay(placed.providerRef);
    const done = await alxzen.getStatus(ref);
    expect(done).toMatchObject({ state: "success", providerRef: placed.providerRef });
    expect(done.state === "success" && done.delivery.every((item) => item.secret)).toBe(true);
  });

  it("direct order left pending: pending with the order id, then completed on a later check", async () => {
    fake.directMode = "pending";
    const request = await order(vpsId);
    const placed = await alxzen.placeOrder(request);

    expect(placed).toEqual({ state: "pending", providerRef: expect.stringMatching(/^API-/) });
    const ref = { providerRef: placed.providerRef ?? "", refId: request.refId, product: request.product };
    expect((await alxzen.getStatus(ref)).state).toBe("pending");
    const done = await alxzen.getStatus(ref);
    expect(done).toMatchObject({ state: "success", delivery: expect.arrayContaining([{ label: "url", value: "https://panel.alxzen.test" }]) });
    expect(fake.requestsTo("GET /order/:id")[0]?.path).toBe(`/api/order/${placed.providerRef}`);
  });

  // The document: GET /order/:id "contains provisioned credentials if completed". A `completed`
  // without any is a contradiction of it; delivering an empty message would strand the buyer.
  it("a completed order without credentials stays pending (never delivered empty), until they appear", async () => {
    fake.directMode = "pending";
    const request = await order(netflixId);
    const placed = await alxzen.placeOrder(request);
    const stored = fake.orders.get(placed.providerRef ?? "");
    if (stored) {
      stored.status = "completed";
      delete stored.credentials;
    }
    const ref = { providerRef: placed.providerRef ?? "", refId: request.refId, product: request.product };
    expect(await alxzen.getStatus(ref)).toEqual({ state: "pending", providerRef: placed.providerRef });

    if (stored) stored.credentials = { accountEmail: "late@mail.alxzen.test", accountPassword: "late-pass" };
    expect(await alxzen.getStatus(ref)).toMatchObject({ state: "success", delivery: [{ label: "email" }, { label: "password" }] });
  });

  it("a purchase answered completed without credentials is pending, not an empty delivery", async () => {
    fake.enqueue("POST /order", { kind: "json", status: 200, body: { success: true, message: "ok", data: { orderId: "API-EMPTY1", status: "completed", data: {} } } });
    expect(await alxzen.placeOrder(await order(scriptId))).toEqual({ state: "pending", providerRef: "API-EMPTY1" });
  });

  it("a failed direct order is a failed outcome; an expired QRIS order reads as failed", async () => {
    fake.directMode = "failed";
    expect(await alxzen.placeOrder(await order(scriptId))).toMatchObject({ state: "failed", reason: "alxzen: order failed" });

    const request = await order(scriptId, {}, "qris");
    const placed = await alxzen.placeOrder(request);
    fake.setStatus(placed.providerRef ?? "", "expired");
    const status = await alxzen.getStatus({ providerRef: placed.providerRef ?? "", refId: request.refId, product: request.product });
    expect(status).toMatchObject({ state: "failed", reason: "alxzen: order expired" });
  });
});

describe("AlxzenProvider deposits", () => {
  it("creates a QRIS deposit", async () => {
    expect(await alxzen.deposit(50_000)).toEqual({
      depositId: expect.stringMatching(/^DEP-/),
      amount: 50_000,
      qrisPayload: expect.stringMatching(/^000201/),
    });
    expect(fake.requestsTo("POST /deposit")[0]?.body).toEqual({ amount: 50_000 });
  });

  it("refuses less than Rp 1.000 or a fraction before calling the API", async () => {
    expect((await failure(alxzen.deposit(999))).code).toBe("invalid_input");
    expect((await failure(alxzen.deposit(1_500.5))).code).toBe("invalid_input");
    expect(fake.requestsTo("POST /deposit")).toHaveLength(0);
  });
});

describe("AlxzenProvider errors", () => {
  it("a wrong key is auth, and the key never appears in the error even when echoed", async () => {
    const wrongKey = "AOC-wrong-key-9999";
    const wrong = adapter(wrongKey);
    const error = await failure(wrong.getBalance());
    expect(error.code).toBe("auth");
    expect(error.details.status).toBe(401);
    expect(error.message).toContain("Invalid API key");

    fake.enqueue("GET /account", { kind: "error", status: 401, message: `Invalid API key ${wrongKey}` });
    const echoed = await failure(wrong.getBalance());
    expect(echoed.code).toBe("auth");
    expect(echoed.message).not.toContain(wrongKey);
    expect(fake.requestsTo("GET /account").at(-1)?.headers["x-api-key"]).toBe(wrongKey);
  });

  it("403 is forbidden_ip when the message mentions the IP, auth otherwise", async () => {
    fake.ipBlocked = true;
    expect((await failure(alxzen.listProducts())).code).toBe("forbidden_ip");
    fake.ipBlocked = false;
    fake.enqueue("GET /account", { kind: "error", status: 403, message: "Akun reseller dinonaktifkan" });
    expect((await failure(alxzen.getBalance())).code).toBe("auth");
  });

  it("an unknown order is not_found", async () => {
    const request = await order(scriptId);
    const error = await failure(alxzen.getStatus({ providerRef: "API-NOPE", refId: "x", product: request.product }));
    expect(error.code).toBe("not_found");
    expect(error.message).toContain("Order not found");
  });

  it("429 on a purchase is rate_limited with Retry-After, sent once", async () => {
    const request = await order(scriptId);
    fake.enqueue("POST /order", { kind: "error", status: 429, message: "Too many requests", retryAfterSeconds: 3 });
    const error = await failure(alxzen.placeOrder(request));
    expect(error.code).toBe("rate_limited");
    expect(error.details.retryAfterMs).toBe(3_000);
    expect(fake.requestsTo("POST /order")).toHaveLength(1);
  });

  it("not enough balance is insufficient_balance, and nothing is debited", async () => {
    fake.account.balance = 1_000;
    const error = await failure(alxzen.placeOrder(await order(scriptId)));
    expect(error.code).toBe("insufficient_balance");
    expect(error.definitive).toBe(true);
    expect(fake.account.balance).toBe(1_000);
  });

  it("an empty product is out_of_stock", async () => {
    expect((await failure(alxzen.placeOrder(await order(spotifyId)))).code).toBe("out_of_stock");
  });

  it("a bad voucher is invalid_input", async () => {
    const error = await failure(alxzen.placeOrder(await order(scriptId, { voucher: "NOPE" })));
    expect(error.code).toBe("invalid_input");
    expect(error.message).toContain("Voucher tidak valid");
  });

  it.each<[string, ProviderErrorCode, FakeAlxzenFault]>([
    ["success:false on HTTP 200 about saldo", "insufficient_balance", { kind: "json", status: 200, body: { success: false, message: "Saldo kurang" } }],
    ["success:false on HTTP 200 about stock", "out_of_stock", { kind: "json", status: 200, body: { success: false, message: "Out of stock" } }],
    ["400 with another message", "invalid_input", { kind: "error", status: 400, message: "productId is required" }],
    ["500 in the envelope", "upstream", { kind: "error", status: 500, message: "Internal error" }],
    ["HTML 502", "upstream", { kind: "html", status: 502 }],
    ["HTML 503", "upstream", { kind: "html", status: 503 }],
    ["a body that is not JSON", "malformed", { kind: "malformed" }],
    ["JSON of another shape", "malformed", { kind: "json", status: 200, body: { success: true, data: { id: 1 } } }],
  ])("a purchase answered with %s is %s, sent once", async (_what, code, fault) => {
    const request = await order(scriptId);
    fake.enqueue("POST /order", fault);
    expect((await failure(alxzen.placeOrder(request))).code).toBe(code);
    expect(fake.requestsTo("POST /order")).toHaveLength(1);
  });

  it("a QRIS order without qris_data is malformed, not a pending order nobody can pay", async () => {
    const request = await order(netflixId, {}, "qris");
    fake.enqueue("POST /order", { kind: "json", status: 200, body: { success: true, data: { orderId: "API-X", status: "pending", amount: 30_000 } } });
    expect((await failure(alxzen.placeOrder(request))).code).toBe("malformed");
  });

  it("malformed JSON on a read is malformed", async () => {
    fake.enqueue("GET /products", { kind: "malformed" });
    expect((await failure(alxzen.listProducts())).code).toBe("malformed");
  });
});

describe("AlxzenProvider retries and timeouts", () => {
  it("a timed-out purchase is thrown as timeout and NOT repeated", async () => {
    const request = await order(vpsId, { username: "budi_store" });
    fake.enqueue("POST /order", { kind: "timeout" });
    const error = await failure(alxzen.placeOrder(request));
    expect(error.code).toBe("timeout");
    expect(error.outcomeUnknown).toBe(true);
    expect(fake.requestsTo("POST /order")).toHaveLength(1);
  });

  it("reads are retried on 5xx and succeed once the API recovers", async () => {
    fake.enqueue("GET /products", { kind: "html", status: 502 }, { kind: "error", status: 503, message: "maintenance" });
    expect(await alxzen.listProducts()).toHaveLength(5);
    expect(fake.requestsTo("GET /products")).toHaveLength(3);
  });

  it("a read that keeps failing ends as upstream after every retry", async () => {
    fake.enqueue("GET /account", ...Array.from({ length: 4 }, (): FakeAlxzenFault => ({ kind: "html", status: 502 })));
    expect((await failure(alxzen.getBalance())).code).toBe("upstream");
    expect(fake.requestsTo("GET /account")).toHaveLength(4);
  });

  it("a slow answer inside the timeout is fine; one past it is retried for a read", async () => {
    fake.enqueue("GET /account", { kind: "slow", delayMs: 100 });
    expect((await alxzen.getBalance()).idr).toBe(150_000);

    fake.enqueue("GET /account", { kind: "slow", delayMs: 1_000 });
    expect((await alxzen.getBalance()).idr).toBe(150_000);
    expect(fake.requestsTo("GET /account")).toHaveLength(3);
  });
});

describe("the fake ALxZen holds clients to the document", () => {
  async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${fake.url}${path}`, {
      method: "POST",
      headers: { "x-api-key": fake.apiKey, "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { success: boolean; message?: string } };
  }

  it("refuses a request without x-api-key", async () => {
    const response = await fetch(`${fake.url}/account`);
    expect(response.status).toBe(401);
  });

  it("refuses an undocumented paymentType, a missing productId and unknown fields", async () => {
    expect((await post("/order", { productId: scriptId, paymentType: "balance" })).status).toBe(400);
    expect((await post("/order", { paymentType: "direct" })).status).toBe(400);
    expect((await post("/order", { productId: scriptId, paymentType: "direct", refId: "REF-1" })).status).toBe(400);
    expect((await post("/deposit", { amount: "50000" })).status).toBe(400);
    expect(fake.orders.size).toBe(0);
  });

  it("refuses a body that is not declared as JSON", async () => {
    const response = await post("/deposit", { amount: 50_000 }, { "content-type": "text/plain" });
    expect(response).toEqual({ status: 400, body: { success: false, message: "Content-Type must be application/json" } });
  });
});
