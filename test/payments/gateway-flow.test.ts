/**
 * Issue 15, the core: QRIS issued by gateways (a scripted in-process gateway, strict, see
 * `test/fakes/scripted-gateway.ts`) inside the real App (real Redis, the counting sandbox, the
 * real HTTP server on a free port, notifications posted to `POST /payments/<gateway>`).
 *
 * Checked: the QR is exactly the gateway's QRIS text, captioned with the gateway's total and no
 * unique code; a signed notification is confirmed through the status API and delivers once
 * (duplicates, concurrent or repeated, change nothing); every bad notification kind moves no
 * money and alerts the admins (grouped); a down gateway hands over to the next, and the admins
 * hear of it once per window; all down → the buyer is told and the order expires; a lost
 * notification is made good by the status poll; expiry cancels the charge at the gateway; money
 * paid before the cancel or notified after expiry is credited late, once; both fee modes keep
 * balance = ledger; a replacement is a new payment with its own charge.
 */
import { afterEach, describe, expect, it } from "vitest";
import { testConfig } from "../helpers/app.js";
import { ScriptedGateway, type ScriptedGatewayOptions } from "../fakes/scripted-gateway.js";
import {
  checkout,
  checkoutQris,
  decodeQr,
  expectSoundWallet,
  fullLedger,
  keysOf,
  postCallback,
  qrisEnv,
  qrisOf,
  startPaymentsApp,
  type PaymentsHarness,
} from "./support.js";
import { asList } from "../../src/core/reply.js";
import { paymentLines } from "../../src/admin/commands/payment.js";

/** Netflix (sandbox, instant delivery): Rp 30.000. */
const netflix = "SB-NFX1";
const price = 30_000;
const ttlMs = 15 * 60_000;

interface GatewayShop extends PaymentsHarness {
  baseUrl: string;
  notify(gateway: ScriptedGateway, note: { body: string; headers: Record<string, string> }): Promise<{ status: number; json: unknown }>;
}

let h: GatewayShop | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

/** The real app with `sources` as QRIS_GATEWAYS (in order), listening on a free port. */
async function startGatewayShop(sources: readonly ("static" | ScriptedGateway)[], env: Record<string, string> = {}): Promise<GatewayShop> {
  const config = {
    ...testConfig(qrisEnv({ QRIS_MAX_OPEN_PER_BUYER: "10", ...env })),
    qrisGateways: sources.map((source) => (source === "static" ? { id: "static" as const, create: null } : { id: source.id, create: () => source })),
  };
  const started = await startPaymentsApp(env, { config });
  const baseUrl = `http://127.0.0.1:${await started.app.http.listen(0, "127.0.0.1")}`;
  return { ...started, baseUrl, notify: (gateway, note) => postCallback(baseUrl, note.body, note.headers, `/payments/${gateway.id}`) };
}

function gateway(id: string, options: ScriptedGatewayOptions = {}): ScriptedGateway {
  return new ScriptedGateway(id, options);
}

async function ledgerIds(shop: GatewayShop, buyer: string) {
  return (await fullLedger(shop.app, buyer)).map(({ id, amount, reason }) => ({ id, amount, reason }));
}

