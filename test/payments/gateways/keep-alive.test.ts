/**
 * The three gateway modules over the keep-alive transport the composition root gives them
 * (`GatewayShared.transport`), against their fakes: the same calls, the same answers and the same
 * failure kinds as over the global fetch (the other files in this folder test that path in depth).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../../src/logger.js";
import { GatewayError, type GatewayShared } from "../../../src/payments/gateway.js";
import { midtransModule } from "../../../src/payments/gateways/midtrans.js";
import { pakasirModule } from "../../../src/payments/gateways/pakasir.js";
import { tripayModule } from "../../../src/payments/gateways/tripay.js";
import { keepAliveTransport, type ClosableTransport } from "../../../src/providers/keep-alive-transport.js";
import { FakeMidtransServer } from "../../fakes/midtrans-server.js";
import { FakePakasirServer } from "../../fakes/pakasir-server.js";
import { FakeTripayServer, tripayEnv } from "../../fakes/tripay-server.js";

let transport: ClosableTransport;
let shared: GatewayShared;

beforeEach(() => {
  transport = keepAliveTransport({ maxSockets: 2 });
  shared = { logger: silentLogger, timeoutMs: 300, retryDelaysMs: [5, 5, 5], transport };
});

afterEach(() => {
  transport.close();
});

const charge = (paymentId: string, amount: number) => ({ paymentId, amount, expiresAt: Date.now() + 15 * 60_000, itemName: "Top up saldo" });

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

describe("Midtrans over the keep-alive transport", () => {
  let fake: FakeMidtransServer;
  beforeEach(async () => {
    fake = await FakeMidtransServer.start();
  });
  afterEach(async () => {
    await fake.stop();
  });
  const build = () => midtransModule.read({ QRIS_GATEWAYS: "midtrans", MIDTRANS_SERVER_KEY: fake.serverKey, MIDTRANS_BASE_URL: fake.url }).create!(shared);

  it("charges, reads 20 statuses at once through a pool of 2 connections, and finds a paid charge final at cancel", async () => {
    const gateway = build();
    const made = await gateway.create(charge("TOP-KA00000001", 25_000));
    const ref = { paymentId: "TOP-KA00000001", transactionId: made.transactionId, total: made.total };
    fake.pay(ref.paymentId);
    const statuses = await Promise.all(Array.from({ length: 20 }, () => gateway.status(ref)));
    expect(statuses.every((status) => status.state === "paid" && status.amount === 25_000 && status.transactionId === made.transactionId)).toBe(true);
    expect(fake.callsTo("GET /v2/:id/status", ref.paymentId)).toHaveLength(20);
    expect(await gateway.cancel(ref)).toBe("final");
    expect(fake.callsTo("POST /v2/charge")[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`${fake.serverKey}:`).toString("base64")}`);
  });

  it("sends a hanging charge once and calls it unavailable; retries a status after a 503 and a hang", async () => {
    const gateway = build();
    fake.enqueue("POST /v2/charge", { kind: "timeout" });
    expect((await failure(gateway.create(charge("TOP-KA00000002", 10_000)))).failure).toBe("unavailable");
    expect(fake.callsTo("POST /v2/charge")).toHaveLength(1);

    const made = await gateway.create(charge("TOP-KA00000003", 10_000));
    const ref = { paymentId: "TOP-KA00000003", transactionId: made.transactionId, total: made.total };
    fake.enqueue("GET /v2/:id/status", { kind: "http", status: 503 }, { kind: "timeout" });
    expect((await gateway.status(ref)).state).toBe("pending");
    expect(fake.callsTo("GET /v2/:id/status", ref.paymentId)).toHaveLength(3);
  });

  it("calls an HTML error page unavailable and garbage malformed, as over fetch", async () => {
    const gateway = build();
    fake.enqueue("POST /v2/charge", { kind: "http", status: 502, html: true });
    expect((await failure(gateway.create(charge("TOP-KA00000004", 10_000)))).failure).toBe("unavailable");
    fake.enqueue("POST /v2/charge", { kind: "garbage" });
    expect((await failure(gateway.create(charge("TOP-KA00000005", 10_000)))).failure).toBe("malformed");
  });
});

describe("Tripay over the keep-alive transport", () => {
  let fake: FakeTripayServer;
  beforeEach(async () => {
    fake = await FakeTripayServer.start();
  });
  afterEach(async () => {
    await fake.close();
  });

  it("charges and reads a paid status; a hanging create is sent once", async () => {
    const gateway = tripayModule.read(tripayEnv(fake)).create!(shared);
    const made = await gateway.create({ ...charge("ORD-KA00000001", 25_000), expiresAt: fake.now() + 15 * 60_000 });
    fake.pay("ORD-KA00000001");
    const status = await gateway.status({ paymentId: "ORD-KA00000001", transactionId: made.transactionId, total: made.total });
    expect(status).toMatchObject({ state: "paid", paymentId: "ORD-KA00000001", transactionId: made.transactionId });
    fake.failNextCreate("timeout");
    expect((await failure(gateway.create({ ...charge("ORD-KA00000002", 25_000), expiresAt: fake.now() + 15 * 60_000 }))).failure).toBe("unavailable");
    expect(fake.callsTo("POST /transaction/create")).toHaveLength(2);
  });
});

describe("Pakasir over the keep-alive transport", () => {
  let fake: FakePakasirServer;
  beforeEach(async () => {
    fake = await FakePakasirServer.start();
  });
  afterEach(async () => {
    await fake.stop();
  });

  it("charges and reads a paid status", async () => {
    const gateway = pakasirModule.read({ QRIS_GATEWAYS: "pakasir", PAKASIR_PROJECT: fake.project, PAKASIR_API_KEY: fake.apiKey, PAKASIR_BASE_URL: fake.url }).create!(shared);
    const made = await gateway.create(charge("ORD-KA00000003", 99_000));
    fake.pay("ORD-KA00000003");
    const status = await gateway.status({ paymentId: "ORD-KA00000003", transactionId: made.transactionId, total: made.total, amount: 99_000 });
    expect(status).toMatchObject({ state: "paid", paymentId: "ORD-KA00000003" });
  });
});
