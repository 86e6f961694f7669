import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RouteRequest } from "../../../src/core/http.js";
import { silentLogger } from "../../../src/logger.js";
import { GatewayError, type ChargeRequest, type GatewayFailure } from "../../../src/payments/gateway.js";
import {
  MidtransGateway,
  formatMidtransOrderTime,
  midtransModule,
  midtransSignature,
  parseMidtransTime,
  type MidtransAcquirer,
} from "../../../src/payments/gateways/midtrans.js";
import { qrisGatewayModules } from "../../../src/payments/gateways/registry.js";
import { buildQris, parseQris } from "../../../src/payments/qris.js";
import { FakeMidtransServer, fakeMidtransSignature, midtransTimeText } from "../../fakes/midtrans-server.js";

// The vector in /work/shared/gateways/midtrans.md (inputs from the Midtrans docs, output computed).
const docKey = "askvnoibnosifnboseofinbofinfgbiufglnbfg";
const docSignature =
  "edc076b21793ebe3e17926350f5b8ae67d902fe657b3d0aa31b932d5c127e2375d308a2bc94f3265ac2d80a1f181a79b997ac178a236fcff35af263fc4d4c231";

let fake: FakeMidtransServer;
let gateway: MidtransGateway;
let sequence = 0;
/** Every GatewayError message seen in this file, checked for secrets at the end. */
const messages: string[] = [];

function midtrans(options: { serverKey?: string; acquirer?: MidtransAcquirer; logger?: pino.Logger } = {}): MidtransGateway {
  return new MidtransGateway({
    serverKey: options.serverKey ?? fake.serverKey,
    baseUrl: fake.url,
    acquirer: options.acquirer ?? "gopay",
    logger: options.logger ?? silentLogger,
    timeoutMs: 1_000,
    retryDelaysMs: [5, 5, 5],
  });
}

function paymentId(prefix = "ORD"): string {
  sequence += 1;
  return `${prefix}-MT${String(sequence).padStart(8, "0")}`;
}

function request(overrides: Partial<ChargeRequest> = {}): ChargeRequest {
  return { paymentId: paymentId(), amount: 18_537, expiresAt: Date.now() + 15 * 60_000, itemName: "Mobile Legends 86 Diamonds", ...overrides };
}

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(GatewayError);
  messages.push((error as GatewayError).message);
  return error as GatewayError;
}

async function expectFailure(promise: Promise<unknown>, kind: GatewayFailure, httpStatus?: number): Promise<GatewayError> {
  const error = await failure(promise);
  expect(error.failure).toBe(kind);
  expect(error.gateway).toBe("midtrans");
  if (httpStatus !== undefined) expect(error.httpStatus).toBe(httpStatus);
  return error;
}

const notification = (rawBody: string): RouteRequest => ({ headers: { "content-type": "application/json" }, rawBody, path: "/payments/midtrans" });

/** A notification signed with `key` from explicit fields, for cases the fake never sends. */
function signedBody(fields: Record<string, unknown>, key = fake.serverKey): string {
  const base = {
    transaction_status: "settlement",
    transaction_id: "513f1f01-c9da-474c-9fc9-d5c64364b709",
    status_code: "200",
    payment_type: "qris",
    order_id: "ORD-MTSIGNED01",
    gross_amount: "5539.00",
    fraud_status: "accept",
    currency: "IDR",
    ...fields,
  };
  const signature = fakeMidtransSignature(String(base.order_id), String(base.status_code), String(base.gross_amount), key);
  return JSON.stringify({ ...base, signature_key: signature });
}

beforeEach(async () => {
  fake = await FakeMidtransServer.start();
  gateway = midtrans();
});

afterEach(async () => {
  await fake.stop();
});

