/**
 * Issue 15 review: the money-safety findings of the QRIS gateway flow, each shown against the
 * real App (real Redis, the HTTP server on a free port) with the strict scripted gateway
 * (`test/fakes/scripted-gateway.ts`).
 *
 * 1. an expired payment's charge is still asked about until the gateway's own expiry plus a
 *    margin, so late money with a lost notification is credited (late, once); a failed cancel is
 *    tried again; a cancel's answer is checked by status;
 * 2. polls are claimed with a lease: a throw or a crash mid-run delays a poll, never ends it;
 * 3. notifications buy at most one status call per payment per window, none for a paid payment
 *    or one past its charge's life, and those calls are made without retries;
 * 4. a down gateway is asked once per poll run, without retries;
 * 5. an `ended` notice whose status agrees is acknowledged quietly;
 * 7. a payment whose gateway left QRIS_GATEWAYS alerts the admins once;
 * 8. a split fee's merchant part is the shop's cost; an unused charge is cancelled by the amount asked;
 * 9. notifications for charges we abandoned: `ended` acknowledged quietly, `paid` one alert.
 */
import { afterEach, describe, expect, it } from "vitest";
import { testConfig } from "../helpers/app.js";
import { ScriptedGateway, type ScriptedGatewayOptions } from "../fakes/scripted-gateway.js";
import { checkoutQris, expectSoundWallet, fullLedger, postCallback, qrisEnv, qrisOf, startPaymentsApp, type PaymentsHarness } from "./support.js";
import { PaymentStore } from "../../src/payments/payment-store.js";
import { gatewayRecord } from "../../src/payments/payment-service.js";

/** Netflix (sandbox, instant delivery): Rp 30.000. */
const netflix = "SB-NFX1";
const price = 30_000;
const ttlMs = 15 * 60_000;
const minute = 60_000;

interface GatewayShop extends PaymentsHarness {
  notify(gateway: ScriptedGateway, note: { body: string; headers: Record<string, string> }): Promise<{ status: number; json: unknown }>;
  store: PaymentStore;
}

let h: GatewayShop | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

async function startGatewayShop(sources: readonly ScriptedGateway[], env: Record<string, string> = {}): Promise<GatewayShop> {
  const config = {
    ...testConfig(qrisEnv({ QRIS_MAX_OPEN_PER_BUYER: "10", ...env })),
    qrisGateways: sources.map((source) => ({ id: source.id, create: () => source })),
  };
  const started = await startPaymentsApp(env, { config });
  const baseUrl = `http://127.0.0.1:${await started.app.http.listen(0, "127.0.0.1")}`;
  return {
    ...started,
    store: new PaymentStore(started.app.redis, 0),
    notify: (gateway, note) => postCallback(baseUrl, note.body, note.headers, `/payments/${gateway.id}`),
  };
}

function gateway(id: string, options: ScriptedGatewayOptions = {}): ScriptedGateway {
  return new ScriptedGateway(id, options);
}

async function ledgerOf(shop: GatewayShop, buyer: string) {
  return (await fullLedger(shop.app, buyer)).map(({ id, amount, reason }) => ({ id, amount, reason }));
}

