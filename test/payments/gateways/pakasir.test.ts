/**
 * Contract tests of the Pakasir QRIS gateway against the fake written from its document
 * (/work/shared/gateways/pakasir.md): create, status, cancel, the webhook reader, env problems, and
 * that no API key reaches an error message or a log line.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RouteRequest } from "../../../src/core/http.js";
import { silentLogger } from "../../../src/logger.js";
import { GatewayError, type ChargeRef, type ChargeRequest, type GatewayFailure } from "../../../src/payments/gateway.js";
import { qrisGatewayModules } from "../../../src/payments/gateways/registry.js";
import { PakasirGateway, pakasirModule, readPakasirTime } from "../../../src/payments/gateways/pakasir.js";
import { parseQris } from "../../../src/payments/qris.js";
import { FakePakasirServer, type FakePakasirFault, type FakePakasirNotification } from "../../fakes/pakasir-server.js";

/** The create answer exactly as the document prints it (section C.2): a real, CRC-valid QRIS for 100.003. */
const documentedCreateAnswer = {
  payment: {
    project: "depodomain",
    order_id: "INV123123",
    amount: 99000,
    fee: 1003,
    total_payment: 100003,
    payment_method: "qris",
    payment_number:
      "00020101021226610016ID.CO.SHOPEE.WWW01189360091800216005230208216005230303UME51440014ID.CO.QRIS.WWW0215ID10243228429300303UME5204792953033605409100003.005802ID5907Pakasir6012KAB. KEBUMEN61055439262230519SP25RZRATEQI2HQ65Q46304A079",
    expired_at: "2025-09-19T01:18:49.678622564Z",
  },
};

let fake: FakePakasirServer;
let pakasir: PakasirGateway;
let logLines: string[];

function gateway(overrides: Partial<ConstructorParameters<typeof PakasirGateway>[0]> = {}): PakasirGateway {
  return new PakasirGateway({
    project: fake.project,
    apiKey: fake.apiKey,
    baseUrl: fake.url,
    logger: pino({ level: "debug" }, new Writable({ write: (chunk, _encoding, done) => (logLines.push(String(chunk)), done()) })),
    timeoutMs: 300,
    retryDelaysMs: [5, 5],
    ...overrides,
  });
}

function request(paymentId = "ORD-1", amount = 99_000): ChargeRequest {
  return { paymentId, amount, expiresAt: Date.now() + 15 * 60_000, itemName: "Netflix Premium 1 Bulan" };
}

function ref(paymentId = "ORD-1", amount = 99_000): ChargeRef {
  const transaction = fake.transactions.get(paymentId);
  return { paymentId, transactionId: paymentId, total: transaction ? transaction.total : amount, amount };
}

/** Every error thrown in this file, to check none carries the key. */
const thrown: GatewayError[] = [];

async function failure(promise: Promise<unknown>, expected: GatewayFailure): Promise<GatewayError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(GatewayError);
  const gatewayError = error as GatewayError;
  thrown.push(gatewayError);
  expect(gatewayError.failure).toBe(expected);
  expect(gatewayError.gateway).toBe("pakasir");
  return gatewayError;
}

function routeRequest(rawBody: string): RouteRequest {
  return { headers: { "content-type": "application/json" }, rawBody, path: "/payments/pakasir" };
}

beforeEach(async () => {
  logLines = [];
  fake = await FakePakasirServer.start();
  pakasir = gateway();
});

afterEach(async () => {
  // No secret in any log line or error message of the test that just ran.
  for (const line of logLines) expect(line).not.toContain(fake.apiKey);
  for (const error of thrown.splice(0)) {
    expect(error.message).not.toContain(fake.apiKey);
    expect(error.stack ?? "").not.toContain(fake.apiKey);
  }
  await fake.stop();
});

describe("reading Pakasir values", () => {

  it("reads the document's times, nanoseconds and offsets included, and refuses zoneless ones", () => {
    expect(readPakasirTime("2025-09-19T01:18:49.678622564Z")).toBe(Date.UTC(2025, 8, 19, 1, 18, 49, 678));
    expect(readPakasirTime("2024-09-10T08:07:02.819+07:00")).toBe(Date.UTC(2024, 8, 10, 1, 7, 2, 819));
    expect(readPakasirTime("2024-09-10 08:07:02")).toBeUndefined();
    expect(readPakasirTime("2024-09-10T08:07:02")).toBeUndefined();
    expect(readPakasirTime("yesterday")).toBeUndefined();
  });
});

