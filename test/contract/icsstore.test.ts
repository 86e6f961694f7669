/**
 * Contract tests for the ICS-Store adapter against the fake in test/fakes/icsstore-server.ts,
 * which follows /work/shared/providers/icsstore.txt.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ProviderError } from "../../src/providers/errors.js";
import { IcsstoreProvider } from "../../src/providers/icsstore/adapter.js";
import type { PlaceOrderRequest, ProviderProduct } from "../../src/providers/types.js";
import { IcsstoreFake } from "../fakes/icsstore-server.js";

let fake: IcsstoreFake;
let provider: IcsstoreProvider;

const webhookSecret = "ics-webhook-secret-for-tests";

function makeProvider(apiKey = fake.apiKey): IcsstoreProvider {
  return new IcsstoreProvider({ baseUrl: fake.url, apiKey, retryDelaysMs: [5, 5, 5], timeoutMs: 300, webhookSecret });
}

beforeEach(async () => {
  fake = await IcsstoreFake.start();
  provider = makeProvider();
});

afterEach(async () => {
  await fake.close();
});

const xla10: ProviderProduct = {
  provider: "icsstore",
  sku: "XLA10",
  code: "XLA10",
  category: "data",
  group: "XLA — Bulanan",
  name: "XL AXIS 10GB",
  basePrice: 20_000,
  stock: 50,
  input: "phone",
  delivery: "serial",
};

let orderSeq = 0;
function order(product: ProviderProduct = xla10, refId = `RSAPI${++orderSeq}TEST`): PlaceOrderRequest {
  return { orderId: `ORD-${orderSeq}`, refId, product, inputs: { phone: "081234567890" }, payment: "direct" };
}

/** Awaits a promise that must reject with a ProviderError and returns it. */
async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe("requests", () => {
  it("authenticate with the X-API-Key header and never put the key in the query", async () => {
    await provider.getBalance();
    await provider.listProducts();
    expect(fake.requests.length).toBeGreaterThan(1);
    for (const request of fake.requests) {
      expect(request.apiKeyHeader).toBe(fake.apiKey);
      expect(request.query.apikey).toBeUndefined();
    }
  });
});

describe("listProducts", () => {
  it("lists every type in parallel, ready items with their stock and empty ones as out of stock", async () => {
    const products = await provider.listProducts();
    const listCalls = fake.requests.filter((r) => r.action === "listProducts");
    expect(listCalls.map((r) => r.method)).toEqual(["GET", "GET", "GET", "GET"]);
    expect(listCalls.map((r) => r.query.type).sort()).toEqual(["bpa", "fmax", "xda", "xla"]);

    const bySku = new Map(products.map((p) => [p.sku, p]));
    expect(bySku.get("XLA10")).toEqual({
      ...xla10,
      description: "Details Kuota XL AXIS 10GB",
    });
    expect(bySku.get("XLA20")?.stock).toBeNull(); // ready without `stok`: unlimited as far as we know
    expect(bySku.get("XLA15")?.stock).toBe(0);
    expect(bySku.get("BPA5")).toMatchObject({ group: "BPA — Bekasan", stock: 3, basePrice: 9_000 });
    expect(bySku.get("FMAX1")).toMatchObject({ group: "FMAX", stock: 0 }); // no title: the type name
    expect(bySku.get("XDA1")).toMatchObject({ group: "XDA — Harian", basePrice: 3_500 });
    expect(products).toHaveLength(6);
  });

  it("asks for the types at the same time, not one after another", async () => {
    fake.inject("listProducts", { kind: "slow", delayMs: 150 }, 4);
    const started = Date.now();
    await provider.listProducts();
    // One after another would take 4 × 150 ms; together about 150 ms.
    expect(Date.now() - started).toBeLessThan(450);
  });

  it("asks only for the configured types", async () => {
    const only = new IcsstoreProvider({ baseUrl: fake.url, apiKey: fake.apiKey, types: ["xda"], retryDelaysMs: [5], timeoutMs: 300 });
    const products = await only.listProducts();
    expect(products.map((p) => p.sku)).toEqual(["XDA1"]);
    expect(fake.count("listProducts")).toBe(1);
  });

  it("turns an error body into invalid_input", async () => {
    const bad = new IcsstoreProvider({ baseUrl: fake.url, apiKey: fake.apiKey, types: ["nope"], retryDelaysMs: [5], timeoutMs: 300 });
    const error = await providerError(bad.listProducts());
    expect(error.code).toBe("invalid_input");
    expect(error.message).toContain("type tidak valid");
  });
});