describe("1. late money after our expiry", () => {
  it("keeps the gateway's own expiry and polls the expired charge until it, plus a margin; late money is credited once", async () => {
    // Tripay-like: no cancel call, and the QR lives 30 minutes (our payment: 15).
    const gw = gateway("gw-a", { cancelSupport: false });
    gw.qrLifetimeMs = 30 * minute;
    h = await startGatewayShop([gw]);
    const qr = await checkoutQris(h.app, "late", netflix);
    const t0 = (await h.store.get(qr.id))!.createdAt;
    const payment = await h.store.get(qr.id);
    expect(payment?.gateway?.expiresAt).toBeGreaterThanOrEqual(t0 + 30 * minute);

    expect(await h.app.payments.expireDue(t0 + ttlMs + 1)).toBe(1);
    expect((await h.app.orders.get(qr.id))?.status).toBe("expired");
    // The last check after the expiry: still pending at the gateway, polled on (less often).
    expect(await h.app.payments.pollGateways(t0 + ttlMs + 2)).toBe(0);
    const next = await h.store.nextPoll(qr.id);
    expect(next).toBeGreaterThanOrEqual(t0 + ttlMs + 2 * minute);
    expect(next).toBeLessThanOrEqual(t0 + ttlMs + 5 * minute);

    // The payer scans the still-valid QR at minute 25; the notification is lost.
    gw.pay(qr.id);
    expect(await h.app.payments.pollGateways(t0 + 25 * minute)).toBe(1);
    expect(await ledgerOf(h, "console:late")).toEqual([{ id: `late:${qr.id}`, amount: price, reason: "late_payment" }]);
    expect(h.toldTo("late", "qris-late-credited")).toHaveLength(1);
    expect(h.alertsOf("admin-alert-late-payment")).toHaveLength(1);
    // Paid: no longer polled; polling again changes nothing.
    expect(await h.store.nextPoll(qr.id)).toBeNull();
    const calls = gw.statusCalls;
    expect(await h.app.payments.pollGateways(t0 + 60 * minute)).toBe(0);
    expect(gw.statusCalls).toBe(calls);
    expect(await expectSoundWallet(h.app, "console:late")).toBe(price);
  });

  it("stops polling an unpaid expired charge after the gateway's expiry plus the margin, with one check past it", async () => {
    const gw = gateway("gw-a", { cancelSupport: false });
    gw.qrLifetimeMs = 30 * minute;
    h = await startGatewayShop([gw]);
    const qr = await checkoutQris(h.app, "lapse", netflix);
    const t0 = (await h.store.get(qr.id))!.createdAt;
    await h.app.payments.expireDue(t0 + ttlMs + 1);
    await h.app.payments.pollGateways(t0 + 20 * minute);
    expect(await h.store.nextPoll(qr.id)).not.toBeNull();
    const calls = gw.statusCalls;
    expect(await h.app.payments.pollGateways(t0 + 45 * minute)).toBe(0);
    expect(gw.statusCalls).toBe(calls + 1); // the last check
    expect(await h.store.nextPoll(qr.id)).toBeNull();
  });

  it("a cancel that answered 'cancelled' but left the charge payable is checked by status: money paid after it is found", async () => {
    const gw = gateway("gw-a");
    h = await startGatewayShop([gw]);
    const qr = await checkoutQris(h.app, "lie", netflix);
    const t0 = (await h.store.get(qr.id))!.createdAt;
    // The gateway says cancelled but the charge stays pending (a 2xx that did nothing).
    gw.cancel = async (ref) => {
      gw.cancelCalls.push(ref);
      return "cancelled";
    };
    await h.app.payments.expireDue(t0 + ttlMs + 1);
    expect(gw.cancelCalls).toHaveLength(1);
    gw.pay(qr.id);
    expect(await h.app.payments.pollGateways(t0 + ttlMs + 2)).toBe(1);
    expect(await ledgerOf(h, "console:lie")).toEqual([{ id: `late:${qr.id}`, amount: price, reason: "late_payment" }]);
  });

  it("a failed cancel is tried again by the late polls, three times in all; a charge the gateway says cancelled ends the polls", async () => {
    const gw = gateway("gw-a");
    h = await startGatewayShop([gw]);
    const qr = await checkoutQris(h.app, "retry", netflix);
    const t0 = (await h.store.get(qr.id))!.createdAt;
    gw.failCancel = "refused";
    await h.app.payments.expireDue(t0 + ttlMs + 1);
    expect(gw.cancelCalls).toHaveLength(1);
    await h.app.payments.pollGateways(t0 + ttlMs + 2);
    await h.app.payments.pollGateways(t0 + ttlMs + 4 * minute);
    expect(gw.cancelCalls).toHaveLength(3);
    await h.app.payments.pollGateways(t0 + ttlMs + 8 * minute);
    expect(gw.cancelCalls).toHaveLength(3); // at most three
    expect(await h.store.nextPoll(qr.id)).not.toBeNull();

    // A second payment: its cancel fails once, the retry goes through, the next status says cancelled.
    const other = await checkoutQris(h.app, "retry2", netflix);
    const t1 = (await h.store.get(other.id))!.createdAt;
    gw.failCancel = "unavailable";
    await h.app.payments.expireDue(t1 + ttlMs + 1);
    gw.failCancel = null;
    const calls = gw.statusCalls;
    await h.app.payments.pollGateways(t1 + ttlMs + 2);
    expect(gw.cancelled).toEqual([other.id]);
    // Checked by status after the cancel (its answer alone proves nothing): cancelled, so polls end.
    expect(gw.statusCalls).toBe(calls + 1);
    expect(await h.store.nextPoll(other.id)).toBeNull();
  });
});

