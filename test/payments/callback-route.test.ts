/**
 * `POST /payments/callback` over real HTTP: the real App (QRIS on, PAYMENT_CALLBACK_SECRET set)
 * listening on a free port on 127.0.0.1, driven with fetch and raw node:http requests.
 *
 * A valid signed callback confirms the open payment it matches (by total, or by a reference that
 * is the payment id) and the order is delivered. Every rejection (unsigned, wrongly signed,
 * malformed, invalid, replayed, oversized, wrong path or method) gets its status and leaves the
 * whole Redis key space exactly as it was; unmatched money gets 202 and an admin alert.
 */
import { request } from "node:http";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { signCallback } from "../../src/payments/callback-route.js";
import {
  callbackSecret,
  checkoutQris,
  expectSoundWallet,
  fullLedger,
  postCallback,
  signedCallback,
  snapshotRedis,
  startPaymentsApp,
  type PaymentsHarness,
  type QrisCheckout,
} from "./support.js";

let h: PaymentsHarness;
let baseUrl: string;
let port: number;

beforeEach(async () => {
  h = await startPaymentsApp({ PAYMENT_CALLBACK_SECRET: callbackSecret });
  port = await h.app.http.listen(0, "127.0.0.1");
  baseUrl = `http://127.0.0.1:${port}`;
});
afterEach(async () => {
  vi.restoreAllMocks();
  await h.cleanup();
});

/** When the money arrived: now (a report over a day old is refused). */
const paidAt = new Date().toISOString();

/** Opens a QRIS order for Netflix (Rp 30.000 + code) for `user`. */
function openOrder(user: string): Promise<QrisCheckout> {
  return checkoutQris(h.app, user, "SB-NFX1");
}

/** Sends a request and asserts that it got `status` and changed nothing at all in Redis. */
async function expectRejected(send: () => Promise<{ status: number; json: unknown }>, status: number): Promise<unknown> {
  const before = await snapshotRedis(h.app);
  const answer = await send();
  expect(answer.status).toBe(status);
  expect(await snapshotRedis(h.app)).toEqual(before);
  return answer.json;
}

/** A raw POST with chunked transfer (no content-length), streaming `size` bytes. */
function postChunked(path: string, size: number, headers: Record<string, string>): Promise<{ status: number } | { error: string }> {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path, method: "POST", headers: { ...headers, "transfer-encoding": "chunked" } }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    const chunk = Buffer.alloc(8 * 1024, "a");
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

describe("a valid signed callback", () => {
  it("matched by its amount: 200, the payment is confirmed and the order delivered", async () => {
    const qr = await openOrder("cb1");
    const { body, headers } = signedCallback({ amount: qr.amount, reference: "GW-0001", paidAt });
    const answer = await postCallback(baseUrl, body, headers);
    expect(answer).toEqual({ status: 200, json: { ok: true, result: "confirmed", id: qr.id } });

    await h.app.settled("console:cb1");
    const order = await h.app.orders.get(qr.id);
    expect(order?.status).toBe("delivered");
    expect(order?.payment.reference).toBe("GW-0001");
    expect((await fullLedger(h.app, "console:cb1")).map((e) => e.id)).toEqual([`qris:${qr.id}`, `pay:${qr.id}`]);
    expect(h.provider.placed).toEqual([qr.id]);
    expect(h.toldTo("cb1", "order-delivered")).toHaveLength(1);
  });

  it("accepts a numeric paidAt (Unix seconds)", async () => {
    const qr = await openOrder("cb1b");
    const { body, headers } = signedCallback({ amount: qr.amount, reference: "GW-NUM", paidAt: Math.floor(Date.now() / 1000) });
    expect((await postCallback(baseUrl, body, headers)).status).toBe(200);
    await h.app.settled("console:cb1b");
    expect((await h.app.orders.get(qr.id))?.status).toBe("delivered");
  });

  it("matched by a reference equal to the payment id, even for an amount no payment has", async () => {
    const qr = await openOrder("cb2");
    const other = await openOrder("cb2-other");
    // Overpaid by 2.000: only the reference can tie this money to the payment.
    const { body, headers } = signedCallback({ amount: qr.amount + 2_000, reference: qr.id, paidAt });
    const answer = await postCallback(baseUrl, body, headers);
    expect(answer).toEqual({ status: 200, json: { ok: true, result: "confirmed", id: qr.id } });

    await h.app.settled("console:cb2");
    expect((await h.app.orders.get(qr.id))?.status).toBe("delivered");
    expect((await h.app.orders.get(other.id))?.status).toBe("awaiting_payment");
    expect(await expectSoundWallet(h.app, "console:cb2")).toBe(2_000);
    expect(h.alertsOf("admin-alert-overpaid")).toHaveLength(1);
  });

  it("answers 202 underpaid for a named payment paid short, confirming nothing", async () => {
    const qr = await openOrder("cb3");
    const { body, headers } = signedCallback({ amount: qr.amount - 500, reference: qr.id, paidAt });
    expect(await postCallback(baseUrl, body, headers)).toEqual({ status: 202, json: { ok: true, result: "underpaid", id: qr.id } });
    expect((await h.app.orders.get(qr.id))?.status).toBe("awaiting_payment");
    expect(await fullLedger(h.app, "console:cb3")).toEqual([]);
    expect(h.alertsOf("admin-alert-underpaid")).toHaveLength(1);
  });

  it("answers 202 for money that matches no payment and tells the admins", async () => {
    const qr = await openOrder("cb4");
    const { body, headers } = signedCallback({ amount: 12_345, reference: "GW-STRAY", paidAt });
    expect(await postCallback(baseUrl, body, headers)).toEqual({ status: 202, json: { ok: true, result: "unmatched" } });
    const alerts = h.alertsOf("admin-alert-unmatched-payment");
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.text).toContain("Rp 12.345");
    expect(alerts[0]!.text).toContain("GW-STRAY");
    expect((await h.app.orders.get(qr.id))?.status).toBe("awaiting_payment");
    expect(await fullLedger(h.app, "console:cb4")).toEqual([]);
  });

  it("lets a gateway retry through when processing failed (500), and counts the retry once", async () => {
    const qr = await openOrder("cb5");
    const { body, headers } = signedCallback({ amount: qr.amount, reference: "GW-RETRY", paidAt });
    vi.spyOn(h.app.payments, "receive").mockRejectedValueOnce(new Error("redis hiccup"));
    expect((await postCallback(baseUrl, body, headers)).status).toBe(500);
    expect((await h.app.orders.get(qr.id))?.status).toBe("awaiting_payment");

    expect((await postCallback(baseUrl, body, headers)).status).toBe(200);
    expect((await postCallback(baseUrl, body, headers)).status).toBe(409);
    await h.app.settled("console:cb5");
    expect((await h.app.orders.get(qr.id))?.status).toBe("delivered");
    expect(await expectSoundWallet(h.app, "console:cb5")).toBe(0);
  });
});