describe("pure pieces", () => {
  it("computes the documented signature vector", () => {
    expect(midtransSignature("1111", "200", "100000.00", docKey)).toBe(docSignature);
    expect(fakeMidtransSignature("1111", "200", "100000.00", docKey)).toBe(docSignature);
  });


  it("reads and writes Midtrans times in WIB", () => {
    expect(parseMidtransTime("2021-06-23 14:06:48")).toBe(Date.parse("2021-06-23T14:06:48+07:00"));
    expect(parseMidtransTime("2021-02-31 10:00:00")).toBeNull();
    expect(parseMidtransTime("2021-06-23T14:06:48Z")).toBeNull();
    expect(formatMidtransOrderTime(Date.parse("2016-12-07T11:54:12+07:00"))).toBe("2016-12-07 11:54:12 +0700");
  });
});

describe("create", () => {
  it("charges once with our id, amount, acquirer and expiry, and returns the QR, total and fee", async () => {
    const asked = request();
    const charge = await gateway.create(asked);

    const calls = fake.callsTo("POST /v2/charge");
    expect(calls).toHaveLength(1);
    expect(calls[0]!.headers["x-override-notification"]).toBeUndefined();
    expect(calls[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`${fake.serverKey}:`).toString("base64")}`);
    expect(calls[0]!.body).toMatchObject({
      payment_type: "qris",
      transaction_details: { order_id: asked.paymentId, gross_amount: 18_537 },
      qris: { acquirer: "gopay" },
      custom_expiry: { unit: "minute" },
    });
    const stored = fake.transaction(asked.paymentId);
    expect(charge).toEqual({
      transactionId: stored.transactionId,
      qrString: stored.qrString,
      total: 18_537,
      fee: 0,
      feeOnPayer: false,
      expiresAt: expect.any(Number),
    });
    expect(parseQris(charge.qrString).amount).toBe(18_537);
    // The QR never outlives our payment, and lives most of its time.
    expect(charge.expiresAt).toBeLessThanOrEqual(asked.expiresAt);
    expect(charge.expiresAt).toBeGreaterThan(asked.expiresAt - 2 * 60_000);
    expect(Date.parse(stored.expiryTime.replace(" ", "T") + "+07:00")).toBe(charge.expiresAt);
  });

  it("takes the expiry Midtrans states when its answer has one", async () => {
    fake.includeExpiryTime = true;
    const asked = request({ expiresAt: Date.now() + 10 * 60_000 });
    const charge = await gateway.create(asked);
    expect(charge.expiresAt).toBe(parseMidtransTime(fake.transaction(asked.paymentId).expiryTime));
    expect(charge.expiresAt).toBeLessThanOrEqual(asked.expiresAt);
  });

  it("uses the configured acquirer and keeps a long item name within Midtrans's 50 characters", async () => {
    const asked = request({ itemName: "Top up saldo\nwith a very long product name that goes on and on and on" });
    await midtrans({ acquirer: "airpay shopee" }).create(asked);
    expect(fake.transaction(asked.paymentId).acquirer).toBe("airpay shopee");
    const body = fake.callsTo("POST /v2/charge")[0]!.body as { item_details: Array<{ name: string }> };
    expect(body.item_details[0]!.name.length).toBeLessThanOrEqual(50);
    expect(body.item_details[0]!.name).not.toContain("\n");
  });

  it("is refused for a second charge with the same order id (406), whichever HTTP status carries it", async () => {
    const asked = request();
    await gateway.create(asked);
    await expectFailure(gateway.create(asked), "refused", 406);
    fake.errorHttpStatus = "mirror";
    await expectFailure(gateway.create(asked), "refused", 406);
    expect(fake.transactions.size).toBe(1);
  });

  it("is refused with a wrong Server Key, and the key is in no message", async () => {
    const error = await expectFailure(midtrans({ serverKey: "SB-Mid-server-wrongwrongwrong" }).create(request()), "refused", 401);
    expect(error.message).not.toContain("wrongwrongwrong");
  });

  it("refuses locally a payment that expires in under a minute, without calling Midtrans", async () => {
    await expectFailure(gateway.create(request({ expiresAt: Date.now() + 30_000 })), "refused");
    expect(fake.callsTo("POST /v2/charge")).toHaveLength(0);
  });

  it.each([
    ["a 503 in Midtrans's envelope", { kind: "http", status: 503 }, "unavailable"],
    ["a 502 HTML page", { kind: "http", status: 502, html: true }, "unavailable"],
    ["a 500 in the body on HTTP 200", { kind: "refuse", statusCode: "500", message: "Internal server error" }, "unavailable"],
    ["a 429", { kind: "http", status: 429 }, "unavailable"],
    ["a refusal in the body", { kind: "refuse", statusCode: "400", message: "payment_type qris is not activated" }, "refused"],
    ["payment channel not active (402)", { kind: "refuse", statusCode: "402", message: "Payment channel is not activated." }, "refused"],
    ["a body that is not JSON", { kind: "garbage" }, "malformed"],
    ["an empty JSON object", { kind: "json", status: 200, body: {} }, "malformed"],
  ] as const)("fails over on %s, sending the charge only once", async (_name, fault, kind) => {
    fake.enqueue("POST /v2/charge", fault);
    await expectFailure(gateway.create(request()), kind);
    expect(fake.callsTo("POST /v2/charge")).toHaveLength(1);
  });

  it("treats a hanging charge as unavailable and never repeats it", async () => {
    fake.enqueue("POST /v2/charge", { kind: "timeout" });
    await expectFailure(gateway.create(request()), "unavailable");
    expect(fake.callsTo("POST /v2/charge")).toHaveLength(1);
  });

  const otherQris = buildQris([
    { id: "00", value: "01" },
    { id: "01", value: "12" },
    { id: "53", value: "360" },
    { id: "54", value: "99999" },
    { id: "58", value: "ID" },
    { id: "59", value: "SOMEONE ELSE" },
  ]);
  it.each([
    ["gross_amount with cents", { gross_amount: "18537.50" }],
    ["gross_amount that is not a number", { gross_amount: "18.537" }],
    ["another gross_amount", { gross_amount: "18538.00" }],
    ["another order id", { order_id: "ORD-SOMEONEELSE" }],
    ["no qr_string", { qr_string: undefined }],
    ["an empty qr_string", { qr_string: "" }],
    ["a qr_string that is not a QRIS", { qr_string: "https://example.com/pay" }],
    ["a QRIS with a broken CRC", { qr_string: `${otherQris.slice(0, -4)}0000` }],
    ["a QRIS carrying another amount", { qr_string: otherQris }],
    ["another currency", { currency: "USD" }],
    ["a status other than pending", { transaction_status: "settlement" }],
    ["an unreadable expiry_time", { expiry_time: "tomorrow" }],
  ])("calls an answer with %s malformed", async (_name, fields) => {
    fake.enqueue("POST /v2/charge", { kind: "patch", fields });
    await expectFailure(gateway.create(request()), "malformed");
  });
});

describe("status", () => {
  async function charged(): Promise<{ paymentId: string; transactionId: string; total: number }> {
    const asked = request();
    const charge = await gateway.create(asked);
    return { paymentId: asked.paymentId, transactionId: charge.transactionId, total: charge.total };
  }

  it("reads a pending charge with its amount and currency", async () => {
    const ref = await charged();
    expect(await gateway.status(ref)).toEqual({ state: "pending", paymentId: ref.paymentId, transactionId: ref.transactionId, amount: 18_537, currency: "IDR" });
  });

  it("reads a paid charge with the settlement time", async () => {
    const ref = await charged();
    const paid = fake.pay(ref.paymentId);
    const status = await gateway.status(ref);
    expect(status).toMatchObject({ state: "paid", amount: 18_537, currency: "IDR", paymentId: ref.paymentId });
    expect(status.paidAt).toBe(parseMidtransTime(paid.settlementTime!));
  });

  it.each([
    ["expire", "accept", "expired"],
    ["cancel", "accept", "cancelled"],
    ["deny", "deny", "failed"],
    ["refund", "accept", "refunded"],
    ["partial_refund", "accept", "refunded"],
    ["capture", "accept", "paid"],
    ["capture", "challenge", "pending"],
  ] as const)("maps %s (fraud %s) to %s", async (midtransStatus, fraud, state) => {
    const ref = await charged();
    fake.setStatus(ref.paymentId, midtransStatus, fraud);
    expect((await gateway.status(ref)).state).toBe(state);
  });

  it("reads the status of an expired charge, whose status_code is 407, as a record", async () => {
    const ref = await charged();
    fake.expire(ref.paymentId);
    fake.errorHttpStatus = "mirror";
    expect((await gateway.status(ref)).state).toBe("expired");
  });

  it.each([
    ["an unknown transaction_status", { transaction_status: "settled-ish" }],
    ["gross_amount with cents", { gross_amount: "18537.01" }],
    ["gross_amount as text", { gross_amount: "lots" }],
    ["no currency (Midtrans states one)", { currency: undefined }],
    ["no transaction_id", { transaction_id: undefined }],
  ])("calls an answer with %s malformed", async (_name, fields) => {
    const ref = await charged();
    fake.enqueue("GET /v2/:id/status", { kind: "patch", fields });
    await expectFailure(gateway.status(ref), "malformed");
  });

  it("states the currency Midtrans states", async () => {
    const ref = await charged();
    fake.enqueue("GET /v2/:id/status", { kind: "patch", fields: { currency: "USD" } });
    expect((await gateway.status(ref)).currency).toBe("USD");
  });

  it("is refused for an unknown order (404), whichever HTTP status carries it", async () => {
    const ref = { paymentId: "ORD-NOSUCHONE1", transactionId: "x", total: 1 };
    await expectFailure(gateway.status(ref), "refused", 404);
    fake.errorHttpStatus = "mirror";
    await expectFailure(gateway.status(ref), "refused", 404);
  });

  it("retries a 5xx (a read is safe) and answers once Midtrans recovers", async () => {
    const ref = await charged();
    fake.enqueue("GET /v2/:id/status", { kind: "http", status: 503 }, { kind: "timeout" });
    expect((await gateway.status(ref)).state).toBe("pending");
    expect(fake.callsTo("GET /v2/:id/status", ref.paymentId)).toHaveLength(3);
  });

  it("is unavailable when every retry fails", async () => {
    const ref = await charged();
    fake.enqueue("GET /v2/:id/status", ...Array.from({ length: 4 }, () => ({ kind: "http", status: 500 }) as const));
    await expectFailure(gateway.status(ref), "unavailable", 500);
  });

  it("is unavailable when Midtrans says 5xx in the body of an HTTP 200", async () => {
    const ref = await charged();
    fake.enqueue("GET /v2/:id/status", { kind: "refuse", statusCode: "503", message: "Sorry, we are down" });
    await expectFailure(gateway.status(ref), "unavailable", 503);
  });
});

describe("cancel", () => {
  it("cancels a pending charge at Midtrans", async () => {
    const asked = request();
    const charge = await gateway.create(asked);
    const ref = { paymentId: asked.paymentId, transactionId: charge.transactionId, total: charge.total };
    expect(await gateway.cancel(ref)).toBe("cancelled");
    expect(fake.wasCancelled(asked.paymentId)).toBe(true);
    expect(fake.transaction(asked.paymentId).status).toBe("cancel");
    expect((await gateway.status(ref)).state).toBe("cancelled");
  });

  it("answers final for a charge that is no longer pending (paid, or cancelled already)", async () => {
    const paidCharge = request();
    const charge = await gateway.create(paidCharge);
    fake.pay(paidCharge.paymentId);
    const ref = { paymentId: paidCharge.paymentId, transactionId: charge.transactionId, total: charge.total };
    expect(await gateway.cancel(ref)).toBe("final");
    expect(fake.transaction(paidCharge.paymentId).status).toBe("settlement");

    const other = request();
    const otherCharge = await gateway.create(other);
    const otherRef = { paymentId: other.paymentId, transactionId: otherCharge.transactionId, total: otherCharge.total };
    expect(await gateway.cancel(otherRef)).toBe("cancelled");
    fake.errorHttpStatus = "mirror";
    expect(await gateway.cancel(otherRef)).toBe("final");
  });

  it("answers final when the cancel answer shows another state", async () => {
    const asked = request();
    const charge = await gateway.create(asked);
    fake.enqueue("POST /v2/:id/cancel", { kind: "patch", fields: { transaction_status: "settlement", status_code: "200" } });
    expect(await gateway.cancel({ paymentId: asked.paymentId, transactionId: charge.transactionId, total: charge.total })).toBe("final");
  });

  it("is refused for an unknown charge and unavailable when Midtrans is down", async () => {
    await expectFailure(gateway.cancel({ paymentId: "ORD-NOSUCHONE2", transactionId: "x", total: 1 }), "refused", 404);
    fake.enqueue("POST /v2/:id/cancel", ...Array.from({ length: 4 }, () => ({ kind: "http", status: 502, html: true }) as const));
    await expectFailure(gateway.cancel({ paymentId: "ORD-NOSUCHONE2", transactionId: "x", total: 1 }), "unavailable", 502);
  });
});

describe("notifications", () => {
  async function paidCharge(): Promise<{ paymentId: string; transactionId: string }> {
    const asked = request();
    const charge = await gateway.create(asked);
    fake.pay(asked.paymentId);
    return { paymentId: asked.paymentId, transactionId: charge.transactionId };
  }

  it("reads a signed settlement as a hint naming our payment, the transaction and the amount", async () => {
    const { paymentId, transactionId } = await paidCharge();
    expect(gateway.readNotification(notification(fake.notificationBody(paymentId)))).toEqual({ kind: "hint", paymentId, transactionId, amount: 18_537, claims: "paid" });
  });

  it("accepts the documented vector's signature (an order id that is not ours is then ignored, not rejected)", () => {
    const docGateway = midtrans({ serverKey: docKey });
    const body = JSON.stringify({
      transaction_status: "settlement",
      transaction_id: "513f1f01-c9da-474c-9fc9-d5c64364b709",
      status_code: "200",
      signature_key: docSignature,
      payment_type: "qris",
      order_id: "1111",
      gross_amount: "100000.00",
    });
    expect(docGateway.readNotification(notification(body))).toMatchObject({ kind: "ignored" });
    expect(docGateway.readNotification(notification(body.replace("100000.00", "100000")))).toEqual({ kind: "rejected", reason: "bad_signature" });
  });

  it.each([
    ["bad_signature", { kind: "rejected", reason: "bad_signature" }],
    ["unsigned", { kind: "rejected", reason: "unsigned" }],
    ["malformed", { kind: "rejected", reason: "malformed" }],
    ["cents", { kind: "rejected", reason: "malformed" }],
    ["pending", { kind: "ignored", reason: expect.any(String) }],
  ] as const)("reads the %s variant", async (variant, expected) => {
    const { paymentId } = await paidCharge();
    expect(gateway.readNotification(notification(fake.notificationBody(paymentId, variant)))).toEqual(expected);
  });

  it("passes on what a correctly signed body claims (amount, order) for the status call and our record to judge", async () => {
    const { paymentId, transactionId } = await paidCharge();
    expect(gateway.readNotification(notification(fake.notificationBody(paymentId, "wrong_amount")))).toEqual({ kind: "hint", paymentId, transactionId, amount: 19_537, claims: "paid" });
    expect(gateway.readNotification(notification(fake.notificationBody(paymentId, "other_order", "TOP-ABCDEF1234")))).toMatchObject({ kind: "hint", paymentId: "TOP-ABCDEF1234" });
  });

  it("hints on an ended charge too (expire, cancel, deny): the status call decides", async () => {
    for (const status of ["expire", "cancel", "deny"] as const) {
      const asked = request();
      await gateway.create(asked);
      fake.setStatus(asked.paymentId, status);
      expect(gateway.readNotification(notification(fake.notificationBody(asked.paymentId)))).toMatchObject({ kind: "hint", paymentId: asked.paymentId });
    }
  });

  it.each([
    ["a capture still challenged by fraud checks", { transaction_status: "capture", fraud_status: "challenge" }, "ignored"],
    ["a capture accepted", { transaction_status: "capture", fraud_status: "accept" }, "hint"],
    ["another payment type", { payment_type: "bank_transfer" }, "ignored"],
    ["an order id of another system on the account", { order_id: "INV-2024-0001" }, "ignored"],
    ["an event we do not know", { transaction_status: "authorize" }, "ignored"],
  ])("reads %s as %s", (_name, fields, kind) => {
    expect(gateway.readNotification(notification(signedBody(fields))).kind).toBe(kind);
  });

  it.each([
    ["an array", () => "[]"],
    ["a number", () => "42"],
    ["empty", () => ""],
    ["gross_amount as a number", () => signedBody({}).replace('"gross_amount":"5539.00"', '"gross_amount":5539')],
    ["no transaction_status", () => signedBody({ transaction_status: undefined })],
    ["no transaction_id", () => signedBody({ transaction_id: undefined })],
  ])("rejects %s as malformed", (_name, rawBody) => {
    expect(gateway.readNotification(notification(rawBody()))).toEqual({ kind: "rejected", reason: "malformed" });
  });

  it("rejects a signature that is not a digest, or made with another key, or over another amount", () => {
    const valid = JSON.parse(signedBody({})) as Record<string, unknown>;
    for (const signature of [42, "abc", "0".repeat(128), `${String(valid.signature_key)}00`]) {
      expect(gateway.readNotification(notification(JSON.stringify({ ...valid, signature_key: signature })))).toEqual({ kind: "rejected", reason: "bad_signature" });
    }
    expect(gateway.readNotification(notification(signedBody({}, "SB-Mid-server-someoneelse")))).toEqual({ kind: "rejected", reason: "bad_signature" });
    expect(gateway.readNotification(notification(JSON.stringify({ ...valid, gross_amount: "9539.00" })))).toEqual({ kind: "rejected", reason: "bad_signature" });
    expect(gateway.readNotification(notification(JSON.stringify({ ...valid, status_code: "201" })))).toEqual({ kind: "rejected", reason: "bad_signature" });
    expect(gateway.readNotification(notification(JSON.stringify({ ...valid, signature_key: String(valid.signature_key).toUpperCase() })))).toMatchObject({ kind: "hint" });
  });

  it("receives notifications over HTTP from the fake's sender, including a replay of an old body", async () => {
    const received: string[] = [];
    const shop = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const rawBody = Buffer.concat(chunks).toString("utf8");
        received.push(rawBody);
        const check = gateway.readNotification({ headers: {}, rawBody, path: req.url ?? "" });
        const answer = check.kind === "rejected" ? { status: 401, body: check } : gateway.acknowledgement;
        res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body ?? {}));
      });
    });
    await new Promise<void>((resolve) => shop.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(shop.address() as AddressInfo).port}/payments/midtrans`;
      const asked = request();
      await gateway.create(asked);
      expect((await fake.sendNotification(url, asked.paymentId, "pending")).status).toBe(200);
      fake.pay(asked.paymentId);
      const paid = await fake.sendNotification(url, asked.paymentId);
      expect(paid.status).toBe(200);
      expect((await fake.sendNotification(url, asked.paymentId, "bad_signature")).status).toBe(401);
      const replay = await fake.sendNotification(url, asked.paymentId, "replay");
      // The replay is the old pending notice, byte for byte: authentic, so only ignored.
      expect(replay.sent).toBe(received[0]);
      expect(gateway.readNotification(notification(replay.sent))).toMatchObject({ kind: "ignored" });
      expect(gateway.readNotification(notification(paid.sent))).toMatchObject({ kind: "hint", paymentId: asked.paymentId });
    } finally {
      shop.closeAllConnections();
      await new Promise<void>((resolve) => shop.close(() => resolve()));
    }
  });

  it("acknowledges with HTTP 200", () => {
    expect(gateway.acknowledgement.status).toBe(200);
  });
});