describe("2. polls survive throws and crashes", () => {
  it("a throw for one payment does not stop the others, and the payment stays polled", async () => {
    const gw = gateway("gw-a");
    h = await startGatewayShop([gw]);
    const a = await checkoutQris(h.app, "pa", netflix);
    const b = await checkoutQris(h.app, "pb", netflix);
    gw.pay(a.id);
    gw.pay(b.id);
    // a's record cannot be read (a bug, a half-migrated record): reading it throws.
    const doc = await h.app.redis.hget(`payment:${a.id}`, "doc");
    await h.app.redis.hset(`payment:${a.id}`, "doc", "{not json");
    expect(await h.app.payments.pollGateways(Date.now() + 31_000)).toBe(1);
    await h.app.settled("console:pb");
    expect((await h.app.orders.get(b.id))?.status).toBe("delivered");
    expect(await h.store.nextPoll(a.id)).not.toBeNull();
    // Repaired: polled again once its lease ends.
    await h.app.redis.hset(`payment:${a.id}`, "doc", doc!);
    expect(await h.app.payments.pollGateways(Date.now() + 10 * minute)).toBe(1);
    await h.app.settled("console:pa");
    expect((await h.app.orders.get(a.id))?.status).toBe("delivered");
  });

  it("ids claimed by a process that died are polled again once its lease ends", async () => {
    const gw = gateway("gw-a");
    h = await startGatewayShop([gw]);
    const qr = await checkoutQris(h.app, "crash", netflix);
    gw.pay(qr.id);
    const t = Date.now() + 31_000;
    // Another process claims the due ids and dies before asking.
    expect(await h.store.claimPolls(t)).toEqual([qr.id]);
    expect(await h.app.payments.pollGateways(t)).toBe(0); // leased to the dead process
    expect(await h.app.payments.pollGateways(t + 3 * minute)).toBe(1);
    await h.app.settled("console:crash");
    expect((await h.app.orders.get(qr.id))?.status).toBe("delivered");
  });
});

describe("3. notifications cost few status calls", () => {
  it("a flood of forged or replayed notifications for an open payment makes one status call per window, without retries", async () => {
    const gw = gateway("gw-a");
    h = await startGatewayShop([gw]);
    const qr = await checkoutQris(h.app, "flood", netflix);
    const answers = [];
    for (let i = 0; i < 20; i++) answers.push((await h.notify(gw, gw.notification(qr.id))).status);
    expect(gw.statusCalls).toBe(1);
    expect(gw.statusOptions).toEqual([{ once: true }]);
    // The first is refused (claims money the status does not show); the rest are answered without a call.
    expect(answers[0]).toBe(400);
    expect(answers.slice(1)).toEqual(Array(19).fill(200));
    expect(h.alertsOf("admin-alert-gateway-rejected")).toHaveLength(1);
    expect(await fullLedger(h.app, "console:flood")).toEqual([]);
  });

  it("a payment past its charge's life is not asked about for a notification", async () => {
    const gw = gateway("gw-a", { cancelSupport: false });
    h = await startGatewayShop([gw]);
    const qr = await checkoutQris(h.app, "old", netflix);
    const payment = (await h.store.get(qr.id))!;
    await h.app.payments.expireDue(Date.now() + ttlMs + 1);
    // Its charge's life plus the margin ended long ago (the polls checked it until then): as if the clock moved on.
    const doc = { ...(await h.store.get(qr.id))!, expiresAt: payment.createdAt - 60 * minute, gateway: { ...payment.gateway!, expiresAt: payment.createdAt - 60 * minute } };
    await h.app.redis.hset(`payment:${qr.id}`, "doc", JSON.stringify(doc));
    const calls = gw.statusCalls;
    expect((await h.notify(gw, gw.notification(qr.id))).status).toBe(200);
    expect(gw.statusCalls).toBe(calls);
  });
});

