/**
 * End to end through the Telegram fake with a real gateway module: the real grammY bot, real
 * Redis, the counting sandbox, the Tripay module against the fake Tripay API
 * (`test/fakes/tripay-server.ts`, written from its document), the owner's static QRIS second in
 * `QRIS_GATEWAYS`, and the HTTP server on a free port receiving Tripay's callbacks.
 *
 * The buyer picks QRIS and gets a photo that decodes to exactly Tripay's `qr_string`, captioned
 * with Tripay's total (the payer's fee in it) and no unique-code line. Every bad callback the fake
 * can send (forged, unsigned, tampered, wrong amount, another order, another event, malformed)
 * moves nothing; the signed callback of the paid transaction gets the serial delivered once, and
 * Tripay is answered `{"success": true}`; a replay changes nothing. With Tripay down, the next
 * buyer gets the owner's static QRIS instead. A lost callback is made good by the status poll.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asList } from "../../src/core/reply.js";
import { FakeTripayServer, tripayEnv } from "../fakes/tripay-server.js";
import { startFakeTelegram, type FakeTelegram } from "../fakes/telegram-api.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { phrase, shown } from "../helpers/shown.js";
import { CountingSandbox, decodeQr, expectSoundWallet, fullLedger, qrisEnv, qrisOf, telegramBuyer, textOf } from "./support.js";
import type { AdminAlerts } from "../../src/core/alerts.js";

let telegram: FakeTelegram;
let tripay: FakeTripayServer;
let shop: TestApp;
let provider: CountingSandbox;
let baseUrl: string;
const alerts: string[] = [];

beforeAll(async () => {
  telegram = await startFakeTelegram();
  tripay = await FakeTripayServer.start({ feeOn: "customer" });
  provider = new CountingSandbox();
  const recordAlerts: AdminAlerts = { alert: async (message) => void alerts.push(message.key) };
  shop = await startTestApp(
    qrisEnv({
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.url,
      QRIS_GATEWAYS: "tripay,static",
      QRIS_GATEWAY_TIMEOUT_MS: "2000",
      ...tripayEnv(tripay),
    }),
    { providers: [provider], alerts: recordAlerts },
  );
  baseUrl = `http://127.0.0.1:${await shop.app.http.listen(0, "127.0.0.1")}`;
}, 30_000);

afterAll(async () => {
  await shop?.cleanup();
  await tripay?.close();
  await telegram?.close();
});

/** Free Fire 70 Diamonds (Rp 9.500) to the QRIS photo, by buttons; returns the photo message. */
async function buyByQris(userId: number) {
  const buyer = telegramBuyer(telegram, userId);
  buyer.say("/menu");
  await buyer.expect(shown("menu-main-title"));
  buyer.tap(phrase("category-game"));
  await buyer.expect(shown("menu-group-title", { category: phrase("category-game") }));
  buyer.tap("Free Fire");
  await buyer.expect(shown("menu-product-title"));
  buyer.tap("Free Fire 70 Diamonds");
  await buyer.expect(shown("input-prompt-game_id"));
  buyer.say("12345678");
  await buyer.expect(shown("confirm-title"));
  buyer.tap(phrase("menu-item-confirm"));
  await buyer.expect(shown("payment-title"));
  buyer.tap(phrase("pay-method-qris"));
  const photo = await telegram.waitFor((m) => m.chatId === userId && m.method === "sendPhoto", 10_000);
  const [, amount, orderId] = /Rp ([\d.]+)[\s\S]*?(ORD-[A-Z0-9]{8,})/.exec(photo.caption ?? "") ?? [];
  if (!orderId) throw new Error(`no order id in ${photo.caption}`);
  return { buyer, photo, orderId, amount: Number(amount!.replace(/\./g, "")) };
}

