/**
 * Issue 15 end to end with Midtrans: the real grammY bot against the fake Bot API, the real
 * Midtrans module against the fake Midtrans Core API (`test/fakes/midtrans-server.ts`, real
 * SHA-512 notification signatures), Pakasir second in `QRIS_GATEWAYS`, real HTTP to the app's
 * `POST /payments/midtrans`, alerts and `/payment` in the fake admin group.
 *
 * Checked: the photo decodes to exactly Midtrans' `qr_string`, captioned with its gross amount;
 * every bad notification (forged, unsigned, wrong amount, another order, malformed, a signed
 * pending notice) moves nothing; the signed one delivers once and a replay changes nothing; a
 * top-up by `/topup`; Midtrans answering 503 → Pakasir's QR and a failover alert in the admin
 * group; a lost notification → the status poll delivers, and `/payment` shows it; expiry → the
 * cancel call at Midtrans; a late notification after a failed cancel, sent twice at once →
 * credited to the wallet late, once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeMidtransServer } from "../fakes/midtrans-server.js";
import { FakePakasirServer } from "../fakes/pakasir-server.js";
import { textOf } from "../fakes/telegram-api.js";
import { phrase, shown } from "../helpers/shown.js";
import { formatRupiah } from "../../src/core/money.js";
import { midtransEnv, pakasirEnv, productPrice, startGatewayE2e, ttlMs, type GatewayE2e } from "./gateway-e2e.js";
import { decodeQr, expectSoundWallet, fullLedger } from "./support.js";

let midtrans: FakeMidtransServer;
let pakasir: FakePakasirServer;
let e2e: GatewayE2e;
let url: string;

beforeAll(async () => {
  midtrans = await FakeMidtransServer.start();
  pakasir = await FakePakasirServer.start();
  e2e = await startGatewayE2e({ QRIS_GATEWAYS: "midtrans,pakasir", ...midtransEnv(midtrans), ...pakasirEnv(pakasir) });
  url = `${e2e.baseUrl}/payments/midtrans`;
}, 30_000);

afterAll(async () => {
  await e2e?.close();
  await midtrans?.stop();
  await pakasir?.stop();
});

/** POSTs a captured notification body again, as an attacker replaying it would. */
async function postRaw(to: string, body: string): Promise<{ status: number }> {
  const response = await fetch(to, { method: "POST", headers: { "content-type": "application/json" }, body });
  await response.text();
  return { status: response.status };
}

const ledgerOf = async (userId: number) => (await fullLedger(e2e.app, `telegram:${userId}`)).map((entry) => [entry.id, entry.amount]);