describe("4. a gateway outage", () => {
  it("is asked once per poll run, without retries; every payment stays polled", async () => {
    const gw = gateway("gw-a");
    h = await startGatewayShop([gw]);
    const ids = [];
    for (const chat of ["o1", "o2", "o3", "o4"]) ids.push((await checkoutQris(h.app, chat, netflix)).id);
    gw.failStatus = "unavailable";
    expect(await h.app.payments.pollGateways(Date.now() + 31_000)).toBe(0);
    expect(gw.statusCalls).toBe(1);
    expect(gw.statusOptions).toEqual([{ once: true }]);
    for (const id of ids) expect(await h.store.nextPoll(id)).not.toBeNull();
    // Back up: the next run asks about every one.
    gw.failStatus = null;
    gw.pay(ids[2]!);
    expect(await h.app.payments.pollGateways(Date.now() + 2 * minute)).toBe(1);
    expect(gw.statusCalls).toBe(5);
  });

  it("an expiry run asks a down gateway once, then expires the rest without asking", async () => {
    const gw = gateway("gw-a");
    h = await startGatewayShop([gw]);
    for (const chat of ["e1", "e2", "e3"]) await checkoutQris(h.app, chat, netflix);
    gw.failStatus = "unavailable";
    gw.failCancel = "unavailable";
    expect(await h.app.payments.expireDue(Date.now() + ttlMs + 1)).toBe(3);
    expect(gw.statusCalls).toBe(1);
    expect(gw.cancelCalls).toHaveLength(0);
  });
});

describe("5. hint semantics", () => {
  it("an authentic 'expired' notice whose status agrees is acknowledged without an alert", async () => {
    const gw = gateway("gw-a");
    h = await startGatewayShop([gw]);
    const qr = await checkoutQris(h.app, "exp", netflix);
    gw.expire(qr.id);
    expect((await h.notify(gw, gw.notification(qr.id, { status: "expired" }))).status).toBe(200);
    expect(h.alerts).toEqual([]);
  });
});

describe("7. a gateway removed from QRIS_GATEWAYS", () => {
  it("its open payments alert the admins once, and are not polled forever", async () => {
    const gw = gateway("gw-a");
    h = await startGatewayShop([gw]);
    const t0 = Date.now();
    // A payment served by a gateway the owner has since removed.
    const input = { id: "TOP-GONE000001", kind: "topup" as const, purpose: "topup:20000", buyer: "console:gone", channel: "console" as const, chatId: "gone", locale: "id" as const, baseAmount: 20_000, createdAt: t0, expiresAt: t0 + ttlMs };
    const record = { id: "gw-gone", transactionId: "GONE-TX-1", total: 20_000, fee: 0, feeOnPayer: false, credit: 20_000, feeCost: 0, expiresAt: t0 + ttlMs };
    expect((await h.store.openGateway(input, record, t0 + 30_000)).ok).toBe(true);
    await h.app.payments.pollGateways(t0 + 31_000);
    await h.app.payments.pollGateways(t0 + 2 * minute);
    await h.app.payments.expireDue(t0 + ttlMs + 1);
    expect(h.alertsOf("admin-alert-gateway-unconfigured")).toHaveLength(1);
    expect(h.alertsOf("admin-alert-gateway-unconfigured")[0]!.text).toContain("gw-gone");
    await h.app.payments.pollGateways(t0 + ttlMs + 11 * minute);
    expect(await h.store.nextPoll(input.id)).toBeNull();
  });
});