describe("an order paid through a QRIS gateway", () => {
  it("shows exactly the gateway's QR with its total; a signed notification confirmed by status delivers once", async () => {
    const midtrans = gateway("gw-a", { fee: 700 });
    h = await startGatewayShop([midtrans, "static"]);
    const qr = await checkoutQris(h.app, "u1", netflix);

    expect(midtrans.created).toEqual([expect.objectContaining({ paymentId: qr.id, amount: price })]);
    expect(decodeQr(qr.photo.png)).toBe(midtrans.qrOf(qr.id));
    // The buyer pays the fee: the QR asks the gateway's total; no unique code on a gateway payment.
    expect(qr.amount).toBe(price + 700);
    const captionKeys = asList(qr.photo.caption).map((m) => m.key);
    expect(captionKeys).toContain("qris-gateway-fee");
    expect(captionKeys).not.toContain("qris-exact-amount");
    const order = await h.app.orders.get(qr.id);
    expect(order).toMatchObject({ status: "awaiting_payment", payment: { method: "qris", amount: price, gateway: "gw-a" } });
    // No unique total was claimed: static money of that amount can never name this payment.
    expect(await h.app.redis.hlen("payments:open-amounts")).toBe(0);

    midtrans.pay(qr.id);
    const note = midtrans.notification(qr.id);
    expect(await h.notify(midtrans, note)).toEqual({ status: 200, json: { success: true } });
    await h.app.settled("console:u1");
    expect(await ledgerIds(h, "console:u1")).toEqual([
      { id: `qris:${qr.id}`, amount: price, reason: "topup" },
      { id: `pay:${qr.id}`, amount: -price, reason: "purchase" },
    ]);
    expect(await expectSoundWallet(h.app, "console:u1")).toBe(0);
    expect((await h.app.orders.get(qr.id))?.status).toBe("delivered");
    expect(h.provider.placed).toEqual([qr.id]);

    // The gateway retrying the same notification: answered as it expects, nothing more moves.
    expect(await h.notify(midtrans, note)).toEqual({ status: 200, json: { success: true } });
    await h.app.settled("console:u1");
    expect(await fullLedger(h.app, "console:u1")).toHaveLength(2);
    expect(h.provider.placed).toEqual([qr.id]);
    expect(h.toldTo("u1", "qris-paid-order")).toHaveLength(1);
    expect(h.alerts).toEqual([]);
  });

  it("credits once when the same notification arrives many times at once", async () => {
    const gw = gateway("gw-a");
    h = await startGatewayShop([gw]);
    const qr = await checkoutQris(h.app, "dup", netflix);
    gw.pay(qr.id);
    const note = gw.notification(qr.id);
    const answers = await Promise.all(Array.from({ length: 8 }, () => h!.notify(gw, note)));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    await h.app.settled("console:dup");
    expect((await fullLedger(h.app, "console:dup")).map((e) => e.id).sort()).toEqual([`pay:${qr.id}`, `qris:${qr.id}`]);
    expect(await expectSoundWallet(h.app, "console:dup")).toBe(0);
    expect(h.provider.placed).toEqual([qr.id]);
    expect(h.toldTo("dup", "order-delivered")).toHaveLength(1);
  });

  it("tops up the wallet with the asked amount, the buyer's fee kept out of it", async () => {
    const gw = gateway("gw-a", { fee: 500 });
    h = await startGatewayShop([gw]);
    const qr = qrisOf(await h.app.payments.startTopup({ buyer: "console:top", channel: "console", chatId: "top", locale: "id" }, 50_000));
    expect(qr.amount).toBe(50_500);
    gw.pay(qr.id);
    expect((await h.notify(gw, gw.notification(qr.id))).status).toBe(200);
    expect(await ledgerIds(h, "console:top")).toEqual([{ id: `qris:${qr.id}`, amount: 50_000, reason: "topup" }]);
    expect(await expectSoundWallet(h.app, "console:top")).toBe(50_000);
    expect(h.toldTo("top", "topup-paid")).toHaveLength(1);
  });
});