describe("getBalance", () => {
  it("reads data.saldo in rupiah", async () => {
    fake.balance = 123_456;
    expect(await provider.getBalance()).toEqual({ amount: 123_456, currency: "IDR", idr: 123_456 });
  });
});

describe("placeOrder and getStatus", () => {
  it("sends the documented JSON body and follows pending to success with the SN", async () => {
    fake.scenario = { kind: "pending", checks: 2, note: "SN 998877" };
    const request = order();
    const placed = await provider.placeOrder(request);
    expect(placed).toEqual({ state: "pending", providerRef: request.refId });

    const create = fake.requests.find((r) => r.action === "createTransaction");
    expect(create).toMatchObject({
      method: "POST",
      contentType: "application/json",
      body: { kode_produk: "XLA10", nomor_tujuan: "081234567890", refid: request.refId },
    });
    expect(fake.balance).toBe(80_000);

    const ref = { providerRef: placed.providerRef!, refId: request.refId, product: xla10 };
    expect(await provider.getStatus(ref)).toEqual({ state: "pending", providerRef: request.refId });
    expect(await provider.getStatus(ref)).toEqual({ state: "pending", providerRef: request.refId });
    expect(await provider.getStatus(ref)).toEqual({
      state: "success",
      providerRef: request.refId,
      delivery: [{ label: "serial", value: "SN 998877" }],
    });
    const check = fake.requests.find((r) => r.action === "checkTransaction");
    expect(check).toMatchObject({ method: "GET", query: { action: "checkTransaction", refid: request.refId } });
  });

  it("treats unpaid as pending", async () => {
    fake.scenario = { kind: "pending", checks: 1, initialStatus: "unpaid" };
    const request = order();
    await provider.placeOrder(request);
    expect(await provider.getStatus({ refId: request.refId })).toEqual({ state: "pending", providerRef: request.refId });
  });

  it("delivers the status message as a note when the supplier left no SN", async () => {
    fake.scenario = { kind: "pending", checks: 0, note: "" };
    const request = order();
    await provider.placeOrder(request);
    const status = await provider.getStatus({ refId: request.refId });
    expect(status).toEqual({ state: "success", providerRef: request.refId, delivery: [{ label: "note", value: "SUKSES" }] });
  });

  it("reads an instant success back once for its SN", async () => {
    fake.scenario = { kind: "success", note: "SN 5550001" };
    const request = order();
    expect(await provider.placeOrder(request)).toEqual({
      state: "success",
      providerRef: request.refId,
      delivery: [{ label: "serial", value: "SN 5550001" }],
    });
    expect(fake.count("createTransaction")).toBe(1);
    expect(fake.count("checkTransaction")).toBe(2); // the look before buying, then the read-back
  });

  it("falls back to the create message when an instant success cannot be read back", async () => {
    fake.scenario = { kind: "success", note: "SN 5550001" };
    fake.inject("checkTransaction", { kind: "pass" });
    fake.inject("checkTransaction", { kind: "html", status: 502 }, 4);
    const request = order();
    expect(await provider.placeOrder(request)).toEqual({
      state: "success",
      providerRef: request.refId,
      delivery: [{ label: "note", value: "Transaksi sukses" }],
    });
    expect(fake.count("createTransaction")).toBe(1);
  });

  it("fails an instant success that checkTransaction reads back as failed (the read-back wins)", async () => {
    fake.scenario = { kind: "success", note: "SN 5550001" };
    fake.inject("checkTransaction", { kind: "pass" }); // the look before buying: no such refid yet
    fake.inject("checkTransaction", {
      kind: "status",
      status: 200,
      body: { success: true, status: "failed", refid: "x", message: "Gagal: nomor tidak aktif", note: "" },
    });
    const request = order();
    expect(await provider.placeOrder(request)).toEqual({ state: "failed", providerRef: request.refId, reason: "Gagal: nomor tidak aktif" });
  });

  it("follows an instant success that checkTransaction reads back as pending, rather than delivering it", async () => {
    fake.scenario = { kind: "success", note: "SN 5550001" };
    fake.inject("checkTransaction", { kind: "pass" }); // the look before buying: no such refid yet
    fake.inject("checkTransaction", { kind: "status", status: 200, body: { success: true, status: "pending", refid: "x", message: "Diproses" } });
    const request = order();
    expect(await provider.placeOrder(request)).toEqual({ state: "pending", providerRef: request.refId });
  });

  it("returns a failed outcome when the supplier refuses, with the balance untouched", async () => {
    fake.scenario = { kind: "reject", error: "Transaksi gagal: nomor tidak valid untuk paket ini" };
    const request = order();
    expect(await provider.placeOrder(request)).toEqual({
      state: "failed",
      providerRef: request.refId,
      reason: "Transaksi gagal: nomor tidak valid untuk paket ini",
    });
    expect(fake.balance).toBe(100_000);
    expect(fake.count("createTransaction")).toBe(1);
  });

  it("returns a failed outcome for an out-of-stock product", async () => {
    const request = order({ ...xla10, sku: "XLA15" });
    expect(await provider.placeOrder(request)).toMatchObject({ state: "failed", reason: "Transaksi gagal: stok produk kosong" });
  });

  it("throws insufficient_balance when the saldo does not cover the price", async () => {
    fake.balance = 10_000;
    const error = await providerError(provider.placeOrder(order()));
    expect(error.code).toBe("insufficient_balance");
    expect(error.definitive).toBe(true);
    expect(fake.transactions.size).toBe(0);
  });

  it("reports an order that fails later as failed with the supplier's message", async () => {
    fake.scenario = { kind: "fail-later", checks: 1, message: "Gagal: gangguan supplier" };
    const request = order();
    await provider.placeOrder(request);
    expect((await provider.getStatus({ refId: request.refId })).state).toBe("pending");
    expect(await provider.getStatus({ refId: request.refId })).toEqual({
      state: "failed",
      providerRef: request.refId,
      reason: "Gagal: gangguan supplier",
    });
  });

  it("refuses an order without a phone number before calling the API", async () => {
    const error = await providerError(provider.placeOrder({ ...order(), inputs: {} }));
    expect(error.code).toBe("invalid_input");
    expect(fake.requests).toHaveLength(0);
  });

  it("reports a reused refid as outcome-unknown (never a failure), and findOrder answers with the existing order", async () => {
    fake.scenario = { kind: "pending", checks: 5 };
    const request = order();
    await provider.placeOrder(request);
    expect(await provider.placeOrder(request)).toEqual({ state: "pending", providerRef: request.refId });
    expect(fake.count("createTransaction")).toBe(1);
    expect(fake.purchases).toHaveLength(1);
    expect(fake.balance).toBe(80_000);
  });
});