describe("create", () => {
  it("accepts the document's own answer: its QRIS, total_payment as total, the fee on the payer", async () => {
    fake.failNext("create", { kind: "json", body: documentedCreateAnswer });
    const documented = gateway({ project: "depodomain" });
    const charge = await documented.create(request("INV123123", 99_000));
    expect(charge).toEqual({
      transactionId: "INV123123",
      qrString: documentedCreateAnswer.payment.payment_number,
      total: 100_003,
      fee: 1_003,
      feeOnPayer: true,
      expiresAt: Date.UTC(2025, 8, 19, 1, 18, 49, 678),
    });
  });

  it("sends the documented body once and returns the QR text, total and fee", async () => {
    const charge = await pakasir.create(request("ORD-1", 99_000));
    expect(charge.transactionId).toBe("ORD-1");
    expect(charge.fee).toBe(1_003);
    expect(charge.total).toBe(100_003);
    expect(charge.feeOnPayer).toBe(true);
    expect(parseQris(charge.qrString).amount).toBe(100_003);
    expect(charge.expiresAt).toBe(Date.parse(fake.transactions.get("ORD-1")!.expiredAt));
    const calls = fake.callsTo("create");
    expect(calls).toHaveLength(1);
    expect(calls[0]!.apiKeyOk).toBe(true);
    expect(calls[0]!.params).toEqual({ project: fake.project, order_id: "ORD-1", amount: 99_000, api_key: "***" });
  });

  it("reads amounts written with zero cents exactly", async () => {
    fake.amountsAsText = true;
    const charge = await pakasir.create(request("TOP-7", 25_000));
    expect(charge.total).toBe(25_000 + fake.transactions.get("TOP-7")!.fee);
  });

  it("a second create with the same payment id is refused", async () => {
    await pakasir.create(request("ORD-1"));
    await failure(pakasir.create(request("ORD-1")), "refused");
    expect(fake.transactions.size).toBe(1);
  });

  it.each<[string, GatewayFailure, FakePakasirFault]>([
    ["a 5xx", "unavailable", { kind: "status", status: 500 }],
    ["a proxy's HTML 502", "unavailable", { kind: "html", status: 502 }],
    ["a 429", "unavailable", { kind: "status", status: 429 }],
    ["no answer in time", "unavailable", { kind: "timeout" }],
    ["a 4xx", "refused", { kind: "status", status: 400, body: { error: "invalid amount" } }],
    ["a 200 that says no", "refused", { kind: "json", body: { success: false, error: "project not active" } }],
    ["a body that is not JSON", "malformed", { kind: "malformed" }],
    ["JSON of another shape", "malformed", { kind: "json", body: { data: { qr: "000201" } } }],
  ])("%s is %s, and create is never sent twice", async (_name, expected, fault) => {
    fake.failNext("create", fault);
    await failure(pakasir.create(request()), expected);
    expect(fake.callsTo("create")).toHaveLength(1);
  });

  /** The documented answer for ORD-1 at 99.000 with one field replaced. */
  function answerWith(payment: Record<string, unknown>) {
    return { payment: { ...documentedCreateAnswer.payment, project: fake.project, order_id: "ORD-1", ...payment } };
  }

  it.each<[string, Record<string, unknown>]>([
    ["an empty QR", { payment_number: "" }],
    ["a QR that is not QRIS", { payment_number: "https://app.pakasir.com/pay/ORD-1" }],
    ["a QR with a broken CRC", { payment_number: documentedCreateAnswer.payment.payment_number.replace(/A079$/, "A078") }],
    ["a QR charging another amount", { total_payment: 100_004, fee: 1_004 }],
    ["non-zero cents", { amount: "99000.50" }],
    ["a fractional fee", { fee: 1003.5 }],
    ["a negative fee", { fee: -1003, total_payment: 97_997 }],
    ["a total that is not amount + fee", { total_payment: 100_000 }],
    ["an amount as words", { amount: "sembilan puluh sembilan ribu" }],
    ["another order id", { order_id: "ORD-2" }],
    ["another amount", { amount: 98_000, total_payment: 99_003 }],
    ["another project", { project: "someone-else" }],
    ["another payment method", { payment_method: "bni_va" }],
    ["an expiry that is not a time", { expired_at: "besok" }],
  ])("an answer with %s is malformed", async (_name, payment) => {
    fake.failNext("create", { kind: "json", body: answerWith(payment) });
    await failure(pakasir.create(request("ORD-1", 99_000)), "malformed");
  });

  it("an answer without an expiry takes ours", async () => {
    fake.failNext("create", { kind: "json", body: answerWith({ expired_at: undefined }) });
    const asked = request("ORD-1", 99_000);
    expect((await pakasir.create(asked)).expiresAt).toBe(asked.expiresAt);
  });

  it("an answer with decimals read exactly is accepted", async () => {
    fake.failNext("create", { kind: "json", body: answerWith({ amount: "99000.00", fee: "1003.00", total_payment: "100003.00" }) });
    const charge = await pakasir.create(request("ORD-1", 99_000));
    expect([charge.total, charge.fee]).toEqual([100_003, 1_003]);
  });

  it("a wrong API key is refused", async () => {
    await failure(gateway({ apiKey: "not-the-key" }).create(request()), "refused");
    expect(fake.calls[0]!.apiKeyOk).toBe(false);
  });
});