describe("rejected callbacks change nothing", () => {
  let qr: QrisCheckout;
  beforeEach(async () => {
    qr = await openOrder("rej");
  });
  afterEach(async () => {
    // Whatever was rejected, the order still waits and the buyer's wallet is untouched.
    expect((await h.app.orders.get(qr.id))?.status).toBe("awaiting_payment");
    expect(await fullLedger(h.app, "console:rej")).toEqual([]);
    expect(h.provider.placed).not.toContain(qr.id);
  });

  it("401 without a signature, and the admins hear of it", async () => {
    const body = JSON.stringify({ amount: qr.amount, reference: "GW-X", paidAt });
    const json = await expectRejected(() => postCallback(baseUrl, body, { "content-type": "application/json" }), 401);
    expect(json).toEqual({ ok: false, error: "bad signature" });
    expect(h.alertsOf("admin-alert-bad-callback")).toHaveLength(1);
  });

  it("401 with a wrong signature: another secret, another body, not hex, wrong length", async () => {
    const body = JSON.stringify({ amount: qr.amount, reference: "GW-X", paidAt });
    const otherBody = JSON.stringify({ amount: qr.amount + 1, reference: "GW-X", paidAt });
    const good = signCallback(callbackSecret, body);
    const signatures = [
      signCallback("another-secret-0123456789", body),
      signCallback(callbackSecret, otherBody),
      `${good.slice(0, -1)}${good.endsWith("0") ? "1" : "0"}`,
      "z".repeat(64),
      good.slice(0, 62),
      `${good}00`,
      "",
    ];
    for (const signature of signatures) {
      await expectRejected(() => postCallback(baseUrl, body, { "content-type": "application/json", "x-signature": signature }), 401);
    }
    // A body changed after signing (one byte of whitespace) is refused too.
    await expectRejected(() => postCallback(baseUrl, `${body} `, { "content-type": "application/json", "x-signature": good }), 401);
  });

  it("400 for a signed body that is not JSON", async () => {
    for (const text of ["{amount: 1", "", "not json at all", '{"amount":30123,'] as const) {
      const { body, headers } = signedCallback(text);
      await expectRejected(() => postCallback(baseUrl, body, headers), 400);
    }
  });

  it("400 for signed JSON with missing or invalid fields", async () => {
    const bodies: unknown[] = [
      { amount: qr.amount, paidAt }, // no reference: a captured body could be replayed against a later payment
      { amount: qr.amount, reference: "GW-X", paidAt: "not a date" },
      { amount: qr.amount, reference: "GW-X", paidAt: new Date(Date.now() - 25 * 3_600_000).toISOString() },
      { reference: "GW-X", paidAt },
      { amount: qr.amount, reference: "GW-X" },
      { amount: String(qr.amount), reference: "GW-X", paidAt },
      { amount: qr.amount + 0.5, reference: "GW-X", paidAt },
      { amount: -qr.amount, reference: "GW-X", paidAt },
      { amount: 0, reference: "GW-X", paidAt },
      { amount: 2_000_000_000, reference: "GW-X", paidAt },
      { amount: qr.amount, reference: "", paidAt },
      { amount: qr.amount, reference: "   ", paidAt },
      { amount: qr.amount, reference: "R".repeat(129), paidAt },
      { amount: qr.amount, reference: 42, paidAt },
      { amount: qr.amount, reference: qr.id, paidAt: "" },
      { amount: qr.amount, reference: qr.id, paidAt: null },
      [qr.amount],
      null,
      qr.amount,
    ];
    for (const payload of bodies) {
      const { body, headers } = signedCallback(JSON.stringify(payload));
      const json = await expectRejected(() => postCallback(baseUrl, body, headers), 400);
      expect(json, body).toMatchObject({ ok: false });
    }
  });

  it("409 for a replayed reference, which pays nothing twice", async () => {
    // Another order is paid first; replays of its callback must then change nothing.
    const paid = await openOrder("rep");
    const { body, headers } = signedCallback({ amount: paid.amount, reference: "GW-REPLAY", paidAt });
    expect((await postCallback(baseUrl, body, headers)).status).toBe(200);
    await h.app.settled("console:rep");

    const json = await expectRejected(() => postCallback(baseUrl, body, headers), 409);
    expect(json).toEqual({ ok: false, error: "reference already processed" });
    // The same reference on a different amount (it would match the waiting order) is a replay too.
    const retargeted = signedCallback({ amount: qr.amount, reference: "GW-REPLAY", paidAt });
    await expectRejected(() => postCallback(baseUrl, retargeted.body, retargeted.headers), 409);
    expect((await fullLedger(h.app, "console:rep")).map((e) => e.id)).toEqual([`qris:${paid.id}`, `pay:${paid.id}`]);
    expect(h.provider.placed).toEqual([paid.id]);
  });

  it("413 for a body over 64 KiB with a declared length", async () => {
    const body = JSON.stringify({ amount: qr.amount, reference: "GW-BIG", paidAt, pad: "x".repeat(64 * 1024) });
    const headers = { "content-type": "application/json", "x-signature": signCallback(callbackSecret, body) };
    await expectRejected(() => postCallback(baseUrl, body, headers), 413);
  });

  it("404 for an unknown path and for GET on the callback path", async () => {
    const { body, headers } = signedCallback({ amount: qr.amount, reference: "GW-PATH", paidAt });
    await expectRejected(() => postCallback(baseUrl, body, headers, "/payments/callbacks"), 404);
    await expectRejected(() => postCallback(baseUrl, body, headers, "/payments"), 404);
    await expectRejected(async () => {
      const response = await fetch(`${baseUrl}/payments/callback`, { headers });
      return { status: response.status, json: await response.json() };
    }, 404);
    await expectRejected(async () => {
      const response = await fetch(`${baseUrl}/payments/callback`, { method: "PUT", headers, body });
      return { status: response.status, json: await response.json() };
    }, 404);
  });
});