describe("module and environment", () => {
  it("is in the gateway registry", () => {
    expect(qrisGatewayModules.map((module) => module.id)).toContain("midtrans");
  });

  it("names the missing Server Key in one problem, with an example", () => {
    const read = midtransModule.read({ QRIS_GATEWAYS: "midtrans" });
    expect(read.create).toBeNull();
    expect(read.problems).toEqual([
      { variable: "MIDTRANS_SERVER_KEY", problem: "is required when QRIS_GATEWAYS includes midtrans", example: expect.stringMatching(/^Mid-server-/) },
    ]);
  });

  it.each([
    ["MIDTRANS_ACQUIRER", { MIDTRANS_SERVER_KEY: "Mid-server-abc", MIDTRANS_ACQUIRER: "ovo" }],
    ["MIDTRANS_BASE_URL", { MIDTRANS_SERVER_KEY: "Mid-server-abc", MIDTRANS_BASE_URL: "api.midtrans.com" }],
    ["MIDTRANS_SERVER_KEY", { MIDTRANS_SERVER_KEY: "Mid-server abc" }],
    ["MIDTRANS_SERVER_KEY", { MIDTRANS_SERVER_KEY: "Mid-server:abc" }],
    ["MIDTRANS_BASE_URL", { MIDTRANS_SERVER_KEY: "SB-Mid-server-abc" }],
    ["MIDTRANS_NOTIFICATION_URL", { MIDTRANS_SERVER_KEY: "Mid-server-abc", MIDTRANS_NOTIFICATION_URL: "/payments/midtrans" }],
  ])("reports a bad %s as one problem naming it", (variable, values) => {
    const read = midtransModule.read(values);
    expect(read.create).toBeNull();
    expect(read.problems).toHaveLength(1);
    expect(read.problems[0]!.variable).toBe(variable);
    expect(read.problems[0]!.problem).not.toMatch(/\n/);
    expect(JSON.stringify(read.problems)).not.toContain("Mid-server abc");
    expect(JSON.stringify(read.problems)).not.toContain("Mid-server:abc");
  });

  it("builds a working gateway from its variables (defaults: production URL, gopay)", async () => {
    const defaults = midtransModule.read({ MIDTRANS_SERVER_KEY: "Mid-server-abc", MIDTRANS_ACQUIRER: "" });
    expect(defaults.problems).toEqual([]);
    const read = midtransModule.read({
      MIDTRANS_SERVER_KEY: fake.serverKey,
      MIDTRANS_BASE_URL: fake.url,
      MIDTRANS_ACQUIRER: "airpay shopee",
      MIDTRANS_NOTIFICATION_URL: "https://shop.example.com/payments/midtrans",
    });
    expect(read.problems).toEqual([]);
    const built = read.create!({ logger: silentLogger, timeoutMs: 1_000, retryDelaysMs: [] });
    expect(built.id).toBe("midtrans");
    const asked = request();
    await built.create(asked);
    expect(fake.transaction(asked.paymentId).acquirer).toBe("airpay shopee");
    expect(fake.transaction(asked.paymentId).notificationUrl).toBe("https://shop.example.com/payments/midtrans");
  });
});