describe("status", () => {
  beforeEach(async () => {
    await pakasir.create(request("ORD-1", 99_000));
  });

  it("asks by order id and the amount asked (not the total), key in the query", async () => {
    await pakasir.status(ref());
    const [call] = fake.callsTo("detail");
    expect(call!.params).toEqual({ project: fake.project, amount: "99000", order_id: "ORD-1", api_key: "***" });
    expect(call!.apiKeyOk).toBe(true);
    // The request was logged (at debug), with the key masked.
    expect(logLines.some((line) => line.includes("transactiondetail") && line.includes("api_key=***"))).toBe(true);
  });

  it("pending: the gross amount (amount + the payer's fee), IDR, no paidAt", async () => {
    expect(await pakasir.status(ref())).toEqual({
      state: "pending",
      paymentId: "ORD-1",
      transactionId: "ORD-1",
      amount: 100_003,
      currency: "IDR",
    });
  });

  it("completed is paid, with the time Pakasir states", async () => {
    const paid = fake.pay("ORD-1");
    const status = await pakasir.status(ref());
    expect(status.state).toBe("paid");
    expect(status.amount).toBe(100_003);
    expect(status.paidAt).toBe(Date.parse(paid.completedAt!));
  });

  it.each([
    ["expired", "expired"],
    ["canceled", "cancelled"],
    ["failed", "failed"],
    ["refunded", "refunded"],
  ] as const)("%s is %s", async (pakasirStatus, state) => {
    fake.setStatus("ORD-1", pakasirStatus);
    expect((await pakasir.status(ref())).state).toBe(state);
  });

  it("the British spelling 'cancelled' is cancelled too", async () => {
    fake.failNext("detail", {
      kind: "json",
      body: { transaction: { amount: 99_000, order_id: "ORD-1", project: fake.project, status: "cancelled", payment_method: "qris", completed_at: null } },
    });
    expect((await pakasir.status(ref())).state).toBe("cancelled");
  });

  it("reads amounts with zero cents exactly", async () => {
    fake.amountsAsText = true;
    fake.pay("ORD-1");
    expect((await pakasir.status(ref())).amount).toBe(100_003);
  });

  it("a charge recorded without its amount is asked by its total, which finds it only without a fee", async () => {
    await failure(pakasir.status({ paymentId: "ORD-1", transactionId: "ORD-1", total: 100_003 }), "refused");
    const freeFake = await FakePakasirServer.start({ fee: () => 0 });
    try {
      const free = new PakasirGateway({ project: freeFake.project, apiKey: freeFake.apiKey, baseUrl: freeFake.url, logger: silentLogger });
      await free.create(request("ORD-9", 50_000));
      expect((await free.status({ paymentId: "ORD-9", transactionId: "ORD-9", total: 50_000 })).amount).toBe(50_000);
    } finally {
      await freeFake.stop();
    }
  });

  it.each<[string, unknown]>([
    ["an unknown status", { transaction: { amount: 99_000, order_id: "ORD-1", project: "warungtest", status: "settled", completed_at: null } }],
    ["non-zero cents", { transaction: { amount: "99000.10", order_id: "ORD-1", project: "warungtest", status: "completed" } }],
    ["a broken completed_at", { transaction: { amount: 99_000, order_id: "ORD-1", project: "warungtest", status: "completed", completed_at: "kemarin" } }],
    ["no transaction", { payment: {} }],
    ["another project", { transaction: { amount: 99_000, order_id: "ORD-1", project: "other", status: "completed" } }],
  ])("an answer with %s is malformed", async (_name, body) => {
    fake.failNext("detail", { kind: "json", body });
    await failure(pakasir.status(ref()), "malformed");
  });

  it("an unknown transaction (wrong amount) is refused", async () => {
    await failure(pakasir.status(ref("ORD-1", 98_000)), "refused");
  });

  it("a passing 5xx is retried; a lasting one is unavailable", async () => {
    fake.failNext("detail", { kind: "status", status: 502 });
    expect((await pakasir.status(ref())).state).toBe("pending");
    expect(fake.callsTo("detail")).toHaveLength(2);
    fake.failNext("detail", { kind: "status", status: 503 }, { kind: "html", status: 502 }, { kind: "status", status: 500 });
    await failure(pakasir.status(ref()), "unavailable");
    expect(fake.callsTo("detail")).toHaveLength(5);
  });

  it("no answer in time is unavailable", async () => {
    fake.failNext("detail", { kind: "timeout" }, { kind: "timeout" }, { kind: "timeout" });
    await failure(pakasir.status(ref()), "unavailable");
  });
});

