/**
 * Issue 12, payments: the hold under abuse and crashes. The real App (real Redis, QRIS on, the
 * callback route over HTTP on a free port), driven through `shop.handle`, the callback and the
 * admin's `/paid`; buyer messages and admin alerts recorded by key.
 *
 * - a payment left `paid` with its settlement undone (a crash right after the move) is finished
 *   by the gateway's retry, by the sweep, and by `/paid`, which says it finished it;
 * - a callback needs a reference, accepts it once, and refuses a `paidAt` older than a day;
 * - one buyer holds at most QRIS_MAX_OPEN_PER_BUYER open payments, a new one for the same purpose
 *   replaces the older one (keeping its total), a full pool says so for top-ups too, and the
 *   admins hear once when a price's pool is over 80 % used;
 * - a total freed by expiry is not handed to another payment for a day;
 * - a second transfer naming an already-paid payment is credited to its buyer as extra money.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { qrisOf, checkoutQris, consoleBuyer, expectSoundWallet, fullLedger, keysOf, postCallback, signedCallback, startPaymentsApp, callbackSecret, type PaymentsHarness } from "./support.js";

let h: PaymentsHarness;
let baseUrl: string;

async function start(env: Record<string, string> = {}): Promise<void> {
  h = await startPaymentsApp({ PAYMENT_CALLBACK_SECRET: callbackSecret, ...env });
  baseUrl = `http://127.0.0.1:${await h.app.http.listen(0, "127.0.0.1")}`;
}
afterEach(async () => {
  vi.restoreAllMocks();
  await h.cleanup();
});

const now = () => new Date().toISOString();
const netflix = "SB-NFX1";
const topupFor = (user: string, amount: number) => h.app.payments.startTopup({ buyer: `console:${user}`, channel: "console", chatId: user, locale: "id" }, amount);
const callback = (body: unknown) => {
  const signed = signedCallback(body);
  return postCallback(baseUrl, signed.body, signed.headers);
};

/** Makes the next `qris:` credit fail, as if the process died right after the payment was moved to paid. */
function crashBeforeCredit(): void {
  const wallet = h.app.wallet;
  const real = wallet.credit.bind(wallet);
  let crashed = false;
  vi.spyOn(wallet, "credit").mockImplementation(async (buyer, amount, entry) => {
    if (!crashed && entry.id.startsWith("qris:")) {
      crashed = true;
      throw new Error("process died");
    }
    return real(buyer, amount, entry);
  });
}

