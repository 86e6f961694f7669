import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RouteRequest } from "../../../src/core/http.js";
import { silentLogger } from "../../../src/logger.js";
import { GatewayError, type ChargeRequest, type GatewayShared, type NotificationCheck, type QrisGateway } from "../../../src/payments/gateway.js";
import { qrisGatewayModules } from "../../../src/payments/gateways/registry.js";
import { TripayGateway, tripayCallbackSignature, tripayCreateSignature, tripayModule } from "../../../src/payments/gateways/tripay.js";
import { parseQris, toDynamicQris } from "../../../src/payments/qris.js";
import { FakeTripayServer, fakeTripayStaticQris, tripayEnv, type FakeTripayNotificationVariant } from "../../fakes/tripay-server.js";

const shared: GatewayShared = { logger: silentLogger, timeoutMs: 300, retryDelaysMs: [5, 5] };
/** Tripay's standard QRIS fee (the fake's): Rp 750 + 0.7 %, rounded up. */
const feeFor = (amount: number) => 750 + Math.ceil((amount * 7) / 1_000);
/** A valid QRIS (the fake's sticker) asking for `amount`. */
const qrFor = (amount: number) => toDynamicQris(fakeTripayStaticQris, amount);
/** The same QR text with its last CRC digit changed. */
const brokenCrc = (qr: string) => `${qr.slice(0, -1)}${qr.endsWith("0") ? "1" : "0"}`;

let fake: FakeTripayServer;
let tripay: QrisGateway;

function build(env: Record<string, string> = tripayEnv(fake), sharedOptions: GatewayShared = shared): QrisGateway {
  const read = tripayModule.read(env);
  expect(read.problems).toEqual([]);
  return read.create!(sharedOptions);
}

function charge(paymentId = "ORD-1001", amount = 25_000, overrides: Partial<ChargeRequest> = {}): ChargeRequest {
  return { paymentId, amount, expiresAt: fake.now() + 15 * 60_000, itemName: "Mobile Legends 86 Diamonds", ...overrides };
}

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

beforeEach(async () => {
  fake = await FakeTripayServer.start();
  tripay = build();
});

afterEach(async () => {
  await fake.close();
});

describe("Tripay signatures", () => {
  it("computes the create signature of Tripay's published vector", () => {
    expect(tripayCreateSignature("ytf6ooi2gmlNPfpchd94jDOk8hRWOu", "T0001", "INV55567", 1_500_000)).toBe(
      "9f167eba844d1fcb369404e2bda53702e2f78f7aa12e91da6715414e65b8c86a",
    );
  });

  it("signs callbacks over the raw bytes, so re-serialising the same JSON changes the signature", () => {
    const pretty = JSON.stringify({ reference: "T1", status: "PAID" }, null, 4);
    const compact = JSON.stringify(JSON.parse(pretty));
    expect(tripayCallbackSignature("k", pretty)).toMatch(/^[0-9a-f]{64}$/);
    expect(tripayCallbackSignature("k", pretty)).not.toBe(tripayCallbackSignature("k", compact));
  });
});