describe("cancel", () => {
  beforeEach(async () => {
    await pakasir.create(request("ORD-X", 40_000));
  });

  it("cancels a pending charge with the documented body", async () => {
    expect(await pakasir.cancel(ref("ORD-X", 40_000))).toBe("cancelled");
    expect(fake.transactions.get("ORD-X")!.status).toBe("canceled");
    const [call] = fake.callsTo("cancel", "ORD-X");
    expect(call!.params).toEqual({ project: fake.project, order_id: "ORD-X", amount: 40_000, api_key: "***" });
  });

  it("a charge paid meanwhile is final", async () => {
    fake.pay("ORD-X");
    expect(await pakasir.cancel(ref("ORD-X", 40_000))).toBe("final");
    expect(fake.transactions.get("ORD-X")!.status).toBe("completed");
  });

  it("an expired charge is final", async () => {
    fake.expire("ORD-X");
    expect(await pakasir.cancel(ref("ORD-X", 40_000))).toBe("final");
  });

  it("cancelling twice is still cancelled (the refusal is settled by the status call)", async () => {
    expect(await pakasir.cancel(ref("ORD-X", 40_000))).toBe("cancelled");
    expect(await pakasir.cancel(ref("ORD-X", 40_000))).toBe("cancelled");
    expect(fake.callsTo("detail", "ORD-X")).toHaveLength(1);
  });

  it("a refusal while still pending stays a refusal", async () => {
    fake.failNext("cancel", { kind: "status", status: 400, body: { error: "cannot cancel now" } });
    await failure(pakasir.cancel(ref("ORD-X", 40_000)), "refused");
    expect(fake.transactions.get("ORD-X")!.status).toBe("pending");
  });

  it("an unreadable 200 is settled by the status call", async () => {
    fake.failNext("cancel", { kind: "malformed" });
    await failure(pakasir.cancel(ref("ORD-X", 40_000)), "malformed");
    fake.failNext("cancel", { kind: "malformed" });
    fake.pay("ORD-X");
    expect(await pakasir.cancel(ref("ORD-X", 40_000))).toBe("final");
  });

  it("a lasting 5xx is unavailable", async () => {
    fake.failNext("cancel", { kind: "status", status: 500 }, { kind: "status", status: 500 }, { kind: "status", status: 500 });
    await failure(pakasir.cancel(ref("ORD-X", 40_000)), "unavailable");
  });
});

