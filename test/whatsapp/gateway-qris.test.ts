/**
 * Issue 15 on WhatsApp: the real WhatsApp channel on the fake Baileys socket, the real Midtrans
 * module against the fake Midtrans Core API, notifications posted over real HTTP to the app's
 * `POST /payments/midtrans`. A buyer typing numbers picks QRIS and gets an image whose QR decodes
 * to exactly Midtrans' `qr_string`, captioned with its total; a forged notification moves
 * nothing; the signed one delivers the serial once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatRupiah } from "../../src/core/money.js";
import type { FakeWhatsApp, SentRecord } from "../fakes/baileys-socket.js";
import { FakeMidtransServer } from "../fakes/midtrans-server.js";
import type { TestApp } from "../helpers/app.js";
import { phrase, shown } from "../helpers/shown.js";
import { CountingSandbox } from "../helpers/counting-sandbox.js";
import { decodeQr, expectSoundWallet, fullLedger } from "../payments/support.js";
import { numberOf, startWhatsAppShop, whatsAppBuyer, type WhatsAppShop } from "./shop.js";

const phone = "6281234500015";
const jid = `${phone}@s.whatsapp.net`;

let harness: WhatsAppShop | undefined;
let fake: FakeWhatsApp;
let midtrans: FakeMidtransServer;
let shop: TestApp;
let provider: CountingSandbox;
let url: string;

beforeAll(async () => {
  midtrans = await FakeMidtransServer.start();
  provider = new CountingSandbox();
  harness = await startWhatsAppShop(
    {
      WHATSAPP_ADMIN_GROUP_JID: "120363000000000015@g.us",
      SANDBOX: "off",
      PAYMENT_METHODS: "wallet,qris",
      QRIS_GATEWAYS: "midtrans",
      MIDTRANS_SERVER_KEY: midtrans.serverKey,
      MIDTRANS_BASE_URL: midtrans.url,
    },
    { providers: [provider], expirySweepMs: 3_600_000 },
  );
  ({ shop, fake } = harness);
  url = `http://127.0.0.1:${await shop.app.http.listen(0, "127.0.0.1")}/payments/midtrans`;
}, 30_000);

afterAll(async () => {
  await harness?.cleanup();
  await midtrans?.stop();
});

/** Sends `text` as the buyer and waits for the shop's message to them matching `pattern`. */
async function ask(text: string, pattern: RegExp, match: (record: SentRecord) => boolean = () => true): Promise<SentRecord> {
  const sari = whatsAppBuyer(fake, phone);
  sari.say(text);
  return sari.expect(pattern, match);
}

describe("paying by QRIS through Midtrans on WhatsApp", () => {
  it("the image decodes to Midtrans' QR; a forged notification moves nothing; the signed one delivers once", async () => {
    const main = await ask("/menu", shown("menu-main-title"));
    const groups = await ask(numberOf(main, phrase("category-game")), shown("menu-group-title"));
    const products = await ask(numberOf(groups, "Free Fire"), shown("menu-product-title"));
    await ask(numberOf(products, "Free Fire 70 Diamonds"), shown("input-prompt-game_id"));
    const confirm = await ask("12345678", shown("confirm-title"));
    const payment = await ask(numberOf(confirm, phrase("menu-item-confirm")), shown("payment-title"));
    const photo = await ask(numberOf(payment, phrase("pay-method-qris")), /ORD-[A-Z0-9]{8,}/, (record) => record.image !== undefined);
    const orderId = /ORD-[A-Z0-9]{8,}/.exec(photo.text)![0];

    const charge = midtrans.transaction(orderId);
    expect(decodeQr(photo.image!)).toBe(charge.qrString);
    expect(photo.text).toContain(formatRupiah(charge.grossAmount));
    expect(photo.text).not.toMatch(shown("qris-exact-amount"));

    midtrans.pay(orderId);
    expect((await midtrans.sendNotification(url, orderId, "bad_signature")).status).toBe(401);
    expect((await midtrans.sendNotification(url, orderId, "wrong_amount")).status).toBe(400);
    expect(await fullLedger(shop.app, `whatsapp:${phone}`)).toEqual([]);
    expect(provider.placed).toEqual([]);

    const since = fake.sent.length;
    expect((await midtrans.sendNotification(url, orderId)).status).toBe(200);
    const delivered = await fake.waitForSent((record) => record.jid === jid && shown("order-delivered", { order: orderId }).test(record.text), { since });
    expect(delivered.text).toMatch(shown("delivery-serial", { value: /SBX[0-9A-F]{16}/ }));
    expect((await midtrans.sendNotification(url, orderId)).status).toBe(200);
    await shop.app.settled(`whatsapp:${phone}`);
    expect(provider.placed).toEqual([orderId]);
    expect(fake.sent.filter((record) => record.jid === jid && shown("order-delivered").test(record.text))).toHaveLength(1);
    expect((await fullLedger(shop.app, `whatsapp:${phone}`)).map((entry) => [entry.id, entry.amount])).toEqual([
      [`qris:${orderId}`, charge.grossAmount],
      [`pay:${orderId}`, -charge.grossAmount],
    ]);
    expect(await expectSoundWallet(shop.app, `whatsapp:${phone}`)).toBe(0);
  });
});
