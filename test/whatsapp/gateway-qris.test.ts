/**
 * Issue 15 on WhatsApp: the real WhatsApp channel on the fake Baileys socket, the real Midtrans
 * module against the fake Midtrans Core API, notifications posted over real HTTP to the app's
 * `POST /payments/midtrans`. A buyer typing numbers picks QRIS and gets an image whose QR decodes
 * to exactly Midtrans' `qr_string`, captioned with its total; a forged notification moves
 * nothing; the signed one delivers the serial once.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatRupiah } from "../../src/core/money.js";
import { FakeWhatsApp, type SentRecord } from "../fakes/baileys-socket.js";
import { FakeMidtransServer } from "../fakes/midtrans-server.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { phrase, shown } from "../helpers/shown.js";
import { CountingSandbox } from "../helpers/counting-sandbox.js";
import { decodeQr, expectSoundWallet, fullLedger } from "../payments/support.js";
import { eventually } from "./clocks.js";

const phone = "6281234500015";
const jid = `${phone}@s.whatsapp.net`;

let fake: FakeWhatsApp;
let midtrans: FakeMidtransServer;
let shop: TestApp;
let provider: CountingSandbox;
let dir: string;
let url: string;

beforeAll(async () => {
  fake = new FakeWhatsApp();
  midtrans = await FakeMidtransServer.start();
  provider = new CountingSandbox();
  dir = mkdtempSync(join(tmpdir(), "wa-gateway-"));
  shop = await startTestApp(
    {
      WHATSAPP_ENABLED: "true",
      WHATSAPP_ADMIN_GROUP_JID: "120363000000000015@g.us",
      WHATSAPP_SEND_PER_SECOND: "20",
      WHATSAPP_QR_FILE: join(dir, "qr.png"),
      SANDBOX: "off",
      PAYMENT_METHODS: "wallet,qris",
      QRIS_GATEWAYS: "midtrans",
      MIDTRANS_SERVER_KEY: midtrans.serverKey,
      MIDTRANS_BASE_URL: midtrans.url,
    },
    {
      providers: [provider],
      makeWhatsAppSocket: fake.make,
      whatsAppTuning: { print: () => undefined, typingMs: 0, backoff: { baseMs: 20, maxMs: 40 } },
      expirySweepMs: 3_600_000,
    },
  );
  url = `http://127.0.0.1:${await shop.app.http.listen(0, "127.0.0.1")}/payments/midtrans`;
  await fake.loginAndOpen();
  await eventually(() => shop.app.whatsapp!.connection.state === "open");
}, 30_000);

afterAll(async () => {
  await shop?.cleanup();
  await midtrans?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends `text` as the buyer and waits for the shop's message to them matching `pattern`. */
async function ask(text: string, pattern: RegExp, match: (record: SentRecord) => boolean = () => true): Promise<SentRecord> {
  const since = fake.sent.length;
  fake.latest.receive({ chat: jid, text, pushName: "Sari" });
  return fake.waitForSent((record) => record.jid === jid && pattern.test(record.text) && match(record), { since });
}

/** The number in front of the menu line containing `label`. */
function numberOf(menu: SentRecord, label: string): string {
  const line = menu.text.split("\n").find((candidate) => /^\d+\. /.test(candidate) && candidate.includes(label));
  if (!line) throw new Error(`no "${label}" in menu:\n${menu.text}`);
  return line.split(".")[0]!;
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