describe("a crash between paid and settlement", () => {
  it("the gateway's retry of the same reference finishes the work (200), once; a further replay is 409", async () => {
    await start();
    const qr = await checkoutQris(h.app, "crash1", netflix);
    crashBeforeCredit();
    expect((await callback({ amount: qr.amount, reference: "GW-CRASH-1", paidAt: now() })).status).toBe(500);
    expect((await h.app.payments.confirm(qr.id, { by: "admin:probe" })).kind).toBe("already_paid"); // the move happened
    vi.restoreAllMocks();
    // (the probe above finished it too; start over with a fresh crash for the retry path)
    const qr2 = await checkoutQris(h.app, "crash1b", netflix);
    crashBeforeCredit();
    expect((await callback({ amount: qr2.amount, reference: "GW-CRASH-2", paidAt: now() })).status).toBe(500);
    vi.restoreAllMocks();
    expect(await callback({ amount: qr2.amount, reference: "GW-CRASH-2", paidAt: now() })).toEqual({ status: 200, json: { ok: true, result: "completed", id: qr2.id } });
    expect((await callback({ amount: qr2.amount, reference: "GW-CRASH-2", paidAt: now() })).status).toBe(409);
    await h.app.settled("console:crash1b");
    expect((await h.app.orders.get(qr2.id))?.status).toBe("delivered");
    expect((await fullLedger(h.app, "console:crash1b")).map((e) => e.id)).toEqual([`qris:${qr2.id}`, `pay:${qr2.id}`]);
    expect(await expectSoundWallet(h.app, "console:crash1b")).toBe(0);
    expect(h.provider.placed.filter((id) => id === qr2.id)).toHaveLength(1);
    expect(h.alertsOf("admin-alert-unmatched-payment")).toEqual([]);
  });

  it("the sweep finishes a paid payment whose credit and order step are missing", async () => {
    await start();
    const qr = await checkoutQris(h.app, "crash2", netflix);
    crashBeforeCredit();
    expect((await callback({ amount: qr.amount, reference: "GW-CRASH-3", paidAt: now() })).status).toBe(500);
    vi.restoreAllMocks();
    expect((await h.app.orders.get(qr.id))?.status).toBe("awaiting_payment");
    await h.app.sweep();
    await h.app.settled("console:crash2");
    expect((await h.app.orders.get(qr.id))?.status).toBe("delivered");
    expect(await expectSoundWallet(h.app, "console:crash2")).toBe(0);
    expect(h.toldTo("crash2", "order-delivered")).toHaveLength(1);
  });

  it("start-up finishes an order whose QRIS payment is paid but not marked unsettled (a crash before this release)", async () => {
    await start();
    const qr = await checkoutQris(h.app, "crash4", netflix);
    crashBeforeCredit();
    expect((await callback({ amount: qr.amount, reference: "GW-CRASH-5", paidAt: now() })).status).toBe(500);
    vi.restoreAllMocks();
    await h.app.redis.srem("payments:unsettled", qr.id);
    await h.app.recovery.resume();
    await h.app.settled("console:crash4");
    expect((await h.app.orders.get(qr.id))?.status).toBe("delivered");
    expect(await expectSoundWallet(h.app, "console:crash4")).toBe(0);
  });

  it("/paid on such a payment says it finished the settlement, and a second /paid that nothing changed", async () => {
    await start();
    const qr = await checkoutQris(h.app, "crash3", netflix);
    crashBeforeCredit();
    expect((await callback({ amount: qr.amount, reference: "GW-CRASH-4", paidAt: now() })).status).toBe(500);
    vi.restoreAllMocks();
    expect(await h.app.payments.confirm(qr.id, { by: "admin:1" })).toMatchObject({ kind: "already_paid", finished: true });
    expect(await h.app.payments.confirm(qr.id, { by: "admin:1" })).toMatchObject({ kind: "already_paid", finished: false });
    await h.app.settled("console:crash3");
    expect((await h.app.orders.get(qr.id))?.status).toBe("delivered");
  });
});

describe("a captured signed callback cannot be replayed", () => {
  it("400 without a reference, and for a paidAt older than a day; nothing is paid", async () => {
    await start();
    const qr = await checkoutQris(h.app, "replay1", netflix);
    expect((await callback({ amount: qr.amount, paidAt: now() })).status).toBe(400);
    const old = new Date(Date.now() - 25 * 3_600_000).toISOString();
    expect((await callback({ amount: qr.amount, reference: "GW-OLD", paidAt: old })).status).toBe(400);
    expect((await callback({ amount: qr.amount, reference: "GW-OLD-N", paidAt: Math.floor(Date.now() / 1000) - 2 * 86_400 })).status).toBe(400);
    expect((await h.app.orders.get(qr.id))?.status).toBe("awaiting_payment");
    expect(await fullLedger(h.app, "console:replay1")).toEqual([]);
  });

  it("a reference is accepted once, ever: its replay against a later payment of the same total is 409", async () => {
    await start({ QRIS_UNIQUE_CODE_MAX: "0" });
    const first = qrisOf(await topupFor("rp1", 50_000));
    expect((await callback({ amount: first.amount, reference: "GW-ONCE", paidAt: now() })).status).toBe(200);
    const later = qrisOf(await topupFor("rp2", 50_000));
    expect(later.amount).toBe(first.amount);
    expect((await callback({ amount: later.amount, reference: "GW-ONCE", paidAt: now() })).status).toBe(409);
    expect(await fullLedger(h.app, "console:rp2")).toEqual([]);
  });
});