describe("bad notifications", () => {
  it("move no money, answer 4xx and alert the admins once per minute per gateway, with a count", async () => {
    const gw = gateway("gw-a");
    const other = gateway("gw-b");
    h = await startGatewayShop([gw, other]);
    const qr = await checkoutQris(h.app, "bad", netflix);
    const tx = gw.transactionOf(qr.id);
    // A second payment, served by the other gateway (gw-a down for it).
    gw.failCreate = "unavailable";
    const otherQr = qrisOf(await h.app.payments.startTopup({ buyer: "console:bad2", channel: "console", chatId: "bad2", locale: "id" }, 20_000));
    gw.failCreate = null;
    const alertsBefore = h.alerts.length;

    const bad: [string, { body: string; headers: Record<string, string> }, number][] = [
      ["unsigned", gw.notification(qr.id, {}, { sign: false }), 401],
      ["bad signature", gw.notification(qr.id, {}, { secret: "someone-else" }), 401],
      ["malformed", gw.notification(qr.id, {}, { rawBody: "{not json" }), 400],
      ["missing fields", gw.notification(qr.id, {}, { rawBody: JSON.stringify({ merchant: "M-gw-a", order_id: qr.id }) }), 400],
      ["another merchant", gw.notification(qr.id, { merchant: "M-other" }), 400],
      ["wrong amount", gw.notification(qr.id, { amount: price - 1 }), 400],
      ["wrong transaction", gw.notification(qr.id, { transaction_id: "GW-A-TX-999" }), 400],
      ["unknown order", gw.notification("ORD-NOTOURS99", { transaction_id: tx, amount: price }), 400],
      ["another gateway's payment", gw.notification(otherQr.id, { transaction_id: other.transactionOf(otherQr.id), amount: 20_000 }), 400],
    ];
    for (const [what, note, status] of bad) {
      expect((await h.notify(gw, note)).status, what).toBe(status);
    }
    // Authentic-looking but not paid at the gateway (a replay of an old body, or a forgery the
    // status disagrees with): nothing moves, the gateway is answered so it stops.
    expect((await h.notify(gw, gw.notification(qr.id))).status).toBe(200);
    // The status API itself says another order or currency: refused.
    gw.pay(qr.id, price, "USD");
    expect((await h.notify(gw, gw.notification(qr.id))).status).toBe(400);

    expect(await fullLedger(h.app, "console:bad")).toEqual([]);
    expect((await h.app.orders.get(qr.id))?.status).toBe("awaiting_payment");
    expect(h.provider.placed).toEqual([]);
    const rejected = h.alertsOf("admin-alert-gateway-rejected");
    expect(rejected).toHaveLength(1); // grouped: one per gateway per minute
    expect(h.alerts.length - alertsBefore).toBe(1);

    // The real payment still goes through afterwards.
    gw.pay(qr.id);
    expect((await h.notify(gw, gw.notification(qr.id))).status).toBe(200);
    await h.app.settled("console:bad");
    expect((await h.app.orders.get(qr.id))?.status).toBe("delivered");
    expect(await expectSoundWallet(h.app, "console:bad")).toBe(0);
  });

  it("an underpaid charge moves no money and tells the admins", async () => {
    const gw = gateway("gw-a");
    h = await startGatewayShop([gw]);
    const qr = await checkoutQris(h.app, "short", netflix);
    gw.pay(qr.id, price - 1_000);
    expect((await h.notify(gw, gw.notification(qr.id))).status).toBe(200);
    expect(await fullLedger(h.app, "console:short")).toEqual([]);
    expect((await h.app.orders.get(qr.id))?.status).toBe("awaiting_payment");
    expect(h.alertsOf("admin-alert-underpaid")).toHaveLength(1);
  });

  it("answers 503 while the status API is down, so the gateway retries; its retry then confirms", async () => {
    const gw = gateway("gw-a");
    h = await startGatewayShop([gw]);
    const qr = await checkoutQris(h.app, "down", netflix);
    gw.pay(qr.id);
    gw.failStatus = "unavailable";
    expect((await h.notify(gw, gw.notification(qr.id))).status).toBe(503);
    expect(await fullLedger(h.app, "console:down")).toEqual([]);
    gw.failStatus = null;
    expect((await h.notify(gw, gw.notification(qr.id))).status).toBe(200);
    await h.app.settled("console:down");
    expect((await h.app.orders.get(qr.id))?.status).toBe("delivered");
  });
});

describe("failover", () => {
  it("a down first gateway hands over to the second: its QR is shown, the admins told once per window", async () => {
    const first = gateway("gw-a");
    const second = gateway("gw-b");
    first.failCreate = "unavailable";
    h = await startGatewayShop([first, second]);
    const qr = await checkoutQris(h.app, "fo", netflix);
    expect(decodeQr(qr.photo.png)).toBe(second.qrOf(qr.id));
    expect((await h.app.orders.get(qr.id))?.payment.gateway).toBe("gw-b");
    const failover = h.alertsOf("admin-alert-qris-failover");
    expect(failover).toHaveLength(1);
    expect(failover[0]!.text).toContain("gw-a");
    expect(failover[0]!.text).toContain("gw-b");

    const again = await checkoutQris(h.app, "fo2", netflix);
    expect(decodeQr(again.photo.png)).toBe(second.qrOf(again.id));
    expect(h.alertsOf("admin-alert-qris-failover")).toHaveLength(1); // grouped

    second.pay(qr.id);
    expect((await h.notify(second, second.notification(qr.id))).status).toBe(200);
    await h.app.settled("console:fo");
    expect((await h.app.orders.get(qr.id))?.status).toBe("delivered");
  });

  it("a refusal or a down gateway before the static QRIS falls back to the owner's QRIS with a unique total", async () => {
    const gw = gateway("gw-a");
    gw.failCreate = "refused";
    h = await startGatewayShop([gw, "static"]);
    const qr = await checkoutQris(h.app, "st", netflix);
    expect(qr.amount).toBeGreaterThan(price);
    expect(asList(qr.photo.caption).map((m) => m.key)).toContain("qris-exact-amount");
    expect((await h.app.payments.receive(qr.amount, "BANK-1")).kind).toBe("confirmed");
  });

  it("when every gateway fails the buyer is told QRIS is unavailable and the order expires", async () => {
    const first = gateway("gw-a");
    const second = gateway("gw-b");
    first.failCreate = "unavailable";
    second.failCreate = "malformed";
    h = await startGatewayShop([first, second]);
    const replies = await checkout(h.app, "none", netflix, "2");
    expect(replies.flatMap(keysOf)).toEqual(["qris-unavailable"]);
    const orders = await h.app.orders.recent(10);
    expect(orders.map((o) => o.status)).toEqual(["expired"]);
    expect(h.alertsOf("admin-alert-qris-unavailable")).toHaveLength(2);
    const topup = await h.app.payments.startTopup({ buyer: "console:none", channel: "console", chatId: "none", locale: "id" }, 20_000);
    expect(topup.flatMap(keysOf)).toEqual(["qris-unavailable-topup"]);
  });
});

