/**
 * End to end through the Telegram fake: the real grammY bot, real Redis, the counting sandbox,
 * the owner's static QRIS and the HTTP server on a free port.
 *
 * The buyer picks Free Fire 70 Diamonds with buttons, chooses QRIS and gets a photo. The photo is
 * decoded like a banking app would: it must hold a valid dynamic QRIS (tag 01 = 12, tag 54 = the
 * total in the caption, a correct CRC, the owner's merchant data untouched). The caption names
 * the amount, the order id and the expiry time in WIB. A signed gateway callback for that total
 * then confirms it: the order is placed at the provider once and the serial number delivered.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseQris, qrisAmount } from "../../src/payments/qris.js";
import { inlineButtons, startFakeTelegram, type FakeTelegram } from "../fakes/telegram-api.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { phrase, shown } from "../helpers/shown.js";
import { msg } from "../../src/core/message.js";
import { formatRupiah } from "../../src/core/money.js";
import {
  CountingSandbox,
  callbackSecret,
  decodeQr,
  expectSoundWallet,
  postCallback,
  qrisEnv,
  signedCallback,
  staticQris,
  telegramBuyer,
  textOf,
} from "./support.js";

let telegram: FakeTelegram;
let shop: TestApp;
let provider: CountingSandbox;
let baseUrl: string;
const ttlMs = 15 * 60_000;

beforeAll(async () => {
  telegram = await startFakeTelegram();
  provider = new CountingSandbox();
  shop = await startTestApp(
    qrisEnv({ TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.url, PAYMENT_CALLBACK_SECRET: callbackSecret }),
    { providers: [provider] },
  );
  baseUrl = `http://127.0.0.1:${await shop.app.http.listen(0, "127.0.0.1")}`;
}, 30_000);

afterAll(async () => {
  await shop?.cleanup();
  await telegram?.close();
});

/** HH:MM in Jakarta (UTC+7, no daylight saving), computed without Intl. */
function wib(at: number): string {
  return `${new Date(at + 7 * 3_600_000).toISOString().slice(11, 16)} WIB`;
}

describe("paying an order by QRIS on Telegram", () => {
  it("shows a scannable dynamic QRIS for the total, then a signed callback gets the serial delivered once", async () => {
    const budi = telegramBuyer(telegram, 3001);
    budi.say("/menu");
    await budi.expect(shown("menu-main-title"));
    budi.tap(phrase("category-game"));
    await budi.expect(shown("menu-group-title", { category: phrase("category-game") }));
    budi.tap("Free Fire");
    await budi.expect(shown("menu-product-title"));
    budi.tap("Free Fire 70 Diamonds");
    await budi.expect(shown("input-prompt-game_id"));
    budi.say("12345678");
    await budi.expect(shown("confirm-title"));
    budi.tap(phrase("menu-item-confirm"));
    const methods = await budi.expect(shown("payment-title"));
    expect(inlineButtons(methods).map((b) => b.text)).toEqual([
      `1. ${phrase("pay-method-wallet-balance", { balance: formatRupiah(0) })}`,
      `2. ${phrase("pay-method-qris")}`,
      `3. ${phrase("menu-item-cancel")}`,
    ]);

    const before = Date.now();
    budi.tap(phrase("pay-method-qris"));
    const photo = await telegram.waitFor((m) => m.chatId === 3001 && m.method === "sendPhoto", 10_000);
    const after = Date.now();

    // The caption: purpose, amount, order id, expiry in WIB, and the unique-code warning.
    const caption = photo.caption ?? "";
    const captionOf = shown("qris-caption", {
      purpose: msg("qris-purpose-order", { product: "Free Fire 70 Diamonds" }),
      amount: /Rp ([\d.]+)/,
      id: /(ORD-[A-Z0-9]{8,})/,
      expires: /(\d{2}:\d{2} WIB)/,
    });
    const [, amountText, orderId, expires] = captionOf.exec(caption) ?? [];
    expect(orderId, caption).toBeDefined();
    const shownAmount = Number(amountText?.replace(/\./g, ""));
    expect(shownAmount).toBeGreaterThan(9_500);
    expect(shownAmount).toBeLessThanOrEqual(9_500 + 999);
    expect(caption).toMatch(shown("qris-exact-amount", { code: formatRupiah(shownAmount - 9_500) }));
    expect([wib(before + ttlMs), wib(after + ttlMs)]).toContain(expires);

    // The picture is what a banking app scans.
    expect(photo.photo).toBeInstanceOf(Buffer);
    const payload = decodeQr(photo.photo!);
    const qris = parseQris(payload); // throws on a bad CRC or broken structure
    expect(qris.pointOfInitiation).toBe("12");
    expect(qrisAmount(payload)).toBe(shownAmount);
    expect(qris.fields.filter((f) => f.id === "54")).toEqual([{ id: "54", value: String(shownAmount) }]);
    const owner = parseQris(staticQris);
    expect(qris.merchantName).toBe(owner.merchantName);
    expect(qris.merchantCity).toBe(owner.merchantCity);
    expect(qris.templates).toEqual(owner.templates);

    const order = await shop.app.orders.get(orderId!);
    expect(order).toMatchObject({ status: "awaiting_payment", buyer: "telegram:3001", payment: { method: "qris", amount: shownAmount } });
    expect(provider.placed).toEqual([]);

    // The gateway reports the money.
    const since = telegram.mark();
    const { body, headers } = signedCallback({ amount: shownAmount, reference: "GW-TG-1", paidAt: new Date().toISOString() });
    expect(await postCallback(baseUrl, body, headers)).toEqual({ status: 200, json: { ok: true, result: "confirmed", id: orderId } });
    const received = await budi.expect(shown("qris-paid-order", { id: orderId! }), since);
    const delivered = await budi.expect(shown("order-delivered", { order: orderId! }), since);
    expect(delivered.seq).toBeGreaterThan(received.seq);
    expect(textOf(delivered)).toMatch(shown("delivery-serial", { value: /SBX[0-9A-F]{16}/ }));

    // A retried callback (same reference) and the quiet afterwards change nothing more.
    const retry = signedCallback({ amount: shownAmount, reference: "GW-TG-1", paidAt: new Date().toISOString() });
    expect(await postCallback(baseUrl, retry.body, retry.headers)).toEqual({ status: 409, json: { ok: false, error: "reference already processed" } });
    await telegram.waitForIdle(300, 10_000);
    expect(provider.placed).toEqual([orderId]);
    expect(telegram.messagesTo(3001).filter((m) => shown("order-delivered").test(textOf(m)))).toHaveLength(1);
    expect((await shop.app.orders.get(orderId!))?.status).toBe("delivered");
    expect(await expectSoundWallet(shop.app, "telegram:3001")).toBe(0);
  });
});