describe("a repeated refid the API accepts (stricter than the fake's assumption)", () => {
  beforeEach(() => {
    fake.duplicateRefid = "accept";
  });

  it("placing the same refid again buys nothing more: the existing order is answered", async () => {
    fake.scenario = { kind: "pending", checks: 5 };
    const request = order();
    await provider.placeOrder(request);
    expect(await provider.placeOrder(request)).toEqual({ state: "pending", providerRef: request.refId });
    expect(fake.purchases).toHaveLength(1);
    expect(fake.balance).toBe(80_000);
  });

  it("still buys a new order once when the look before buying cannot answer (an outage of reads)", async () => {
    fake.inject("checkTransaction", { kind: "html", status: 502 }, 4);
    const request = order();
    expect(await provider.placeOrder(request)).toEqual({ state: "pending", providerRef: request.refId });
    expect(fake.purchases).toHaveLength(1);
  });

  it("a purchase whose answer was lost is found by lookup, not bought again", async () => {
    fake.inject("createTransaction", { kind: "timeout", processFirst: true });
    const request = order();
    expect((await providerError(provider.placeOrder(request))).outcomeUnknown).toBe(true);
    expect(await provider.findOrder(request.refId)).toEqual({ state: "pending", providerRef: request.refId });
    // Placed again (as fulfilment does only after a lookup said "none"): the look before buying
    // answers it with the order as it now stands.
    expect(await provider.placeOrder(request)).toMatchObject({ providerRef: request.refId });
    expect(fake.purchases).toHaveLength(1);
  });

  it("an instant success placed twice is bought once", async () => {
    fake.scenario = { kind: "success", note: "SN 5550001" };
    const request = order();
    await provider.placeOrder(request);
    expect(await provider.placeOrder(request)).toMatchObject({ state: "success", delivery: [{ label: "serial", value: "SN 5550001" }] });
    expect(fake.purchases).toHaveLength(1);
  });
});

