/**
 * Own stock end to end on WhatsApp (the real channel over the fake Baileys socket, real Redis):
 * the admin uploads in the WhatsApp admin group with `.stock`, a buyer buys three by typing
 * numbers only, claims warranty with `/claim` and gets a replacement from `.replace`, and a buyer
 * who chose "Kabari saya" is told when the product is restocked. Items never reach the group.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FakeWhatsApp } from "../fakes/baileys-socket.js";
import { phrase, shown } from "../helpers/shown.js";
import { formatRupiah } from "../../src/core/money.js";
import { numberOf, startWhatsAppShop, whatsAppChat, type WhatsAppShop } from "./shop.js";

const adminGroup = "120363000000000009@g.us";
const adminNumber = "6281100000009";

let harness: WhatsAppShop;
let fake: FakeWhatsApp;

beforeEach(async () => {
  harness = await startWhatsAppShop(
    { WHATSAPP_ADMIN_GROUP_JID: adminGroup, ADMIN_WHATSAPP_NUMBERS: adminNumber, DATA_ENCRYPTION_KEY: "2a".repeat(32) },
    { admin: { burstMs: 50, groupMinGapMs: 50 } },
  );
  ({ fake } = harness);
});

afterEach(() => harness.cleanup());

/** Someone writing in a chat (a buyer's own, or the admin group as the admin). */
const chat = (jid: string, participant?: string) => whatsAppChat(fake, jid, { pushName: "Budi", ...(participant ? { participant } : {}) });

describe("own stock on WhatsApp", () => {
  it("uploads in the group, sells three by numbers, replaces under warranty and tells a waiting buyer of the restock", async () => {
    const admin = chat(adminGroup, `${adminNumber}@s.whatsapp.net`);
    admin.say(".stock new GAME1 15000 Voucher game");
    await admin.expect(shown("admin-stock-created", { code: "GAME1" }));
    admin.say(".stock add GAME1\nVC-0001-SECRET\nVC-0002-SECRET\n\nVC-0003-SECRET\nVC-0004-SECRET\nVC-0002-SECRET");
    await admin.expect(shown("admin-stock-added", { code: "GAME1", added: 4, skipped: 1, available: 4 }));
    admin.say(".stock warranty GAME1 3");
    await admin.expect(shown("admin-stock-saved", { code: "GAME1" }));

    const budi = chat("6281234500001@s.whatsapp.net");
    budi.say("/topup 100000");
    await budi.expect(shown("topup-sandbox-done"));
    budi.say("GAME1");
    const quantities = await budi.expect(shown("input-prompt-qty", { max: 4 }));
    budi.say(numberOf(quantities, phrase("menu-qty", { quantity: 3, price: formatRupiah(45_000) })));
    const confirm = await budi.expect(shown("confirm-title"));
    expect(confirm.text).toMatch(shown("confirm-price", { price: formatRupiah(45_000) }));
    budi.say(numberOf(confirm, phrase("menu-item-confirm")));
    const payment = await budi.expect(shown("payment-title"));
    budi.say(numberOf(payment, phrase("pay-method-wallet")));
    const paid = await budi.expect(shown("order-paid", { balance: formatRupiah(55_000) }));
    const orderId = /ORD-[A-Z0-9]{8,}/.exec(paid.text)![0];
    const delivered = await budi.expect(shown("order-delivered", { order: orderId }));
    expect(["VC-0001-SECRET", "VC-0002-SECRET", "VC-0003-SECRET"].every((item) => delivered.text.includes(item))).toBe(true);

    budi.say(`/claim ${orderId} kode sudah terpakai`);
    await budi.expect(shown("warranty-sent", { order: orderId }));
    await fake.waitForSent((record) => record.jid === adminGroup && shown("admin-warranty-claim", { order: orderId }).test(record.text));
    admin.say(`.replace ${orderId}`);
    await admin.expect(shown("admin-replace-done", { order: orderId }));
    const replaced = await budi.expect(shown("replace-delivered", { order: orderId }));
    expect(replaced.text).toContain("VC-0004-SECRET");

    const sari = chat("6281234500002@s.whatsapp.net");
    sari.say("GAME1");
    const soldOut = await sari.expect(shown("product-out-of-stock"));
    sari.say(numberOf(soldOut, phrase("menu-item-notify")));
    await sari.expect(shown("stock-notify-saved"));
    admin.say(".stock add GAME1\nVC-0005-SECRET");
    await admin.expect(shown("admin-stock-waiters-told", { notified: 1 }));
    await sari.expect(shown("stock-restocked", { code: "GAME1" }));

    const group = fake.sent.filter((record) => record.jid === adminGroup).map((record) => record.text).join("\n");
    expect(group).not.toContain("SECRET");
  });

  it("uploads a .csv document sent to the group with the caption .stock add", async () => {
    const admin = chat(adminGroup, `${adminNumber}@s.whatsapp.net`);
    admin.say(".stock new CSV1 20000 Akun dari CSV");
    await admin.expect(shown("admin-stock-created", { code: "CSV1" }));
    const csv = "user1@mail.test,pass-1\nuser2@mail.test,pass-2\n\nuser1@mail.test,pass-1\n";
    const since = fake.sent.length;
    fake.latest.receive({ chat: adminGroup, participant: `${adminNumber}@s.whatsapp.net`, document: { bytes: Buffer.from(csv), fileName: "stok.csv", mimetype: "text/csv", caption: ".stock add CSV1" } });
    await fake.waitForSent((record) => record.jid === adminGroup && shown("admin-stock-added", { code: "CSV1", added: 2, skipped: 1, available: 2 }).test(record.text), { since });
    expect(fake.sent.filter((record) => record.jid === adminGroup).map((record) => record.text).join("\n")).not.toContain("pass-");
  });
});