describe("TripayGateway.create", () => {
  it("sends one documented, signed create and returns the QR, total, fee and Tripay's expiry", async () => {
    const request = charge();
    const result = await tripay.create(request);

    const calls = fake.callsTo("POST /transaction/create");
    expect(calls).toHaveLength(1);
    expect(calls[0]!.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    expect(calls[0]!.body).toEqual({
      method: "QRIS",
      merchant_ref: "ORD-1001",
      amount: 25_000,
      customer_name: expect.any(String),
      customer_email: expect.stringContaining("@"),
      order_items: [{ sku: "ORD-1001", name: "Mobile Legends 86 Diamonds", price: 25_000, quantity: 1 }],
      expired_time: Math.floor(request.expiresAt / 1000),
      signature: tripayCreateSignature(fake.privateKey, fake.merchantCode, "ORD-1001", 25_000),
    });

    const transaction = fake.find("ORD-1001")!;
    expect(result).toEqual({
      transactionId: transaction.reference,
      qrString: transaction.qrString,
      total: 25_000,
      fee: feeFor(25_000),
      feeOnPayer: false,
      expiresAt: Math.floor(request.expiresAt / 1000) * 1000,
    });
    expect(parseQris(result.qrString).amount).toBe(25_000);
  });

  it("adds the payer's fee to the total when the merchant charges it to the customer", async () => {
    fake.feeOn = "customer";
    const result = await tripay.create(charge("TOP-7", 50_000));
    expect(result.total).toBe(50_000 + feeFor(50_000));
    expect(result.fee).toBe(feeFor(50_000));
    expect(result.feeOnPayer).toBe(true);
    expect(parseQris(result.qrString).amount).toBe(result.total);
  });

  it("reads an answer whose amount already includes the payer's fee to the same total", async () => {
    fake.feeOn = "customer";
    const fee = feeFor(50_000);
    fake.enqueue("POST /transaction/create", { kind: "patch", patch: (data) => ({ ...data, amount: 50_000 + fee }) });
    const result = await tripay.create(charge("TOP-8", 50_000));
    expect(result.total).toBe(50_000 + fee);
  });

  it("sends the channel from TRIPAY_METHOD", async () => {
    const qrisc = build({ ...tripayEnv(fake), TRIPAY_METHOD: "qrisc" });
    await qrisc.create(charge());
    expect(fake.callsTo("POST /transaction/create")[0]!.body).toMatchObject({ method: "QRISC" });
  });

  it("reports Tripay's expiry when it keeps the QR longer than asked (its 10-minute minimum)", async () => {
    const now = 1_750_000_000_000;
    fake.now = () => now;
    const result = await tripay.create(charge("ORD-SHORT", 25_000, { expiresAt: now + 5 * 60_000 }));
    expect(result.expiresAt).toBe((Math.floor(now / 1000) + 600) * 1000);
  });

  it("reads decimal amounts like \"5539.00\" exactly", async () => {
    fake.enqueue("POST /transaction/create", {
      kind: "patch",
      patch: (data) => ({
        ...data,
        amount: "5539.00",
        fee_merchant: `${data.fee_merchant}.00`,
        fee_customer: "0.00",
        total_fee: `${data.total_fee}.00`,
        amount_received: `${data.amount_received}.00`,
      }),
    });
    const result = await tripay.create(charge("ORD-DEC", 5_539));
    expect(result.total).toBe(5_539);
    expect(result.fee).toBe(feeFor(5_539));
  });

  it("refuses a second charge for the same payment id", async () => {
    await tripay.create(charge("ORD-TWICE"));
    const error = await failure(tripay.create(charge("ORD-TWICE")));
    expect(error.failure).toBe("refused");
    expect(error.httpStatus).toBe(400);
    expect(fake.transactions.size).toBe(1);
  });

  it.each([
    ["5xx", "unavailable"],
    ["timeout", "unavailable"],
    ["refuse", "refused"],
  ] as const)("a create answered %s is %s and never sent again", async (kind, expected) => {
    fake.failNextCreate(kind);
    const error = await failure(tripay.create(charge()));
    expect(error.failure).toBe(expected);
    expect(fake.callsTo("POST /transaction/create")).toHaveLength(1);
  });

  it.each([
    ["an HTML 502 page", { kind: "html", status: 502 }, "unavailable"],
    ["HTTP 429", { kind: "error", status: 429, message: "Too Many Requests" }, "unavailable"],
    ["success false on HTTP 200", { kind: "json", status: 200, body: { success: false, message: "Invalid signature" } }, "refused"],
    ["HTTP 401 from a wrong key", { kind: "error", status: 401, message: "Invalid API Key" }, "refused"],
    ["a body that is not JSON", { kind: "garbage" }, "malformed"],
    ["success true without data", { kind: "json", status: 200, body: { success: true, message: "" } }, "malformed"],
  ] as const)("%s is %s", async (_name, fault, expected) => {
    fake.enqueue("POST /transaction/create", fault);
    expect((await failure(tripay.create(charge()))).failure).toBe(expected);
  });

  it("is refused with a wrong API key", async () => {
    const wrong = build({ ...tripayEnv(fake), TRIPAY_API_KEY: "DEV-wrong" });
    const error = await failure(wrong.create(charge()));
    expect([error.failure, error.httpStatus]).toEqual(["refused", 401]);
  });

  it("is refused when the create signature is made with another private key", async () => {
    const wrong = build({ ...tripayEnv(fake), TRIPAY_PRIVATE_KEY: "not-the-private-key" });
    expect((await failure(wrong.create(charge()))).failure).toBe("refused");
    expect(fake.transactions.size).toBe(0);
  });

  it.each<[string, (data: Record<string, unknown>) => Record<string, unknown>]>([
    ["an empty qr_string", (data) => ({ ...data, qr_string: "" })],
    ["a qr_string that is not QRIS", (data) => ({ ...data, qr_string: "https://tripay.co.id/qr/T1" })],
    ["a QRIS with a broken CRC", (data) => ({ ...data, qr_string: brokenCrc(String(data.qr_string)) })],
    ["a QR asking for another amount", (data) => ({ ...data, qr_string: qrFor(Number(data.amount) + 1) })],
    ["no qr_string", ({ qr_string: _dropped, ...data }) => data],
    ["an amount with cents", (data) => ({ ...data, amount: "25000.50" })],
    ["a fee that is not a number", (data) => ({ ...data, fee_merchant: "gratis" })],
    ["a negative fee", (data) => ({ ...data, fee_customer: -5 })],
    ["another merchant_ref", (data) => ({ ...data, merchant_ref: "ORD-9999" })],
    ["an amount other than asked", (data) => ({ ...data, amount: 24_000, qr_string: qrFor(24_000) })],
    ["amounts that do not add up", (data) => ({ ...data, amount_received: Number(data.amount_received) + 1 })],
    ["a status other than UNPAID", (data) => ({ ...data, status: "PAID" })],
    ["an unknown status", (data) => ({ ...data, status: "PENDING" })],
    ["no reference", (data) => ({ ...data, reference: "" })],
  ])("an answer with %s is malformed", async (_name, patch) => {
    fake.enqueue("POST /transaction/create", { kind: "patch", patch });
    expect((await failure(tripay.create(charge()))).failure).toBe("malformed");
  });
});


describe("TripayGateway.status", () => {
  async function created(paymentId = "ORD-2001", amount = 25_000) {
    const result = await tripay.create(charge(paymentId, amount));
    return { paymentId, transactionId: result.transactionId, total: result.total };
  }

  it("maps a new charge to pending, with our payment id, the reference, the total and IDR", async () => {
    const ref = await created();
    expect(await tripay.status(ref)).toEqual({
      state: "pending",
      paymentId: "ORD-2001",
      transactionId: ref.transactionId,
      amount: 25_000,
      currency: "IDR",
    });
    const call = fake.callsTo("GET /transaction/detail")[0]!;
    expect(call.query).toEqual({ reference: ref.transactionId });
    expect(call.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
  });

  it("maps PAID to paid, with paid_at (a digit string in the detail answer) in ms", async () => {
    const ref = await created();
    const paid = fake.pay("ORD-2001");
    expect(await tripay.status(ref)).toMatchObject({ state: "paid", amount: 25_000, paidAt: paid.paidAt! * 1000 });
  });

  it.each([
    ["EXPIRED", "expired"],
    ["FAILED", "failed"],
    ["REFUND", "refunded"],
  ] as const)("maps %s to %s", async (status, state) => {
    const ref = await created();
    fake.setStatus("ORD-2001", status);
    expect((await tripay.status(ref)).state).toBe(state);
  });

  it("reads an unpaid charge past its expiry as expired (Tripay expires it by itself)", async () => {
    const ref = await created();
    const expiredTime = fake.find("ORD-2001")!.expiredTime;
    fake.now = () => expiredTime * 1000 + 1;
    expect((await tripay.status(ref)).state).toBe("expired");
  });

  it("states what the payer pays when the payer pays the fee", async () => {
    fake.feeOn = "customer";
    const ref = await created("TOP-2002", 40_000);
    fake.pay("TOP-2002");
    expect((await tripay.status(ref)).amount).toBe(40_000 + feeFor(40_000));
  });

  it("reads decimal texts exactly and refuses cents as malformed", async () => {
    const ref = await created("ORD-2003", 5_539);
    fake.enqueue("GET /transaction/detail", { kind: "patch", patch: (data) => ({ ...data, amount: "5539.00" }) });
    expect((await tripay.status(ref)).amount).toBe(5_539);
    fake.enqueue("GET /transaction/detail", { kind: "patch", patch: (data) => ({ ...data, amount: "5539.01" }) });
    expect((await failure(tripay.status(ref))).failure).toBe("malformed");
  });

  it("retries a 5xx (a safe call) and answers once Tripay is back", async () => {
    const ref = await created();
    fake.failNextStatus("5xx");
    expect((await tripay.status(ref)).state).toBe("pending");
    expect(fake.callsTo("GET /transaction/detail")).toHaveLength(2);
  });

  it("is unavailable when every try fails (5xx or timeout)", async () => {
    const ref = await created();
    fake.failNextStatus("5xx", 3);
    expect((await failure(tripay.status(ref))).failure).toBe("unavailable");
    expect(fake.callsTo("GET /transaction/detail")).toHaveLength(3);
    fake.failNextStatus("timeout", 3);
    expect((await failure(tripay.status(ref))).failure).toBe("unavailable");
  });

  it("is refused for a reference Tripay does not know", async () => {
    const error = await failure(tripay.status({ paymentId: "ORD-X", transactionId: "DEV-T12345NOPE", total: 1_000 }));
    expect([error.failure, error.httpStatus]).toEqual(["refused", 404]);
  });

  it.each<[string, (data: Record<string, unknown>) => Record<string, unknown>]>([
    ["another reference", (data) => ({ ...data, reference: "DEV-T12345OTHER" })],
    ["an unknown status", (data) => ({ ...data, status: "SETTLED" })],
    ["no merchant_ref", (data) => ({ ...data, merchant_ref: null })],
    ["a paid_at that is not a time", (data) => ({ ...data, paid_at: "yesterday" })],
    ["amounts that do not add up", (data) => ({ ...data, amount_received: 1 })],
  ])("an answer with %s is malformed", async (_name, patch) => {
    const ref = await created();
    fake.enqueue("GET /transaction/detail", { kind: "patch", patch });
    expect((await failure(tripay.status(ref))).failure).toBe("malformed");
  });
});

describe("TripayGateway.cancel", () => {
  it("is unsupported (the closed-payment API has no cancel) and calls nothing", async () => {
    const result = await tripay.create(charge());
    const before = fake.calls.length;
    expect(await tripay.cancel({ paymentId: "ORD-1001", transactionId: result.transactionId, total: result.total })).toBe("unsupported");
    expect(fake.calls.length).toBe(before);
  });
});

describe("TripayGateway.readNotification", () => {
  let receiver: Server;
  let receiverUrl: string;
  let checks: NotificationCheck[];

  beforeEach(async () => {
    checks = [];
    // The shop's route in miniature: raw body and lower-cased headers in, the check out.
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(",") : value]));
        const check = tripay.readNotification({ headers, rawBody: Buffer.concat(chunks).toString("utf8"), path: req.url ?? "/" });
        checks.push(check);
        const answer = check.kind === "rejected" ? { status: 401, body: { success: false } } : tripay.acknowledgement;
        res.writeHead(answer.status, { "Content-Type": "application/json" });
        res.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/payments/tripay`;
  });

  afterEach(async () => {
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  async function paidCharge(paymentId = "ORD-3001") {
    const result = await tripay.create(charge(paymentId));
    fake.pay(paymentId);
    return result;
  }

  async function send(orderId: string, variant: FakeTripayNotificationVariant = "ok"): Promise<NotificationCheck> {
    await fake.sendNotification(receiverUrl, orderId, variant);
    expect(checks).toHaveLength(fake.notifications.length);
    return checks.at(-1)!;
  }

  it("turns a signed payment callback into a hint and answers Tripay {\"success\": true}", async () => {
    const result = await paidCharge();
    expect(await send("ORD-3001")).toEqual({ kind: "hint", paymentId: "ORD-3001", transactionId: result.transactionId, amount: 25_000 });
    const sent = fake.notifications[0]!;
    expect([sent.status, JSON.parse(sent.responseText)]).toEqual([200, { success: true }]);
    expect(tripay.acknowledgement).toEqual({ status: 200, body: { success: true } });
  });

  it("claims the payer's total when the payer pays the fee", async () => {
    fake.feeOn = "customer";
    await paidCharge("TOP-3002");
    expect(await send("TOP-3002")).toMatchObject({ kind: "hint", amount: 25_000 + feeFor(25_000) });
  });

  it("gives a hint without an amount for EXPIRED, FAILED and REFUND (the status call decides)", async () => {
    const result = await tripay.create(charge("ORD-3003"));
    fake.expire("ORD-3003");
    expect(await send("ORD-3003")).toEqual({ kind: "hint", paymentId: "ORD-3003", transactionId: result.transactionId });
    fake.setStatus("ORD-3003", "FAILED");
    expect((await send("ORD-3003")).kind).toBe("hint");
    fake.setStatus("ORD-3003", "REFUND");
    expect((await send("ORD-3003")).kind).toBe("hint");
  });

  it.each<[FakeTripayNotificationVariant, NotificationCheck["kind"], string | undefined]>([
    ["wrong_signature", "rejected", "bad_signature"],
    ["unsigned", "rejected", "unsigned"],
    ["tampered", "rejected", "bad_signature"],
    ["malformed", "rejected", "malformed"],
    ["other_event", "ignored", undefined],
  ])("a %s callback is %s", async (variant, kind, reason) => {
    await paidCharge();
    const check = await send("ORD-3001", variant);
    expect(check.kind).toBe(kind);
    if (reason) expect(check).toEqual({ kind, reason });
    expect(fake.notifications[0]!.status).toBe(kind === "rejected" ? 401 : 200);
  });

  it("passes on a signed wrong amount or other order as claimed (status and our record check them)", async () => {
    await paidCharge();
    expect(await send("ORD-3001", "wrong_amount")).toMatchObject({ kind: "hint", paymentId: "ORD-3001", amount: 26_000 });
    expect(await send("ORD-3001", "other_order")).toMatchObject({ kind: "hint", paymentId: "ORD-NOT-OURS" });
  });

  it("reads a replayed body like the first (pure; applying once is the payment service's job)", async () => {
    await paidCharge();
    const first = await send("ORD-3001");
    expect(await send("ORD-3001", "replay")).toEqual(first);
    expect(fake.notifications[1]!.rawBody).toBe(fake.notifications[0]!.rawBody);
  });

  describe("direct checks", () => {
    const body = {
      reference: "DEV-T1234500000001ABCDEF",
      merchant_ref: "ORD-4001",
      payment_method: "QRIS by ShopeePay",
      payment_method_code: "QRIS",
      total_amount: 25_000,
      fee_merchant: 925,
      fee_customer: 0,
      total_fee: 925,
      amount_received: 24_075,
      is_closed_payment: 1,
      status: "PAID",
      paid_at: 1_608_133_017,
      note: null,
    };
    const signed = (raw: string, headers: Record<string, string> = {}): RouteRequest => ({
      headers: { "x-callback-event": "payment_status", "x-callback-signature": tripayCallbackSignature(fake.privateKey, raw), ...headers },
      rawBody: raw,
      path: "/payments/tripay",
    });
    const read = (request: RouteRequest) => tripay.readNotification(request);

    it("verifies the raw bytes: the same JSON re-serialised under the original signature is rejected", () => {
      const raw = JSON.stringify(body, null, 4);
      expect(read(signed(raw)).kind).toBe("hint");
      const reserialised = { ...signed(raw), rawBody: JSON.stringify(JSON.parse(raw)) };
      expect(read(reserialised)).toEqual({ kind: "rejected", reason: "bad_signature" });
    });

    it("rejects signatures that are not 64 hex digits, and accepts upper-case hex", () => {
      const raw = JSON.stringify(body);
      const good = signed(raw);
      const signature = good.headers["x-callback-signature"]!;
      expect(read({ ...good, headers: { ...good.headers, "x-callback-signature": signature.toUpperCase() } }).kind).toBe("hint");
      for (const bad of [signature.slice(0, 63), `${signature}00`, "zz".repeat(32), " "]) {
        const check = read({ ...good, headers: { ...good.headers, "x-callback-signature": bad } });
        expect(check.kind).toBe("rejected");
      }
    });

    it("ignores an authentic callback without the payment_status event header", () => {
      const raw = JSON.stringify(body);
      const request = signed(raw);
      delete request.headers["x-callback-event"];
      expect(read(request).kind).toBe("ignored");
    });

    it.each<[string, NotificationCheck["kind"], Record<string, unknown>]>([
      ["total_amount with cents", "rejected", { total_amount: "25000.50" }],
      ["total_amount as an exact decimal text", "hint", { total_amount: "25000.00" }],
      ["no reference", "rejected", { reference: undefined }],
      ["an unknown status", "rejected", { status: "SETTLED" }],
      ["an UNPAID status", "ignored", { status: "UNPAID" }],
      ["an open payment", "ignored", { is_closed_payment: 0 }],
      ["no merchant_ref", "ignored", { merchant_ref: null }],
    ])("a signed body with %s is %s", (_name, kind, change) => {
      const check = read(signed(JSON.stringify({ ...body, ...change })));
      expect(check.kind).toBe(kind);
      if (kind === "rejected") expect(check).toEqual({ kind, reason: "malformed" });
      if (kind === "hint") expect(check).toMatchObject({ paymentId: "ORD-4001", amount: 25_000 });
    });

    it("rejects a signed JSON array or null as malformed", () => {
      expect(read(signed("[]"))).toEqual({ kind: "rejected", reason: "malformed" });
      expect(read(signed("null"))).toEqual({ kind: "rejected", reason: "malformed" });
    });
  });
});

describe("tripayModule environment", () => {
  const lines = (env: Record<string, string>) => tripayModule.read(env).problems.map((p) => `${p.variable}: ${p.problem}`);

  it("is listed in the gateway registry", () => {
    expect(qrisGatewayModules.map((module) => module.id)).toContain("tripay");
    expect(qrisGatewayModules.find((module) => module.id === "tripay")).toBe(tripayModule);
  });

  it("names each missing credential in one line", () => {
    const problems = tripayModule.read({}).problems;
    expect(problems.map((p) => p.variable)).toEqual(["TRIPAY_API_KEY", "TRIPAY_PRIVATE_KEY", "TRIPAY_MERCHANT_CODE"]);
    for (const problem of problems) {
      expect(problem.problem).toBe("is required when QRIS_GATEWAYS includes tripay");
      expect(problem.example).toBeTruthy();
    }
    expect(tripayModule.read({}).create).toBeNull();
    expect(lines({ ...tripayEnv(fake), TRIPAY_PRIVATE_KEY: "  " })).toEqual(["TRIPAY_PRIVATE_KEY: is required when QRIS_GATEWAYS includes tripay"]);
  });

  it.each([
    ["TRIPAY_METHOD", "BRIVA"],
    ["TRIPAY_BASE_URL", "tripay.co.id/api"],
    ["TRIPAY_MERCHANT_CODE", "T 123"],
    ["TRIPAY_API_KEY", "DEV-abc def"],
    ["TRIPAY_PRIVATE_KEY", "\"quoted-key\""],
  ])("a malformed %s is one line that does not echo the value", (variable, value) => {
    const problems = lines({ ...tripayEnv(fake), [variable]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${variable}: `));
    expect(problems[0]).not.toContain("\n");
    expect(problems[0]).not.toContain(value);
  });

  it("accepts the three QRIS channels in any case and defaults to QRIS and production", async () => {
    for (const method of ["QRIS", "qrisc", "Qris2"]) expect(lines({ ...tripayEnv(fake), TRIPAY_METHOD: method })).toEqual([]);
    const urls: string[] = [];
    const offline: typeof fetch = async (input) => {
      urls.push(String(input));
      throw new TypeError("fetch failed");
    };
    const { TRIPAY_BASE_URL: _url, TRIPAY_METHOD: _method, ...credentials } = tripayEnv(fake);
    const production = build(credentials, { ...shared, fetch: offline });
    expect((await failure(production.create(charge()))).failure).toBe("unavailable");
    expect(urls).toEqual(["https://tripay.co.id/api/transaction/create"]);
  });
});