describe("a purchase with an unknown outcome", () => {
  // Issue 14: the adapter sends a purchase ONCE and reports an unclear answer as outcome-unknown;
  // fulfilment alone looks the refid up (findOrder) and decides whether to buy again.
  it("is thrown as outcome-unknown after one call; findOrder then finds the order the supplier took", async () => {
    fake.inject("createTransaction", { kind: "timeout", processFirst: true });
    const request = order();
    const error = await providerError(provider.placeOrder(request));
    expect(error.outcomeUnknown).toBe(true);
    // The look before buying, then the one purchase.
    expect(fake.requests.map((r) => r.action)).toEqual(["checkTransaction", "createTransaction"]);
    expect(await provider.findOrder(request.refId)).toEqual({ state: "pending", providerRef: request.refId });
    expect(fake.count("createTransaction")).toBe(1);
    expect(fake.count("checkTransaction")).toBe(2);
  });

  it("is never sent again by the adapter, even when the supplier has no such order", async () => {
    fake.inject("createTransaction", { kind: "timeout", processFirst: false });
    const request = order();
    expect((await providerError(provider.placeOrder(request))).outcomeUnknown).toBe(true);
    expect(await provider.findOrder(request.refId)).toBeNull();
    expect(fake.requests.map((r) => r.action)).toEqual(["checkTransaction", "createTransaction", "checkTransaction"]);
    expect(fake.transactions.size).toBe(0);
  });

  it("is outcome-unknown after a 502 HTML page or malformed JSON, with one purchase each", async () => {
    fake.inject("createTransaction", { kind: "html", status: 502, processFirst: true });
    fake.inject("createTransaction", { kind: "malformed", processFirst: true });
    expect((await providerError(provider.placeOrder(order()))).outcomeUnknown).toBe(true);
    expect((await providerError(provider.placeOrder(order()))).outcomeUnknown).toBe(true);
    expect(fake.count("createTransaction")).toBe(2);
    // Only the looks before buying: the adapter never resolves an unknown outcome itself.
    expect(fake.count("checkTransaction")).toBe(2);
  });

  it("is outcome-unknown when a refusal shows the balance was debited", async () => {
    fake.inject("createTransaction", {
      kind: "status",
      status: 200,
      body: { error: "Transaksi gagal: supplier timeout", saldo_awal: 100_000, saldo_akhir: 80_000 },
      processFirst: true,
    });
    const error = await providerError(provider.placeOrder(order()));
    expect(error.outcomeUnknown).toBe(true);
    expect(fake.count("createTransaction")).toBe(1);
    expect(fake.count("checkTransaction")).toBe(1); // only the look before buying
  });

  it("findOrder throws (never null) when the lookup cannot answer", async () => {
    fake.inject("checkTransaction", { kind: "timeout" }, 4);
    const error = await providerError(provider.findOrder("RSAPI-ANY"));
    expect(error.code).toBe("timeout");
  });

  it("waits for a slow answer within the timeout", async () => {
    fake.inject("createTransaction", { kind: "slow", delayMs: 100 });
    expect((await provider.placeOrder(order())).state).toBe("pending");
    expect(fake.count("createTransaction")).toBe(1);
    expect(fake.count("checkTransaction")).toBe(1); // only the look before buying
  });
});

