/**
 * Issue 15 end to end with Tripay, beyond `telegram-gateway.test.ts` (which covers the payer's fee,
 * every bad callback, the replay, failover to the static QRIS, the lost callback and a top-up):
 * here Tripay's fee is the merchant's (the fake's default), Midtrans is second in `QRIS_GATEWAYS`,
 * and there is an admin group.
 *
 * Checked: the photo decodes to exactly Tripay's `qr_string`, captioned with the price and no fee
 * line; the signed callback, sent twice at once, delivers once; the fee is the shop's cost:
 * `/payment` says so and `/stats` shows "Biaya gateway" and the profit after it; Tripay timing out
 * → Midtrans' QR and a failover alert in the admin group; expiry → no cancel attempted (Tripay's
 * API has none); a late callback, sent twice at once → credited late, once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeMidtransServer } from "../fakes/midtrans-server.js";
import { FakeTripayServer, tripayEnv } from "../fakes/tripay-server.js";
import { phrase, shown } from "../helpers/shown.js";
import { formatRupiah } from "../../src/core/money.js";
import { midtransEnv, productPrice, startGatewayE2e, ttlMs, type GatewayE2e } from "./gateway-e2e.js";
import { decodeQr, expectSoundWallet, fullLedger } from "./support.js";

let tripay: FakeTripayServer;
let midtrans: FakeMidtransServer;
let e2e: GatewayE2e;
let url: string;

beforeAll(async () => {
  tripay = await FakeTripayServer.start({ feeOn: "merchant" });
  midtrans = await FakeMidtransServer.start();
  e2e = await startGatewayE2e({ QRIS_GATEWAYS: "tripay,midtrans", ...tripayEnv(tripay), ...midtransEnv(midtrans) });
  url = `${e2e.baseUrl}/payments/tripay`;
}, 30_000);

afterAll(async () => {
  await e2e?.close();
  await tripay?.close();
  await midtrans?.stop();
});

const ledgerOf = async (userId: number) => (await fullLedger(e2e.app, `telegram:${userId}`)).map((entry) => [entry.id, entry.amount]);

describe("paying by QRIS through Tripay, the fee on the merchant", () => {
  it("the buyer pays the price; the callback twice at once delivers once; /payment and /stats show the shop's fee", async () => {
    const { buyer, photo, orderId, amount } = await e2e.buyByQris(7301);
    const charge = tripay.find(orderId)!;
    expect(decodeQr(photo.photo!)).toBe(charge.qrString);
    expect(charge.feeCustomer).toBe(0);
    expect(charge.feeMerchant).toBeGreaterThan(0);
    expect(amount).toBe(productPrice);
    expect(photo.caption).not.toMatch(shown("qris-gateway-fee"));

    tripay.pay(orderId);
    const since = e2e.telegram.mark();
    const answers = await Promise.all([tripay.sendNotification(url, orderId), tripay.sendNotification(url, orderId)]);
    expect(answers.map((answer) => [answer.status, JSON.parse(answer.responseText)])).toEqual([
      [200, { success: true }],
      [200, { success: true }],
    ]);
    await buyer.expect(shown("order-delivered", { order: orderId }), since);
    await e2e.app.settled("telegram:7301");
    await e2e.telegram.waitForIdle(200, 10_000);
    expect(e2e.provider.placed).toEqual([orderId]);
    expect(e2e.toBuyer(7301, shown("order-delivered"))).toHaveLength(1);
    expect(await ledgerOf(7301)).toEqual([
      [`qris:${orderId}`, productPrice],
      [`pay:${orderId}`, -productPrice],
    ]);
    expect(await expectSoundWallet(e2e.app, "telegram:7301")).toBe(0);

    const payment = await e2e.askAdmin(`/payment ${orderId}`, shown("admin-payment-head", { id: orderId }));
    expect(payment).toMatch(shown("admin-payment-head", { id: orderId, status: phrase("admin-payment-status-paid"), amount: formatRupiah(productPrice) }));
    expect(payment).toMatch(
      shown("admin-payment-gateway", {
        gateway: "tripay",
        transaction: charge.reference,
        total: formatRupiah(productPrice),
        fee: formatRupiah(charge.feeMerchant),
        payer: phrase("admin-payment-fee-payer-shop"),
        credit: formatRupiah(productPrice),
      }),
    );
    expect(payment).toMatch(shown("admin-payment-confirmed", { by: "gateway:tripay", reference: `tripay:${charge.reference}` }));
    expect(payment).toMatch(shown("admin-payment-live", { gateway: "tripay", state: "paid" }));

    // The only sale of the day so far: its profit less the fee Tripay kept.
    const order = (await e2e.app.orders.get(orderId))!;
    const stats = await e2e.askAdmin("/stats", shown("admin-stats-title"));
    expect(stats).toMatch(
      shown("admin-stats-gateway-fees", { fees: formatRupiah(charge.feeMerchant), profit: formatRupiah(order.price - order.cost - charge.feeMerchant) }),
    );
  });

  it("Tripay timing out: the buyer gets Midtrans' QR and the admin group a failover alert", async () => {
    tripay.failNextCreate("timeout");
    const since = e2e.telegram.mark();
    const { photo, orderId, amount } = await e2e.buyByQris(7302);
    expect(tripay.find(orderId)).toBeUndefined();
    const charge = midtrans.transaction(orderId);
    expect(decodeQr(photo.photo!)).toBe(charge.qrString);
    expect(amount).toBe(productPrice);
    expect((await e2e.app.orders.get(orderId))?.payment.gateway).toBe("midtrans");
    await e2e.adminSees(shown("admin-alert-qris-failover", { from: "tripay", to: "midtrans", reason: "unavailable", id: orderId }), since);
  });

  it("expiry attempts no cancel at Tripay; a late callback, twice at once, credits the wallet once", async () => {
    const { buyer, orderId } = await e2e.buyByQris(7303);
    const callsBefore = tripay.calls.length;
    const since = e2e.telegram.mark();
    // The earlier test's Midtrans payment expires too (and is cancelled there).
    expect(await e2e.app.payments.expireDue(Date.now() + ttlMs + 1_000)).toBeGreaterThanOrEqual(1);
    await buyer.expect(shown("qris-expired", { id: orderId }), since);
    expect((await e2e.app.orders.get(orderId))?.status).toBe("expired");
    // Tripay's API has only create and detail: nothing was sent to it on expiry.
    expect(tripay.calls.slice(callsBefore)).toEqual([]);

    // Tripay's own QR outlives ours (10-minute minimum): the payer can still pay it.
    tripay.pay(orderId);
    const late = e2e.telegram.mark();
    const answers = await Promise.all([tripay.sendNotification(url, orderId), tripay.sendNotification(url, orderId)]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    await buyer.expect(shown("qris-late-credited", { id: orderId, amount: formatRupiah(productPrice) }), late);
    await e2e.adminSees(shown("admin-alert-late-payment", { id: orderId }), late);
    expect((await tripay.sendNotification(url, orderId, "replay")).status).toBe(200);
    await e2e.telegram.waitForIdle(200, 10_000);
    expect(await ledgerOf(7303)).toEqual([[`late:${orderId}`, productPrice]]);
    expect(e2e.toBuyer(7303, shown("qris-late-credited"))).toHaveLength(1);
    expect(e2e.provider.placed).not.toContain(orderId);
    expect(await expectSoundWallet(e2e.app, "telegram:7303")).toBe(productPrice);
  });
});
