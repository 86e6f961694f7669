/**
 * Own stock end to end on Telegram (real grammY bot against the fake Bot API, real Redis): the
 * owner creates a product and uploads items in the admin group, a buyer buys three with the
 * quantity step and receives three distinct items, claims warranty and gets a replacement, and a
 * buyer who asked "Kabari saya" on the sold-out product is told once when it is restocked.
 * Items never appear in the admin group.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeTelegram, textOf, type FakeTelegram } from "../fakes/telegram-api.js";
import { telegramBuyer } from "../helpers/telegram-buyer.js";
import { phrase, shown } from "../helpers/shown.js";
import { adminGroup, owner, person, postedTo, startAdminShop, type AdminShop } from "../admin/support.js";
import { formatRupiah } from "../../src/core/money.js";

let telegram: FakeTelegram;
let shop: AdminShop;

beforeAll(async () => {
  telegram = await startFakeTelegram();
});
afterAll(async () => telegram.close());
beforeEach(async () => {
  shop = await startAdminShop(telegram, { env: { DEFAULT_LOCALE: "id" } });
});
afterEach(async () => shop.cleanup());

const items = ["netflix-a@mail.test:Secret-1", "netflix-b@mail.test:Secret-2", "netflix-c@mail.test:Secret-3", "netflix-d@mail.test:Secret-4"];

describe("own stock on Telegram", () => {
  it("uploads by message, sells three at once, answers a warranty claim with a replacement, and tells a waiting buyer of a restock", async () => {
    const admin = person(telegram, adminGroup, owner);
    await admin.ask("/stock new NETFLIX1 25000 Netflix 1 bulan", shown("admin-stock-created", { code: "NETFLIX1" }));
    const added = await admin.ask(`/stock add NETFLIX1\n${items[0]}\n\n${items[1]}\n${items[2]}\n${items[0]}\n${items[3]}`, shown("admin-stock-added", { code: "NETFLIX1" }));
    expect(added).toMatch(shown("admin-stock-added", { code: "NETFLIX1", added: 4, skipped: 1, duplicates: 1, available: 4 }));
    await admin.ask("/stock warranty NETFLIX1 7", shown("admin-stock-saved", { code: "NETFLIX1" }));
    await admin.ask("/stock cost NETFLIX1 10000", shown("admin-stock-saved", { code: "NETFLIX1" }));

    const budi = telegramBuyer(telegram, 3001);
    budi.say("/topup 100000");
    await budi.expect(shown("topup-sandbox-done"));
    budi.say("/menu");
    await budi.expect(shown("menu-main-title"));
    budi.tap(phrase("category-shop"));
    const list = await budi.expect(shown("menu-product-title"));
    expect(textOf(list) + JSON.stringify(list.replyMarkup)).toContain(phrase("menu-product-stock", { name: "Netflix 1 bulan", price: formatRupiah(25_000), stock: 4 }));
    budi.tap("Netflix 1 bulan");
    await budi.expect(shown("input-prompt-qty", { max: 4 }));
    budi.tap(phrase("menu-qty", { quantity: 3, price: formatRupiah(75_000) }));
    const confirm = await budi.expect(shown("confirm-title"));
    expect(textOf(confirm)).toMatch(shown("confirm-quantity", { quantity: 3, unit: formatRupiah(25_000) }));
    expect(textOf(confirm)).toMatch(shown("confirm-price", { price: formatRupiah(75_000) }));
    budi.tap(phrase("menu-item-confirm"));
    await budi.expect(shown("payment-title"));
    budi.tap(phrase("pay-method-wallet"));
    const paid = await budi.expect(shown("order-paid", { price: formatRupiah(75_000), balance: formatRupiah(25_000) }));
    const orderId = /ORD-[A-Z0-9]{8,}/.exec(textOf(paid))![0];
    const delivered = textOf(await budi.expect(shown("order-delivered", { order: orderId })));
    const got = items.filter((item) => delivered.includes(item));
    expect(got).toEqual(items.slice(0, 3));
    const order = await shop.app.orders.get(orderId);
    expect(order).toMatchObject({ status: "delivered", quantity: 3, price: 75_000, cost: 30_000 });

    const detail = await admin.ask("/stock NETFLIX1", shown("admin-stock-detail", { code: "NETFLIX1" }));
    expect(detail).toMatch(shown("admin-stock-detail", { available: 1, reserved: 0, sold: 3 }));

    // Warranty claim → the admins see the claim, never the items; /replace sends the next item.
    budi.say(`/garansi ${orderId} akun tidak bisa login`);
    await budi.expect(shown("warranty-sent", { order: orderId }));
    await admin.expect(shown("admin-warranty-claim", { order: orderId, text: "akun tidak bisa login" }));
    await admin.ask(`/replace ${orderId}`, shown("admin-replace-done", { order: orderId, available: 0 }));
    const replaced = textOf(await budi.expect(shown("replace-delivered", { order: orderId })));
    expect(replaced).toContain(items[3]);
    expect((await shop.app.orders.get(orderId))?.replacements).toEqual([expect.objectContaining({ by: `telegram:${owner.id}`, number: 1 })]);

    // Sold out: another buyer asks to be told; a restock tells them once.
    const sari = telegramBuyer(telegram, 3002);
    sari.say("NETFLIX1");
    await sari.expect(shown("product-out-of-stock", { name: "Netflix 1 bulan" }));
    sari.tap(phrase("menu-item-notify"));
    await sari.expect(shown("stock-notify-saved", { name: "Netflix 1 bulan" }));
    const restock = await admin.ask("/stock add NETFLIX1\nnetflix-e@mail.test:Secret-5", shown("admin-stock-added", { code: "NETFLIX1" }));
    expect(restock).toMatch(shown("admin-stock-waiters-told", { notified: 1 }));
    await sari.expect(shown("stock-restocked", { code: "NETFLIX1" }));
    await admin.ask("/stock add NETFLIX1\nnetflix-f@mail.test:Secret-6", shown("admin-stock-added", { code: "NETFLIX1", available: 2 }));
    expect(telegram.messagesTo(3002).filter((m) => shown("stock-restocked").test(textOf(m)))).toHaveLength(1);

    // /stats counts the own-stock sale with the owner's cost.
    const stats = await admin.ask("/stats", shown("admin-stats-title"));
    expect(stats).toMatch(shown("admin-stats-provider", { provider: "stock", count: 1, revenue: formatRupiah(75_000), cost: formatRupiah(30_000) }));

    // The admin may instead take the order back with a reason: refunded once, /stats drops the sale.
    await admin.ask(`/refund ${orderId} garansi`, shown("admin-refund-done", { order: orderId, amount: formatRupiah(75_000) }));
    await budi.expect(shown("order-refunded", { amount: formatRupiah(75_000), balance: formatRupiah(100_000) }));
    await admin.ask(`/refund ${orderId}`, shown("admin-refund-already", { order: orderId }));
    expect(await shop.app.wallet.balance("telegram:3001")).toBe(100_000);
    expect((await shop.app.orders.get(orderId))?.status).toBe("refunded");
    const afterRefund = await admin.ask("/stats", shown("admin-stats-title"));
    expect(afterRefund).not.toMatch(shown("admin-stats-provider", { provider: "stock" }));

    // Secrets never reach the admin group.
    const group = postedTo(telegram, adminGroup.id).join("\n");
    expect(group).not.toMatch(/Secret-\d/);
  });

  it("uploads a .txt document, and delivers ten long items as a .txt document", async () => {
    const admin = person(telegram, adminGroup, owner);
    await admin.ask("/stock new AKUN10 5000 Akun premium", shown("admin-stock-created", { code: "AKUN10" }));
    const long = Array.from({ length: 12 }, (_, i) => `akun${i}@mail.test:${"P".repeat(300)}-${i}`);
    const since = telegram.mark();
    telegram.sendDocument(adminGroup, owner, { bytes: Buffer.from(`\uFEFF${long.join("\r\n")}\r\n\r\n${long[0]}\r\n`), fileName: "stok.txt", mimeType: "text/plain", caption: "/stock add AKUN10" });
    const added = await admin.expect(shown("admin-stock-added", { code: "AKUN10" }), since);
    expect(added).toMatch(shown("admin-stock-added", { added: 12, skipped: 1, available: 12 }));
    const refused = telegram.mark();
    telegram.sendDocument(adminGroup, owner, { bytes: Buffer.from("x"), fileName: "stok.pdf", mimeType: "application/pdf", caption: "/stock add AKUN10" });
    await admin.expect(shown("admin-stock-bad-file"), refused);

    const budi = telegramBuyer(telegram, 3003);
    budi.say("/topup 100000");
    await budi.expect(shown("topup-sandbox-done"));
    budi.say("AKUN10");
    await budi.expect(shown("input-prompt-qty", { max: 10 }));
    budi.tap(phrase("menu-qty", { quantity: 10, price: formatRupiah(50_000) }));
    await budi.expect(shown("confirm-title"));
    budi.tap(phrase("menu-item-confirm"));
    await budi.expect(shown("payment-title"));
    budi.tap(phrase("pay-method-wallet"));
    const paid = await budi.expect(shown("order-paid"));
    const orderId = /ORD-[A-Z0-9]{8,}/.exec(textOf(paid))![0];
    const file = await telegram.waitFor((m) => m.chatId === 3003 && m.method === "sendDocument", { since: 0, timeoutMs: 10_000 });
    expect(textOf(file)).toMatch(shown("order-delivered", { order: orderId }));
    expect(file.document?.toString("utf8").trim().split("\n")).toEqual(long.slice(0, 10));
    expect(postedTo(telegram, adminGroup.id).join("\n")).not.toContain("PPPP");
  });

  it("refuses an upload without DATA_ENCRYPTION_KEY, with a clear message", async () => {
    await shop.cleanup();
    shop = await startAdminShop(telegram, { env: { DEFAULT_LOCALE: "id", DATA_ENCRYPTION_KEY: "" } });
    const admin = person(telegram, adminGroup, owner);
    await admin.ask("/stock new VOUCHER 10000 Voucher game", shown("admin-stock-created", { code: "VOUCHER" }));
    await admin.ask("/stock add VOUCHER\nCODE-1", shown("admin-stock-no-key"));
    expect(await shop.app.stock.store.available("VOUCHER")).toBe(0);
  });
});