describe("HTTP errors", () => {
  it("maps 401 (wrong key) to auth without echoing the key", async () => {
    const wrong = makeProvider("wrong-secret-key");
    const error = await providerError(wrong.getBalance());
    expect(error.code).toBe("auth");
    expect(error.details.status).toBe(401);
    expect(error.message).not.toContain("wrong-secret-key");
  });

  it("maps 403 (key not active) to auth", async () => {
    fake.inactive = true;
    const error = await providerError(provider.getBalance());
    expect(error.code).toBe("auth");
    expect(error.details.status).toBe(403);
    expect(error.message).toContain("not active");
  });

  it("maps 404 on checkTransaction to not_found, and findOrder to null", async () => {
    const error = await providerError(provider.getStatus({ refId: "RSAPI-UNKNOWN" }));
    expect(error.code).toBe("not_found");
    expect(await provider.findOrder("RSAPI-UNKNOWN")).toBeNull();
  });

  it("maps 404 on createTransaction (unknown product) to not_found", async () => {
    const error = await providerError(provider.placeOrder(order({ ...xla10, sku: "NOPE" })));
    expect(error.code).toBe("not_found");
    expect(fake.count("checkTransaction")).toBe(1); // only the look before buying
  });

  it("maps 429 to rate_limited with Retry-After, after the read retries", async () => {
    fake.inject("getBalance", { kind: "status", status: 429, retryAfter: 0 }, 4);
    const error = await providerError(provider.getBalance());
    expect(error.code).toBe("rate_limited");
    expect(error.details.retryAfterMs).toBe(0);
    expect(fake.count("getBalance")).toBe(4);
  });

  it("maps a lasting 5xx to upstream after retrying the read", async () => {
    fake.inject("getBalance", { kind: "status", status: 500, body: { error: "Internal error" } }, 4);
    const error = await providerError(provider.getBalance());
    expect(error.code).toBe("upstream");
    expect(fake.count("getBalance")).toBe(4);
  });

  it("maps a lasting HTML 503 page to upstream", async () => {
    fake.inject("listProducts", { kind: "html", status: 503 }, 4);
    const error = await providerError(new IcsstoreProvider({ baseUrl: fake.url, apiKey: fake.apiKey, types: ["xla"], retryDelaysMs: [5, 5, 5], timeoutMs: 300 }).listProducts());
    expect(error.code).toBe("upstream");
  });

  it("maps malformed JSON on a read to malformed", async () => {
    fake.inject("getBalance", { kind: "malformed" });
    const error = await providerError(provider.getBalance());
    expect(error.code).toBe("malformed");
  });

  it("retries reads on 5xx and succeeds when the provider recovers", async () => {
    fake.inject("getBalance", { kind: "html", status: 502 }, 2);
    expect((await provider.getBalance()).idr).toBe(100_000);
    expect(fake.count("getBalance")).toBe(3);
  });

  it("throws timeout when a read never answers", async () => {
    fake.inject("getBalance", { kind: "timeout" }, 4);
    const error = await providerError(provider.getBalance());
    expect(error.code).toBe("timeout");
    expect(fake.count("getBalance")).toBe(4);
  });
});

describe("parseWebhook", () => {
  // ICS-Store documents no webhook authentication: the secret is the last segment of the URL.
  const signed = { pathSecret: webhookSecret };

  it("refuses a webhook without our path secret, with a wrong one, or when no secret is configured", () => {
    const body = JSON.stringify({ refid: "RSAPI1", status: "success" });
    const codeOf = (call: () => unknown) => {
      try {
        call();
        return "accepted";
      } catch (error) {
        return error instanceof ProviderError ? error.code : "other";
      }
    };
    expect(provider.webhookSecretIn).toBe("path");
    expect(codeOf(() => provider.parseWebhook({ headers: {}, rawBody: body }))).toBe("auth");
    expect(codeOf(() => provider.parseWebhook({ headers: {}, rawBody: body, pathSecret: "wrong" }))).toBe("auth");
    expect(codeOf(() => provider.parseWebhook({ headers: {}, rawBody: body, pathSecret: `${webhookSecret}x` }))).toBe("auth");
    // The header this adapter once invented is not a secret ICS-Store can send: it does not count.
    expect(codeOf(() => provider.parseWebhook({ headers: { "x-webhook-secret": webhookSecret }, rawBody: body }))).toBe("auth");
    const unconfigured = new IcsstoreProvider({ baseUrl: fake.url, apiKey: fake.apiKey });
    expect(codeOf(() => unconfigured.parseWebhook({ headers: {}, rawBody: body, pathSecret: "" }))).toBe("auth");
    expect(codeOf(() => provider.parseWebhook({ headers: {}, rawBody: body, ...signed }))).toBe("accepted");
  });

  it("reads refid and status as a hint", () => {
    const hint = provider.parseWebhook({ headers: {}, ...signed, rawBody: JSON.stringify({ refid: "RSAPI1", status: "success", note: "SN 1" }) });
    expect(hint).toEqual({ refId: "RSAPI1", providerRef: "RSAPI1", status: "success" });
  });

  it("rejects a body without refid as malformed", () => {
    const call = () => provider.parseWebhook({ headers: {}, ...signed, rawBody: JSON.stringify({ status: "success" }) });
    expect(call).toThrow(ProviderError);
    expect(call).toThrow(/refid/);
  });

  it("rejects a body that is not JSON as malformed", () => {
    try {
      provider.parseWebhook({ headers: {}, ...signed, rawBody: "refid=RSAPI1" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).code).toBe("malformed");
    }
  });
});