describe("nobody can exhaust QRIS totals", () => {
  it("holds at most QRIS_MAX_OPEN_PER_BUYER open payments per buyer and says so", async () => {
    await start({ SANDBOX: "off", QRIS_MAX_OPEN_PER_BUYER: "3" });
    const buyer = consoleBuyer(h.app, "greedy");
    for (const amount of [20_000, 30_000, 40_000]) qrisOf((await buyer.say(`/topup ${amount}`)).replies);
    expect((await buyer.say("/topup 60000")).replies.flatMap(keysOf)).toEqual(["qris-too-many-open"]);
    // Another buyer is not affected.
    qrisOf((await consoleBuyer(h.app, "other").say("/topup 60000")).replies);
  });

  it("a new payment for the same purpose replaces the buyer's older one and keeps its total", async () => {
    await start({ SANDBOX: "off", QRIS_MAX_OPEN_PER_BUYER: "3" });
    const buyer = consoleBuyer(h.app, "again");
    const totals = new Set<number>();
    let last = qrisOf((await buyer.say("/topup 20000")).replies);
    for (let i = 0; i < 20; i++) {
      last = qrisOf((await buyer.say("/topup 20000")).replies);
      totals.add(last.amount);
    }
    expect(totals.size).toBe(1);
    // Money for that total confirms the newest one, for the same buyer.
    expect(await callback({ amount: last.amount, reference: "GW-AGAIN", paidAt: now() })).toMatchObject({ status: 200, json: { result: "confirmed", id: last.id } });
    expect(await expectSoundWallet(h.app, buyer.key)).toBe(last.amount);
  });

  it("answers a top-up with 'QRIS full' when no total is free, not with an outage", async () => {
    await start({ SANDBOX: "off", QRIS_UNIQUE_CODE_MAX: "0" });
    qrisOf((await consoleBuyer(h.app, "full1").say("/topup 50000")).replies);
    expect((await consoleBuyer(h.app, "full2").say("/topup 50000")).replies.flatMap(keysOf)).toEqual(["qris-busy-topup"]);
  });

  it("alerts the admins once when a price's pool is over 80 % used", async () => {
    await start({ QRIS_UNIQUE_CODE_MAX: "9" });
    for (let i = 0; i < 9; i++) qrisOf(await topupFor(`pool${i}`, 20_000));
    const alerts = h.alertsOf("admin-alert-qris-pool");
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.text).toContain("Rp 20.000");
  });
});

describe("a total freed by an expired payment", () => {
  it("is not given to another payment for a day, so a late payment credits the buyer who was shown it", async () => {
    await start({ QRIS_UNIQUE_CODE_MAX: "0" });
    const first = qrisOf(await topupFor("exp1", 50_000));
    expect(await h.app.payments.expireDue(Date.now() + 16 * 60_000)).toBe(1);
    expect((await topupFor("exp2", 50_000)).flatMap(keysOf)).toEqual(["qris-busy-topup"]);
    expect(await callback({ amount: first.amount, reference: "GW-LATE", paidAt: now() })).toMatchObject({ status: 200, json: { result: "late", id: first.id } });
    expect(await expectSoundWallet(h.app, "console:exp1")).toBe(first.amount);
    expect(await fullLedger(h.app, "console:exp2")).toEqual([]);
  });
});

describe("a second transfer naming an already-paid payment", () => {
  it("is credited to that buyer's wallet as extra money, once, and the admins are told", async () => {
    await start();
    const qr = await checkoutQris(h.app, "extra1", netflix);
    expect((await callback({ amount: qr.amount, reference: "GW-EXTRA-1", paidAt: now() })).status).toBe(200);
    await h.app.settled("console:extra1");
    const second = { amount: 7_000, reference: qr.id, paidAt: now() };
    expect(await callback(second)).toEqual({ status: 200, json: { ok: true, result: "extra", id: qr.id } });
    expect((await callback(second)).status).toBe(409);
    const ledger = await fullLedger(h.app, "console:extra1");
    expect(ledger.filter((e) => e.id === `qris-extra:${qr.id}:${qr.id}`).map((e) => e.amount)).toEqual([7_000]);
    expect(await expectSoundWallet(h.app, "console:extra1")).toBe(7_000);
    expect(h.alertsOf("admin-alert-extra-transfer")).toHaveLength(1);
    expect(h.provider.placed.filter((id) => id === qr.id)).toHaveLength(1);
  });
});
