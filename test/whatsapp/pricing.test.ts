/**
 * Issue 17 on WhatsApp: the real WhatsApp channel against the fake Baileys socket. A reseller-tier
 * buyer sees the tier price, picks "🎟️ Pakai voucher" by its number, types the code, and pays the
 * discounted price; `/saldo` names the tier.
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
  dir = mkdtempSync(join(tmpdir(), "wa-pricing-"));
  shop = await startTestApp(
    {
      WHATSAPP_ENABLED: "true",
      WHATSAPP_SEND_PER_SECOND: "20",
      WHATSAPP_QR_FILE: join(dir, "qr.png"),
      MARKUP_PERCENT: "20",
      PRICE_TIERS: "member:0,reseller:-3%,vip:-5%",
      CHAT_FLOOD_BURST: "1000",
      CHAT_FLOOD_PER_SECOND: "100",
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

/** The number in front of the menu line containing `label`. */
function numberOf(menu: SentRecord, label: string): string {
  const line = menu.text.split("\n").find((candidate) => /^\d+\. /.test(candidate) && candidate.includes(label));
  if (!line) throw new Error(`no "${label}" in menu:\n${menu.text}`);
  return line.split(".")[0]!;
}

describe("prices on WhatsApp", () => {
  it("a reseller applies a voucher by its menu number and pays the discounted price", async () => {
    const phone = "6281298765432";
    await shop.app.pricing.vouchers.save({ code: "WA5K", kind: "flat", value: 5_000, min: 20_000, allowLoss: false, createdAt: Date.now(), by: "test" });
    const sari = buyer(phone);
    sari.say("/topup 100000");
    await sari.expect(shown("topup-sandbox-done", { amount: formatRupiah(100_000) }));
    expect(await shop.app.pricing.tiers.set(`whatsapp:${phone}`, "reseller")).toBe(true);

    sari.say("saldo");
    await sari.expect(shown("wallet-tier", { tier: "reseller" }));

    // Rp 35.500 + 20 % = Rp 42.600; reseller -3 % = Rp 41.322 (Rp 1.278 off).
    sari.say("SB-ML172");
    await sari.expect(shown("input-prompt-game_id_zone"));
    sari.say("12345678 (1234)");
    const confirm = await sari.expect(shown("confirm-title"));
    expect(confirm.text).toMatch(shown("confirm-tier-discount", { tier: "reseller", discount: formatRupiah(1_278) }));
    expect(confirm.text).toMatch(shown("confirm-price", { price: formatRupiah(41_322) }));
    sari.say(numberOf(confirm, phrase("menu-item-voucher")));
    await sari.expect(shown("voucher-prompt"));
    sari.say("wa5k");
    const applied = await sari.expect(shown("voucher-applied", { code: "WA5K" }));
    expect(applied.text).toMatch(shown("confirm-price-list", { price: formatRupiah(42_600) }));
    expect(applied.text).toMatch(shown("confirm-voucher-discount", { code: "WA5K", discount: formatRupiah(5_000) }));
    expect(applied.text).toMatch(shown("confirm-price", { price: formatRupiah(36_322) }));
    sari.say(numberOf(applied, phrase("menu-item-confirm")));
    const pay = await sari.expect(shown("payment-title"));
    sari.say(numberOf(pay, phrase("pay-method-wallet")));
    await sari.expect(shown("order-paid", { price: formatRupiah(36_322), balance: formatRupiah(63_678) }));

    const [order] = await shop.app.orders.ofBuyer(`whatsapp:${phone}`, 1);
    expect(order?.price).toBe(36_322);
    expect(order?.pricing).toEqual({ list: 42_600, tierDiscount: 1_278, tier: "reseller", voucher: { code: "WA5K", discount: 5_000 } });
  });
});