describe("8. fees", () => {
  it("a split fee's merchant part is recorded as the shop's cost", () => {
    const charge = { transactionId: "T1", qrString: "qr", total: 10_400, fee: 400, feeOnPayer: true, merchantFee: 450, expiresAt: 1 };
    expect(gatewayRecord("tripay", charge, "buyer")).toMatchObject({ total: 10_400, credit: 10_000, feeCost: 450 });
    expect(gatewayRecord("tripay", charge, "shop")).toMatchObject({ total: 10_400, credit: 10_400, feeCost: 850 });
  });

  it("end to end: the buyer pays their part, /stats counts the merchant part", async () => {
    const gw = gateway("gw-a", { fee: 400, tamper: (charge) => ({ ...charge, merchantFee: 450 }) });
    h = await startGatewayShop([gw]);
    const since = Date.now();
    const qr = await checkoutQris(h.app, "split", netflix);
    gw.pay(qr.id);
    expect((await h.notify(gw, gw.notification(qr.id))).status).toBe(200);
    await h.app.settled("console:split");
    expect(await expectSoundWallet(h.app, "console:split")).toBe(0);
    expect(await h.app.payments.gatewayFeesSince(since)).toBe(450);
  });

  it("an unused charge is cancelled by the amount asked (QRIS_FEE_PAYER=shop, the payer's fee on top)", async () => {
    // The gateway answers without a QR: the charge cannot be honoured and is cancelled at once.
    const gw = gateway("gw-a", { fee: 700, tamper: (charge) => ({ ...charge, qrString: "" }) });
    const next = gateway("gw-b");
    h = await startGatewayShop([gw, next], { QRIS_FEE_PAYER: "shop" });
    const qr = qrisOf(await h.app.payments.startTopup({ buyer: "console:fresh", channel: "console", chatId: "fresh", locale: "id" }, 20_000));
    expect(gw.cancelled).toEqual([qr.id]);
    expect(gw.cancelCalls[0]?.amount).toBe(20_000);
  });
});

describe("9. notifications for charges we abandoned", () => {
  it("an 'expired' notice is acknowledged quietly; a paid one alerts the admins once and is acknowledged", async () => {
    const first = gateway("gw-a");
    const second = gateway("gw-b");
    h = await startGatewayShop([first, second]);
    first.failCreate = "unavailable";
    const qr = await checkoutQris(h.app, "ab", netflix);
    first.failCreate = null;
    expect((await h.app.orders.get(qr.id))?.payment.gateway).toBe("gw-b");
    // gw-a made the charge after all (our create timed out before its answer).
    await first.create({ paymentId: qr.id, amount: price, expiresAt: Date.now() + ttlMs, itemName: "Netflix" });
    const alertsBefore = h.alerts.length;

    first.expire(qr.id);
    const expired = first.notification(qr.id, { status: "expired" });
    expect((await h.notify(first, expired)).status).toBe(200);
    expect((await h.notify(first, expired)).status).toBe(200);
    expect(h.alerts.length).toBe(alertsBefore);

    // Someone paid gw-a's QR after all (it reached them somehow): money stranded at gw-a.
    first.pay(qr.id);
    const paid = first.notification(qr.id);
    expect((await h.notify(first, paid)).status).toBe(200);
    expect(h.alertsOf("admin-alert-gateway-stranded")).toHaveLength(1);
    expect(h.alertsOf("admin-alert-gateway-stranded")[0]!.text).toContain(qr.id);
    expect(h.alertsOf("admin-alert-gateway-rejected")).toHaveLength(0);
    expect(await fullLedger(h.app, "console:ab")).toEqual([]);
    expect((await h.app.orders.get(qr.id))?.status).toBe("awaiting_payment");
  });
});