describe("paying by QRIS through Tripay on Telegram", () => {
  it("shows Tripay's QR exactly; bad callbacks move nothing; the signed one delivers once", async () => {
    const { buyer, photo, orderId, amount } = await buyByQris(4001);
    const charge = tripay.find(orderId)!;
    expect(charge).toBeDefined();
    expect(decodeQr(photo.photo!)).toBe(charge.qrString);
    expect(amount).toBe(9_500 + charge.feeCustomer);
    expect(charge.feeCustomer).toBeGreaterThan(0);
    expect(photo.caption).not.toMatch(shown("qris-exact-amount"));
    expect(photo.caption).toMatch(shown("qris-gateway-fee"));

    const url = `${baseUrl}/payments/tripay`;
    tripay.pay(orderId);
    for (const variant of ["wrong_signature", "unsigned", "tampered", "wrong_amount", "other_order", "malformed"] as const) {
      const sent = await tripay.sendNotification(url, orderId, variant);
      expect(sent.status, variant).toBeGreaterThanOrEqual(400);
    }
    expect(await fullLedger(shop.app, "telegram:4001")).toEqual([]);
    expect(provider.placed).toEqual([]);
    expect(alerts).toContain("admin-alert-gateway-rejected");

    const since = telegram.mark();
    const ok = await tripay.sendNotification(url, orderId);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.responseText)).toEqual({ success: true });
    await buyer.expect(shown("qris-paid-order", { id: orderId }), since);
    const delivered = await buyer.expect(shown("order-delivered", { order: orderId }), since);
    expect(textOf(delivered)).toMatch(shown("delivery-serial", { value: /SBX[0-9A-F]{16}/ }));

    // Tripay's retry of the same callback, and a replay of it: success, nothing more.
    expect((await tripay.sendNotification(url, orderId)).status).toBe(200);
    expect((await tripay.sendNotification(url, orderId, "replay")).status).toBe(200);
    await telegram.waitForIdle(300, 10_000);
    expect(provider.placed).toEqual([orderId]);
    expect(telegram.messagesTo(4001).filter((m) => shown("order-delivered").test(textOf(m)))).toHaveLength(1);
    const ledger = await fullLedger(shop.app, "telegram:4001");
    expect(ledger.map((e) => [e.id, e.amount])).toEqual([
      [`qris:${orderId}`, 9_500],
      [`pay:${orderId}`, -9_500],
    ]);
    expect(await expectSoundWallet(shop.app, "telegram:4001")).toBe(0);
  });

  it("with Tripay down, the next buyer gets the owner's static QRIS", async () => {
    tripay.failNextCreate("5xx");
    const { photo, orderId, amount } = await buyByQris(4002);
    expect(tripay.find(orderId)).toBeUndefined();
    expect(photo.caption).toMatch(shown("qris-exact-amount"));
    expect(amount).toBeGreaterThan(9_500);
    expect(decodeQr(photo.photo!)).toMatch(/^000201/);
    expect(alerts).toContain("admin-alert-qris-failover");
    expect((await shop.app.payments.receive(amount, "BANK-E2E-1")).kind).toBe("confirmed");
    await shop.app.settled("telegram:4002");
    expect((await shop.app.orders.get(orderId))?.status).toBe("delivered");
  });

  it("a lost callback: the status poll finds the payment and delivers", async () => {
    const { buyer, orderId } = await buyByQris(4003);
    tripay.pay(orderId);
    const since = telegram.mark();
    expect(await shop.app.payments.pollGateways(Date.now() + 60_000)).toBe(1);
    await buyer.expect(shown("order-delivered", { order: orderId }), since);
    expect(await expectSoundWallet(shop.app, "telegram:4003")).toBe(0);
  });

  it("a top-up by /topup is paid through Tripay too", async () => {
    const replies = await shop.app.payments.startTopup({ buyer: "telegram:4004", channel: "telegram", chatId: "4004", locale: "id" }, 25_000);
    const qr = qrisOf(replies);
    const charge = tripay.find(qr.id)!;
    expect(decodeQr(qr.photo.png)).toBe(charge.qrString);
    expect(asList(qr.photo.caption).map((m) => m.key)).not.toContain("qris-exact-amount");
    tripay.pay(qr.id);
    expect((await tripay.sendNotification(`${baseUrl}/payments/tripay`, qr.id)).status).toBe(200);
    expect(await expectSoundWallet(shop.app, "telegram:4004")).toBe(25_000);
  });
});