describe("oversized streamed bodies", () => {
  // A chunked body (no content-length) over 64 KiB gets the documented 413 before the connection
  // closes, and changes nothing.
  it("answers 413 to a chunked body over 64 KiB", async () => {
    const qr = await openOrder("chunk");
    const before = await snapshotRedis(h.app);
    const answer = await postChunked("/payments/callback", 256 * 1024, { "content-type": "application/json", "x-signature": "0".repeat(64) });
    expect(await snapshotRedis(h.app)).toEqual(before);
    expect((await h.app.orders.get(qr.id))?.status).toBe("awaiting_payment");
    expect(answer).toEqual({ status: 413 });
  });

  it("refuses a chunked body over 64 KiB without processing it", async () => {
    const qr = await openOrder("chunk2");
    const body = JSON.stringify({ amount: qr.amount, reference: "GW-CHUNK", paidAt, pad: "x".repeat(70 * 1024) });
    const before = await snapshotRedis(h.app);
    const answer = await new Promise<{ status: number } | { error: string }>((resolve) => {
      const req = request(
        { host: "127.0.0.1", port, path: "/payments/callback", method: "POST", headers: { "content-type": "application/json", "x-signature": signCallback(callbackSecret, body), "transfer-encoding": "chunked" } },
        (res) => {
          res.resume();
          res.on("end", () => resolve({ status: res.statusCode ?? 0 }));
        },
      );
      req.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
      req.end(body);
    });
    // A validly signed payment in an oversized body is refused, not processed.
    expect(answer).toEqual({ status: 413 });
    expect(await snapshotRedis(h.app)).toEqual(before);
    expect((await h.app.orders.get(qr.id))?.status).toBe("awaiting_payment");
  });
});