describe("status polling", () => {
  it("confirms a payment whose notification never came, once, and only when it is due", async () => {
    const gw = gateway("gw-a");
    h = await startGatewayShop([gw]);
    const qr = await checkoutQris(h.app, "poll", netflix);
    expect(await h.app.payments.pollGateways()).toBe(0); // not due yet
    expect(gw.statusCalls).toBe(0);
    expect(await h.app.payments.pollGateways(Date.now() + 31_000)).toBe(0); // due, still pending
    expect(gw.statusCalls).toBe(1);
    gw.pay(qr.id);
    // Two processes polling at once: the payment is claimed by one.
    const polled = await Promise.all([h.app.payments.pollGateways(Date.now() + 62_000), h.app.payments.pollGateways(Date.now() + 62_000)]);
    expect(polled.sort()).toEqual([0, 1]);
    expect(gw.statusCalls).toBe(2);
    await h.app.settled("console:poll");
    expect((await h.app.orders.get(qr.id))?.status).toBe("delivered");
    expect(await expectSoundWallet(h.app, "console:poll")).toBe(0);
    // Paid: no longer polled.
    expect(await h.app.payments.pollGateways(Date.now() + 200_000)).toBe(0);
    expect(gw.statusCalls).toBe(2);
  });
});

describe("expiry", () => {
  it("cancels the charge at the gateway; a notification afterwards is credited late, once", async () => {
    const gw = gateway("gw-a", { cancelSupport: false });
    h = await startGatewayShop([gw]);
    const qr = await checkoutQris(h.app, "late", netflix);
    expect(await h.app.payments.expireDue(Date.now() + ttlMs + 1)).toBe(1);
    expect((await h.app.orders.get(qr.id))?.status).toBe("expired");
    expect(h.toldTo("late", "qris-expired")).toHaveLength(1);
    // No longer polled after expiry.
    expect(await h.app.payments.pollGateways(Date.now() + ttlMs * 2)).toBe(0);

    gw.pay(qr.id);
    const note = gw.notification(qr.id);
    expect((await h.notify(gw, note)).status).toBe(200);
    expect((await h.notify(gw, note)).status).toBe(200);
    expect(await ledgerIds(h, "console:late")).toEqual([{ id: `late:${qr.id}`, amount: price, reason: "late_payment" }]);
    expect(await expectSoundWallet(h.app, "console:late")).toBe(price);
    expect((await h.app.orders.get(qr.id))?.status).toBe("expired");
    expect(h.provider.placed).toEqual([]);
    expect(h.toldTo("late", "qris-late-credited")).toHaveLength(1);
  });

  it("calls cancel at the gateway; money that arrived before the cancel is found by status and credited late", async () => {
    const gw = gateway("gw-a");
    h = await startGatewayShop([gw]);
    const unpaid = await checkoutQris(h.app, "exp1", netflix);
    const paid = await checkoutQris(h.app, "exp2", netflix);
    gw.pay(paid.id);
    expect(await h.app.payments.expireDue(Date.now() + ttlMs + 1)).toBe(2);
    expect(gw.cancelled).toEqual([unpaid.id]);
    expect(await ledgerIds(h, "console:exp1")).toEqual([]);
    expect(await ledgerIds(h, "console:exp2")).toEqual([{ id: `late:${paid.id}`, amount: price, reason: "late_payment" }]);
    // The gateway's notification of that money, arriving now, changes nothing more.
    expect((await h.notify(gw, gw.notification(paid.id))).status).toBe(200);
    expect(await fullLedger(h.app, "console:exp2")).toHaveLength(1);
    expect(await expectSoundWallet(h.app, "console:exp2")).toBe(price);
  });
});

