/**
 * Referrals on WhatsApp (the real channel against the fake Baileys socket, REFERRAL_PERCENT=2):
 * `/referral` shows the code, the "REF <code>" instruction and a wa.me link that types it; a new
 * buyer's first message "REF <code>" links them, and their delivered order credits the referrer
 * once. Text typed at a target step is never taken for a code.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { WhatsAppModule } from "../../src/channels/whatsapp/start.js";
import { formatRupiah } from "../../src/core/money.js";
import { FakeWhatsApp, type SentRecord } from "../fakes/baileys-socket.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { phrase, shown } from "../helpers/shown.js";
import { eventually } from "./clocks.js";

let shop: TestApp;
let fake: FakeWhatsApp;
let wa: WhatsAppModule;
let dir: string;

beforeEach(async () => {
  fake = new FakeWhatsApp();
  dir = mkdtempSync(join(tmpdir(), "wa-referrals-"));
  shop = await startTestApp(
    {
      WHATSAPP_ENABLED: "true",
      WHATSAPP_PHONE: "6281200000001",
      WHATSAPP_SEND_PER_SECOND: "20",
      WHATSAPP_QR_FILE: join(dir, "qr.png"),
      REFERRAL_PERCENT: "2",
    },
    { makeWhatsAppSocket: fake.make, whatsAppTuning: { print: () => undefined, typingMs: 0, backoff: { baseMs: 20, maxMs: 40 } } },
  );
  wa = shop.app.whatsapp!;
  await fake.loginAndOpen();
  await eventually(() => wa.connection.state === "open");
});

afterEach(async () => {
  await shop.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function buyer(phone: string) {
  const jid = `${phone}@s.whatsapp.net`;
  let since = fake.sent.length;
  return {
    say(text: string) {
      since = fake.sent.length;
      return fake.latest.receive({ chat: jid, text, pushName: "Sari" });
    },
    expect: (part: RegExp) => fake.waitForSent((record) => record.jid === jid && part.test(record.text), { since }),
  };
}

function numberOf(menu: SentRecord, label: string): string {
  const line = menu.text.split("\n").find((candidate) => /^\d+\. /.test(candidate) && candidate.includes(label));
  if (!line) throw new Error(`no "${label}" in menu:\n${menu.text}`);
  return line.split(".")[0]!;
}

describe("referrals on WhatsApp", () => {
  it("links a new buyer by their first message 'REF <code>' and credits the referrer for their delivered order", async () => {
    const budi = buyer("6281234560001");
    budi.say("/referral");
    const card = await budi.expect(shown("referral-title"));
    const code = /([A-Z2-9]{6})/.exec(card.text.split("\n").find((line) => shown("referral-code").test(line)) ?? "")?.[1];
    expect(code).toBeDefined();
    expect(card.text).toMatch(shown("referral-how-text", { code: code! }));
    expect(card.text).toMatch(shown("referral-link", { link: `https://wa.me/6281200000001?text=REF%20${code}` }));

    const sari = buyer("6281234560002");
    sari.say(`ref ${code!.toLowerCase()}`);
    const menu = await sari.expect(shown("referral-linked", { code: code! }));
    expect(menu.text).toMatch(shown("menu-main-title"));
    expect(await shop.app.referrals.referrerOf("whatsapp:6281234560002")).toMatchObject({ referrer: "whatsapp:6281234560001" });

    // At a target step, text is the target: "REF …" there is never read as a code.
    sari.say("/topup 50000");
    await sari.expect(shown("topup-sandbox-done", { amount: formatRupiah(50_000) }));
    sari.say("/menu");
    const main = await sari.expect(shown("menu-main-title"));
    sari.say(numberOf(main, phrase("category-data")));
    const products = await sari.expect(shown("menu-product-title"));
    sari.say(numberOf(products, "Telkomsel 10 GB"));
    await sari.expect(shown("input-prompt-phone"));
    sari.say(`REF ${code}`);
    await sari.expect(shown("input-error-phone"));
    sari.say("081234567890");
    const confirm = await sari.expect(shown("confirm-title"));
    sari.say(numberOf(confirm, phrase("menu-item-confirm")));
    const pay = await sari.expect(shown("payment-title"));
    sari.say(numberOf(pay, phrase("pay-method-wallet")));
    const paid = await sari.expect(shown("order-paid", { order: /ORD-[A-Z0-9]{8,}/ }));
    const orderId = /ORD-[A-Z0-9]{8,}/.exec(paid.text)![0];
    await sari.expect(shown("order-delivered", { order: orderId }));
    await shop.app.referrals.idle();

    expect(await shop.app.wallet.balance("whatsapp:6281234560001")).toBe(900);
    expect((await shop.app.wallet.ledger("whatsapp:6281234560001")).map((entry) => entry.id)).toEqual([`referral:${orderId}`]);
    expect((await shop.app.orders.get(orderId))?.referral).toEqual({ referrer: "whatsapp:6281234560001", reward: 900 });
  });
});