describe("secrets", () => {
  it("keeps the Server Key out of errors and logs, even when Midtrans echoes it", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logged = midtrans({ logger: pino({ level: "debug" }, sink) });
    const basic = Buffer.from(`${fake.serverKey}:`).toString("base64");
    fake.enqueue("POST /v2/charge", { kind: "refuse", statusCode: "400", message: `server key ${fake.serverKey} is not valid for qris` });
    await expectFailure(logged.create(request()), "refused");
    fake.enqueue("POST /v2/charge", { kind: "timeout" });
    await expectFailure(logged.create(request()), "unavailable");
    const asked = request();
    await logged.create(asked);
    fake.enqueue("GET /v2/:id/status", ...Array.from({ length: 4 }, () => ({ kind: "http", status: 503 }) as const));
    await expectFailure(logged.status({ paymentId: asked.paymentId, transactionId: "x", total: 1 }), "unavailable");
    expect(lines.length).toBeGreaterThan(0);
    for (const text of [...lines, ...messages]) {
      expect(text).not.toContain(fake.serverKey);
      expect(text).not.toContain(basic);
    }
    // Nothing of the QR or the signature either: a log line names ids and amounts only.
    expect(lines.join("\n")).not.toContain(fake.transaction(asked.paymentId).qrString);
  });

  it("writes Midtrans times the way the fake reads them", () => {
    const ms = Date.parse("2026-01-02T03:04:05+07:00");
    expect(midtransTimeText(ms)).toBe("2026-01-02 03:04:05");
    expect(parseMidtransTime(midtransTimeText(ms))).toBe(ms);
  });
});