describe("readNotification", () => {
  beforeEach(async () => {
    await pakasir.create(request("ORD-5", 22_000));
  });

  const read = (variant: FakePakasirNotification = "valid") => pakasir.readNotification(routeRequest(fake.notificationBody("ORD-5", variant)));

  it("reads the document's webhook body: a hint naming the order and Pakasir's amount", () => {
    const documented = new PakasirGateway({ project: "depodomain", apiKey: "k", baseUrl: fake.url });
    const body = '{"amount":22000,"order_id":"240910HDE7C9","project":"depodomain","status":"completed","payment_method":"qris","completed_at":"2024-09-10T08:07:02.819+07:00"}';
    expect(documented.readNotification(routeRequest(body))).toEqual({ kind: "hint", paymentId: "240910HDE7C9", transactionId: "240910HDE7C9", askedAmount: 22_000, claims: "paid" });
  });

  it("a completed QRIS payment of our project is a hint, never more", () => {
    expect(read("valid")).toEqual({ kind: "hint", paymentId: "ORD-5", transactionId: "ORD-5", askedAmount: 22_000, claims: "paid" });
  });

  it("a forged webhook for an unpaid order reads the same (Pakasir signs nothing): the status call says pending", async () => {
    expect(read("valid").kind).toBe("hint");
    expect((await pakasir.status(ref("ORD-5", 22_000))).state).toBe("pending");
  });

  it.each<[FakePakasirNotification, unknown]>([
    ["wrong_project", { kind: "rejected", reason: "wrong_merchant" }],
    ["malformed", { kind: "rejected", reason: "malformed" }],
    ["missing_fields", { kind: "rejected", reason: "malformed" }],
    ["pending", { kind: "ignored", reason: expect.any(String) }],
    ["not_qris", { kind: "ignored", reason: expect.any(String) }],
    ["wrong_amount", { kind: "hint", paymentId: "ORD-5", transactionId: "ORD-5", askedAmount: 23_000, claims: "paid" }],
    ["other_order", { kind: "hint", paymentId: "ORD-5-OTHER", transactionId: "ORD-5-OTHER", askedAmount: 22_000, claims: "paid" }],
  ])("%s → %j (amount and order are checked later against status and our record)", (variant, expected) => {
    expect(read(variant)).toEqual(expected);
  });

  it.each([
    ["an empty body", ""],
    ["a JSON array", "[]"],
    ["an amount with cents", '{"amount":"22000.50","order_id":"ORD-5","project":"warungtest","status":"completed"}'],
    ["a numeric order id", '{"amount":22000,"order_id":5,"project":"warungtest","status":"completed"}'],
  ])("%s is malformed", (_name, body) => {
    expect(pakasir.readNotification(routeRequest(body))).toEqual({ kind: "rejected", reason: "malformed" });
  });

  it("amounts written with zero cents are read exactly", () => {
    fake.amountsAsText = true;
    expect(read("valid")).toMatchObject({ kind: "hint", askedAmount: 22_000 });
  });

  describe("over HTTP, as Pakasir posts it", () => {
    let receiver: Server;
    let received: RouteRequest[];
    let receiverUrl: string;

    beforeEach(async () => {
      received = [];
      receiver = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (chunk: Buffer) => chunks.push(chunk));
        req.on("end", () => {
          const routeReq: RouteRequest = {
            headers: Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(", ") : value])),
            rawBody: Buffer.concat(chunks).toString("utf8"),
            path: req.url ?? "/",
          };
          received.push(routeReq);
          pakasir.readNotification(routeReq);
          res.writeHead(pakasir.acknowledgement.status, { "content-type": "application/json" });
          res.end(JSON.stringify(pakasir.acknowledgement.body));
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
      receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/payments/pakasir`;
    });

    afterEach(async () => {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    });

    it("the sandbox payment simulation posts a webhook that reads as a hint, and status confirms it", async () => {
      fake.webhookUrl = receiverUrl;
      expect(await fake.simulatePayment("ORD-5")).toBe(200);
      expect(fake.callsTo("simulation", "ORD-5")).toHaveLength(1);
      expect(received).toHaveLength(1);
      expect(pakasir.readNotification(received[0]!)).toEqual({ kind: "hint", paymentId: "ORD-5", transactionId: "ORD-5", askedAmount: 22_000, claims: "paid" });
      expect((await pakasir.status(ref("ORD-5", 22_000))).state).toBe("paid");
      expect(fake.notifications[0]!.status).toBe(200);
    });

    it("a replayed old body reads as the same hint: only the status call and the once-only ledger stop it", async () => {
      fake.pay("ORD-5");
      await fake.sendNotification(receiverUrl, "ORD-5");
      await fake.sendNotification(receiverUrl, "ORD-5", "replay");
      expect(received[1]!.rawBody).toBe(received[0]!.rawBody);
      expect(pakasir.readNotification(received[1]!)).toEqual(pakasir.readNotification(received[0]!));
    });

    it("simulation outside sandbox mode is refused and posts nothing", async () => {
      fake.webhookUrl = receiverUrl;
      fake.sandbox = false;
      expect(await fake.simulatePayment("ORD-5")).toBe(403);
      expect(received).toHaveLength(0);
    });
  });

  it("the acknowledgement is a 200", () => {
    expect(pakasir.acknowledgement.status).toBe(200);
  });
});

describe("the module", () => {
  const read = (env: Record<string, string | undefined>) => pakasirModule.read(env);

  it("is registered", () => {
    expect(qrisGatewayModules.map((module) => module.id)).toContain("pakasir");
  });

  it("a missing credential is one problem naming its variable", () => {
    const { problems, create } = read({ PAKASIR_PROJECT: "depodomain" });
    expect(create).toBeNull();
    expect(problems).toEqual([
      { variable: "PAKASIR_API_KEY", problem: "is required when QRIS_GATEWAYS includes pakasir", example: "your-project-api-key" },
    ]);
    expect(read({}).problems.map((problem) => problem.variable)).toEqual(["PAKASIR_PROJECT", "PAKASIR_API_KEY"]);
    expect(read({ PAKASIR_PROJECT: " ", PAKASIR_API_KEY: "" }).problems).toHaveLength(2);
  });

  it.each([
    ["PAKASIR_PROJECT", { PAKASIR_PROJECT: "my shop", PAKASIR_API_KEY: "k" }],
    ["PAKASIR_API_KEY", { PAKASIR_PROJECT: "depodomain", PAKASIR_API_KEY: "two words" }],
    ["PAKASIR_BASE_URL", { PAKASIR_PROJECT: "depodomain", PAKASIR_API_KEY: "k", PAKASIR_BASE_URL: "app.pakasir.com" }],
    ["PAKASIR_BASE_URL", { PAKASIR_PROJECT: "depodomain", PAKASIR_API_KEY: "k", PAKASIR_BASE_URL: "ftp://app.pakasir.com" }],
  ])("a malformed %s is one problem naming it, without its value", (variable, env) => {
    const { problems, create } = read(env);
    expect(create).toBeNull();
    expect(problems).toHaveLength(1);
    expect(problems[0]!.variable).toBe(variable);
    if (variable === "PAKASIR_API_KEY") expect(JSON.stringify(problems)).not.toContain("two words");
  });

  it("builds a gateway that talks to the configured base URL (https://app.pakasir.com by default)", async () => {
    const { problems, create } = read({ PAKASIR_PROJECT: fake.project, PAKASIR_API_KEY: fake.apiKey, PAKASIR_BASE_URL: fake.url });
    expect(problems).toEqual([]);
    const built = create!({ logger: silentLogger, timeoutMs: 500, retryDelaysMs: [5] });
    expect(built.id).toBe("pakasir");
    expect((await built.create(request("TOP-1", 10_000))).transactionId).toBe("TOP-1");

    let asked = "";
    const defaults = read({ PAKASIR_PROJECT: "depodomain", PAKASIR_API_KEY: "k" }).create!({
      logger: silentLogger,
      timeoutMs: 500,
      fetch: (async (input: string | URL | Request) => {
        asked = String(input);
        return new Response("{}", { status: 503 });
      }) as typeof fetch,
    });
    await failure(defaults.create(request()), "unavailable");
    expect(asked).toBe("https://app.pakasir.com/api/transactioncreate/qris");
  });
});