describe("secrets", () => {
  it("keeps the API key, private key and signatures out of every error message and log line", async () => {
    const logLines: string[] = [];
    const logger = pino(
      { level: "trace" },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          logLines.push(chunk.toString());
          done();
        },
      }),
    );
    const gateway = build(tripayEnv(fake), { ...shared, logger });
    const echo = `Invalid signature ${fake.apiKey} / ${fake.privateKey}`;
    const errors: GatewayError[] = [];
    const attempt = async (promise: Promise<unknown>) => errors.push(await failure(promise));

    fake.enqueue("POST /transaction/create", { kind: "error", status: 400, message: echo });
    await attempt(gateway.create(charge("ORD-S1")));
    fake.enqueue("POST /transaction/create", { kind: "json", status: 200, body: { success: false, message: echo } });
    await attempt(gateway.create(charge("ORD-S2")));
    fake.enqueue("POST /transaction/create", { kind: "error", status: 503, message: echo });
    await attempt(gateway.create(charge("ORD-S3")));
    fake.failNextCreate("timeout");
    await attempt(gateway.create(charge("ORD-S4")));
    fake.enqueue("POST /transaction/create", { kind: "patch", patch: (data) => ({ ...data, qr_string: "x" }) });
    await attempt(gateway.create(charge("ORD-S5")));
    const made = await gateway.create(charge("ORD-S6"));
    fake.failNextStatus("5xx", 3);
    await attempt(gateway.status({ paymentId: "ORD-S6", transactionId: made.transactionId, total: made.total }));
    await attempt(build({ ...tripayEnv(fake), TRIPAY_API_KEY: "DEV-wrong-key" }, { ...shared, logger }).create(charge("ORD-S7")));

    const signatures = ["ORD-S1", "ORD-S2", "ORD-S3", "ORD-S4", "ORD-S5", "ORD-S6", "ORD-S7"].map((id) =>
      tripayCreateSignature(fake.privateKey, fake.merchantCode, id, 25_000),
    );
    const said = [...errors.map((error) => error.message), ...logLines].join("\n");
    expect(errors).toHaveLength(7);
    expect(logLines.length).toBeGreaterThan(0);
    for (const secret of [fake.apiKey, fake.privateKey, "DEV-wrong-key", ...signatures]) expect(said).not.toContain(secret);
    expect(errors[0]!.message).toContain("Invalid signature ***");
  });
});