describe("paying by QRIS through Midtrans on Telegram", () => {
  it("shows Midtrans' QR exactly; bad notifications move nothing; the signed one delivers once", async () => {
    const { buyer, photo, orderId, amount } = await e2e.buyByQris(7101);
    const charge = midtrans.transaction(orderId);
    expect(decodeQr(photo.photo!)).toBe(charge.qrString);
    expect(amount).toBe(productPrice);
    expect(charge.grossAmount).toBe(productPrice);
    // Midtrans adds no fee for the payer, and a gateway payment has no unique code.
    expect(photo.caption).not.toMatch(shown("qris-gateway-fee"));
    expect(photo.caption).not.toMatch(shown("qris-exact-amount"));
    expect((await e2e.app.orders.get(orderId))?.payment).toMatchObject({ method: "qris", gateway: "midtrans", amount: productPrice });

    midtrans.pay(orderId);
    const expected = { bad_signature: 401, unsigned: 401, wrong_amount: 400, other_order: 400, malformed: 400 } as const;
    for (const [variant, status] of Object.entries(expected)) {
      expect((await midtrans.sendNotification(url, orderId, variant as keyof typeof expected)).status, variant).toBe(status);
    }
    // A signed pending notice is authentic but says nothing happened: acknowledged, nothing moves.
    expect((await midtrans.sendNotification(url, orderId, "pending")).status).toBe(200);
    expect(await ledgerOf(7101)).toEqual([]);
    expect(e2e.provider.placed).toEqual([]);
    expect((await e2e.app.orders.get(orderId))?.status).toBe("awaiting_payment");
    await e2e.adminSees(shown("admin-alert-gateway-rejected", { gateway: "midtrans" }));

    const since = e2e.telegram.mark();
    const ok = await midtrans.sendNotification(url, orderId);
    expect(ok.status).toBe(200);
    await buyer.expect(shown("qris-paid-order", { id: orderId }), since);
    const delivered = await buyer.expect(shown("order-delivered", { order: orderId }), since);
    expect(textOf(delivered)).toMatch(shown("delivery-serial", { value: /SBX[0-9A-F]{16}/ }));

    // Midtrans' retry and a replay of the applied body byte for byte, at once: success, nothing more.
    const again = await Promise.all([midtrans.sendNotification(url, orderId), postRaw(url, ok.sent)]);
    expect(again.map((answer) => answer.status)).toEqual([200, 200]);
    await e2e.app.settled("telegram:7101");
    await e2e.telegram.waitForIdle(200, 10_000);
    expect(e2e.provider.placed).toEqual([orderId]);
    expect(e2e.toBuyer(7101, shown("order-delivered"))).toHaveLength(1);
    expect(await ledgerOf(7101)).toEqual([
      [`qris:${orderId}`, productPrice],
      [`pay:${orderId}`, -productPrice],
    ]);
    expect(await expectSoundWallet(e2e.app, "telegram:7101")).toBe(0);
  });

  it("a /topup is a Midtrans charge of the asked amount, credited once", async () => {
    const { buyer, photo, id, total } = await e2e.topupByQris(7102, 25_000);
    const charge = midtrans.transaction(id);
    expect(decodeQr(photo.photo!)).toBe(charge.qrString);
    expect(total).toBe(25_000);
    midtrans.pay(id);
    const since = e2e.telegram.mark();
    expect((await midtrans.sendNotification(url, id)).status).toBe(200);
    await buyer.expect(shown("topup-paid", { amount: formatRupiah(25_000), balance: formatRupiah(25_000) }), since);
    expect((await midtrans.sendNotification(url, id, "replay")).status).toBe(200);
    expect(await ledgerOf(7102)).toEqual([[`qris:${id}`, 25_000]]);
    expect(await expectSoundWallet(e2e.app, "telegram:7102")).toBe(25_000);
  });

  it("Midtrans answering 503: the buyer gets Pakasir's QR and the admin group a failover alert", async () => {
    midtrans.enqueue("POST /v2/charge", { kind: "http", status: 503, html: true });
    const since = e2e.telegram.mark();
    const { photo, orderId, amount } = await e2e.buyByQris(7103);
    expect(midtrans.transactions.has(orderId)).toBe(false);
    const charge = pakasir.transactions.get(orderId)!;
    expect(charge).toBeDefined();
    expect(decodeQr(photo.photo!)).toBe(charge.qrString);
    expect(amount).toBe(charge.total);
    expect(photo.caption).toMatch(shown("qris-gateway-fee", { fee: formatRupiah(charge.fee) }));
    expect((await e2e.app.orders.get(orderId))?.payment.gateway).toBe("pakasir");
    await e2e.adminSees(shown("admin-alert-qris-failover", { from: "midtrans", to: "pakasir", id: orderId }), since);
  });

  it("a lost notification: the status poll confirms and delivers; /payment shows who confirmed it", async () => {
    const { buyer, orderId } = await e2e.buyByQris(7104);
    midtrans.pay(orderId);
    // Not due yet (polled 30 s after the charge): nothing is asked.
    const statusCalls = midtrans.callsTo("GET /v2/:id/status", orderId).length;
    expect(await e2e.app.payments.pollGateways(Date.now())).toBe(0);
    expect(midtrans.callsTo("GET /v2/:id/status", orderId)).toHaveLength(statusCalls);
    const since = e2e.telegram.mark();
    expect(await e2e.app.payments.pollGateways(Date.now() + 31_000)).toBe(1);
    await buyer.expect(shown("order-delivered", { order: orderId }), since);
    expect(await expectSoundWallet(e2e.app, "telegram:7104")).toBe(0);
    expect(e2e.provider.placed.filter((id) => id === orderId)).toHaveLength(1);

    const shownPayment = await e2e.askAdmin(`/payment ${orderId}`, shown("admin-payment-head", { id: orderId }));
    expect(shownPayment).toMatch(shown("admin-payment-head", { id: orderId, status: phrase("admin-payment-status-paid"), amount: formatRupiah(productPrice) }));
    expect(shownPayment).toMatch(shown("admin-payment-gateway", { gateway: "midtrans", transaction: midtrans.transaction(orderId).transactionId }));
    expect(shownPayment).toMatch(shown("admin-payment-confirmed", { by: "gateway:poll" }));
    expect(shownPayment).toMatch(shown("admin-payment-live", { gateway: "midtrans", state: "paid", id: orderId }));
  });

  it("expiry cancels the charge at Midtrans; a notification of the cancelled charge moves nothing", async () => {
    const { buyer, orderId } = await e2e.buyByQris(7105);
    const since = e2e.telegram.mark();
    expect(await e2e.app.payments.expireDue(Date.now() + ttlMs + 1_000)).toBeGreaterThanOrEqual(1);
    expect(midtrans.wasCancelled(orderId)).toBe(true);
    expect(midtrans.transaction(orderId).status).toBe("cancel");
    await buyer.expect(shown("qris-expired", { id: orderId }), since);
    expect((await e2e.app.orders.get(orderId))?.status).toBe("expired");
    expect((await midtrans.sendNotification(url, orderId)).status).toBe(200);
    expect(await ledgerOf(7105)).toEqual([]);
    expect(e2e.provider.placed).not.toContain(orderId);
  });

  it("a cancel that failed, then the payer pays: the late notification, sent twice at once, credits the wallet once", async () => {
    const { buyer, orderId } = await e2e.buyByQris(7106);
    // assumption (the doc is silent): a refused cancel leaves the charge pending, so a late scan still pays.
    midtrans.enqueue("POST /v2/:id/cancel", { kind: "refuse", statusCode: "403", message: "Merchant cannot modify the status of the transaction" });
    expect(await e2e.app.payments.expireDue(Date.now() + ttlMs + 1_000)).toBe(1);
    expect(midtrans.wasCancelled(orderId)).toBe(true);
    expect(midtrans.transaction(orderId).status).toBe("pending");
    expect((await e2e.app.orders.get(orderId))?.status).toBe("expired");

    midtrans.pay(orderId);
    const since = e2e.telegram.mark();
    const answers = await Promise.all([midtrans.sendNotification(url, orderId), midtrans.sendNotification(url, orderId)]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    await buyer.expect(shown("qris-late-credited", { id: orderId, amount: formatRupiah(productPrice) }), since);
    await e2e.adminSees(shown("admin-alert-late-payment", { id: orderId }), since);
    expect((await midtrans.sendNotification(url, orderId, "replay")).status).toBe(200);
    await e2e.telegram.waitForIdle(200, 10_000);
    expect(await ledgerOf(7106)).toEqual([[`late:${orderId}`, productPrice]]);
    expect(e2e.toBuyer(7106, shown("qris-late-credited"))).toHaveLength(1);
    expect((await e2e.app.orders.get(orderId))?.status).toBe("expired");
    expect(e2e.provider.placed).not.toContain(orderId);
    expect(await expectSoundWallet(e2e.app, "telegram:7106")).toBe(productPrice);
  });
});