describe("history (getHistory, for /reconcile)", () => {
  const hour = 3_600_000;
  const window = () => ({ from: Date.now() - 24 * hour, to: Date.now() + hour });

  it("reads every transaction across pages: refid, status, harga in rupiah and WIB time", async () => {
    fake.historyMaxLimit = 3;
    const at = Date.UTC(2026, 11, 2, 5, 30, 0); // 12:30 WIB
    fake.seed({ refid: "WBAAAA0001", harga: 20_000, status: "success", createdAt: at });
    fake.seed({ refid: "WBAAAA0002", harga: 35_000, status: "failed", createdAt: at + 1_000 });
    for (let i = 3; i <= 7; i++) fake.seed({ refid: `WBAAAA000${i}`, harga: 9_000, status: "pending", createdAt: at + i * 1_000 });
    const history = await provider.history({ from: at - hour, to: at + hour });
    expect(history.complete).toBe(true);
    expect(history.records).toHaveLength(7);
    expect(history.records.find((r) => r.refId === "WBAAAA0001")).toEqual({ providerRef: "WBAAAA0001", refId: "WBAAAA0001", status: "success", charged: 20_000, at });
    expect(history.records.find((r) => r.refId === "WBAAAA0002")).toMatchObject({ status: "failed", charged: 35_000 });
    const asked = fake.requests.filter((r) => r.action === "getHistory");
    expect(asked.every((r) => r.method === "GET" && r.apiKeyHeader === fake.apiKey && r.query.apikey === undefined)).toBe(true);
    expect(asked.map((r) => r.query.page)).toEqual(["1", "2", "3", "4"]);
  });

  it("stops at the window's start when the pages come newest first", async () => {
    fake.historyMaxLimit = 2;
    const old = Date.now() - 5 * 24 * hour;
    for (let i = 0; i < 20; i++) fake.seed({ refid: `WBOLD${String(i).padStart(5, "0")}`, harga: 9_000, status: "success", createdAt: old + i });
    fake.seed({ refid: "WBNEW0000001", harga: 20_000, status: "success" });
    const history = await provider.history(window());
    expect(history.complete).toBe(true);
    expect(history.records.map((r) => r.refId)).toContain("WBNEW0000001");
    expect(fake.count("getHistory")).toBeLessThan(10);
  });

  it("stricter: oldest first, a silently cut limit and a page past the end that repeats the last one", async () => {
    fake.historyOrder = "oldest-first";
    fake.historyMaxLimit = 4;
    fake.historyPastEnd = "last-page";
    for (let i = 0; i < 9; i++) fake.seed({ refid: `WBSTRICT${String(i).padStart(4, "0")}`, harga: 9_000, status: "success", createdAt: Date.now() - 9 * hour + i * hour });
    const history = await provider.history(window());
    expect(history.complete).toBe(true);
    expect(history.records).toHaveLength(9);
    expect(new Set(history.records.map((r) => r.refId)).size).toBe(9);
  });

  it("reads unpaid as unpaid (nothing taken) and says when its page bound cut the read short", async () => {
    fake.historyOrder = "oldest-first";
    fake.historyMaxLimit = 1;
    fake.scenario = { kind: "pending", checks: 5, initialStatus: "unpaid" };
    await provider.placeOrder(order());
    expect((await provider.history(window())).records[0]).toMatchObject({ status: "unpaid", charged: 20_000 });
    for (let i = 0; i < 60; i++) fake.seed({ refid: `WBMANY${String(i).padStart(5, "0")}`, harga: 1_000, status: "success" });
    const history = await provider.history(window());
    expect(history.complete).toBe(false);
    expect(fake.count("getHistory")).toBeLessThanOrEqual(2 + 40);
  });

  it("throws typed errors: a wrong key is auth, garbage is malformed", async () => {
    expect((await providerError(makeProvider("wrong-key").history(window()))).code).toBe("auth");
    fake.inject("getHistory", { kind: "status", status: 200, body: { success: true, data: [{ status: "success" }] } });
    expect((await providerError(provider.history(window()))).code).toBe("malformed");
  });
});