describe("replacement and limits", () => {
  it("asking again for the same product is a new payment id with its own charge; the older is cancelled", async () => {
    const gw = gateway("gw-a");
    h = await startGatewayShop([gw]);
    const first = await checkoutQris(h.app, "re", netflix);
    const second = await checkoutQris(h.app, "re", netflix);
    expect(second.id).not.toBe(first.id);
    expect(gw.created.map((c) => c.paymentId)).toEqual([first.id, second.id]);
    expect(gw.cancelled).toEqual([first.id]);
    expect((await h.app.orders.get(first.id))?.status).toBe("expired");
    gw.pay(second.id);
    expect((await h.notify(gw, gw.notification(second.id))).status).toBe(200);
    await h.app.settled("console:re");
    expect((await h.app.orders.get(second.id))?.status).toBe("delivered");
  });

  it("does not make a charge for a buyer already holding the most open payments", async () => {
    const gw = gateway("gw-a");
    h = await startGatewayShop([gw], { QRIS_MAX_OPEN_PER_BUYER: "1" });
    await h.app.payments.startTopup({ buyer: "console:lim", channel: "console", chatId: "lim", locale: "id" }, 20_000);
    const refused = await h.app.payments.startTopup({ buyer: "console:lim", channel: "console", chatId: "lim", locale: "id" }, 30_000);
    expect(refused.flatMap(keysOf)).toEqual(["qris-too-many-open"]);
    expect(gw.created).toHaveLength(1);
  });
});

describe("fees", () => {
  it("QRIS_FEE_PAYER=shop: the buyer pays the price, the fee is a cost summed for /stats", async () => {
    const gw = gateway("gw-a", { fee: 700, feeOnPayer: false });
    h = await startGatewayShop([gw], { QRIS_FEE_PAYER: "shop" });
    const since = Date.now();
    const qr = await checkoutQris(h.app, "shop", netflix);
    expect(qr.amount).toBe(price);
    expect(asList(qr.photo.caption).map((m) => m.key)).not.toContain("qris-gateway-fee");
    gw.pay(qr.id);
    expect((await h.notify(gw, gw.notification(qr.id))).status).toBe(200);
    expect((await h.notify(gw, gw.notification(qr.id))).status).toBe(200);
    await h.app.settled("console:shop");
    expect(await ledgerIds(h, "console:shop")).toEqual([
      { id: `qris:${qr.id}`, amount: price, reason: "topup" },
      { id: `pay:${qr.id}`, amount: -price, reason: "purchase" },
    ]);
    expect(await h.app.payments.gatewayFeesSince(since)).toBe(700);
  });

  it("QRIS_FEE_PAYER=shop with a gateway that still adds the fee to the payer: the extra stays in the buyer's wallet", async () => {
    const gw = gateway("gw-a", { fee: 700, feeOnPayer: true });
    h = await startGatewayShop([gw], { QRIS_FEE_PAYER: "shop" });
    const qr = await checkoutQris(h.app, "shop2", netflix);
    expect(qr.amount).toBe(price + 700);
    gw.pay(qr.id);
    expect((await h.notify(gw, gw.notification(qr.id))).status).toBe(200);
    await h.app.settled("console:shop2");
    expect(await expectSoundWallet(h.app, "console:shop2")).toBe(700);
    expect(h.alertsOf("admin-alert-overpaid")).toEqual([]);
    expect(await h.app.payments.gatewayFeesSince(0)).toBe(700);
  });
});

describe("/payment", () => {
  it("shows our record and the gateway's live status", async () => {
    const gw = gateway("gw-a", { fee: 700 });
    h = await startGatewayShop([gw, "static"]);
    const qr = await checkoutQris(h.app, "insp", netflix);
    gw.pay(qr.id);
    const found = await h.app.payments.inspect(qr.id);
    expect(found).toMatchObject({ kind: "found", payment: { id: qr.id, status: "open", gateway: { id: "gw-a", total: price + 700 } }, live: { kind: "status", status: { state: "paid" } } });
    if (found.kind !== "found") throw new Error("not found");
    expect(paymentLines(found).map((m) => m.key)).toEqual(["admin-payment-head", "admin-payment-gateway", "admin-payment-times", "admin-payment-live"]);
    // Read only: nothing confirmed by looking.
    expect(await fullLedger(h.app, "console:insp")).toEqual([]);
    gw.failStatus = "unavailable";
    expect(await h.app.payments.inspect(qr.id)).toMatchObject({ live: { kind: "error", detail: "unavailable" } });
    expect(await h.app.payments.inspect("ORD-NOTHERE99")).toEqual({ kind: "not_found" });
  });
});
