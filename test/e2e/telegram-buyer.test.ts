/**
 * The real grammY bot, long polling a fake Bot API over HTTP, with Redis sessions and the
 * sandbox provider: a buyer walks the whole checkout and receives the serial number.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { inlineButtons, startFakeTelegram, textOf, type FakeTelegram } from "../fakes/telegram-api.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { telegramBuyer } from "../helpers/telegram-buyer.js";

let telegram: FakeTelegram;
let shop: TestApp;

beforeAll(async () => {
  telegram = await startFakeTelegram();
});
afterAll(async () => {
  await telegram.close();
});
beforeEach(async () => {
  shop = await startTestApp({ TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.url });
});
afterEach(async () => {
  await shop.cleanup();
});

/** A buyer in a private chat; each test uses its own id so chats never mix. */
const buyer = (id: number) => telegramBuyer(telegram, id);

describe("a buyer on Telegram", () => {
  it("registers the command list in both languages", async () => {
    await telegram.waitForCall((call) => call.method === "setMyCommands" && call.params.language_code === "en", { since: 0 });
    expect(telegram.myCommands(undefined, "id")?.map((c) => c.command)).toContain("saldo");
    expect(telegram.myCommands(undefined, "en")?.find((c) => c.command === "help")?.description).toBe("Help");
  });

  it("buys a game top-up with buttons and receives the serial number", async () => {
    const budi = buyer(1001);
    budi.say("/topup 100000");
    await budi.expect("saldo ditambah Rp 100.000");

    budi.say("/start");
    const menu = await budi.expect("pilih kategori");
    expect(inlineButtons(menu).map((b) => b.text)).toContain("1. 🎮 Top-up game (3)");

    budi.tap("Top-up game");
    await budi.expect("Top-up game — pilih");
    budi.tap("Mobile Legends");
    await budi.expect("Mobile Legends — pilih produk");
    budi.tap("86 Diamonds");
    await budi.expect("Kirim ID dan Zone ID");
    budi.say("12345678 (1234)");
    const confirm = await budi.expect("Cek pesanan kamu");
    expect(textOf(confirm)).toContain("Tujuan: 12345678 (1234)");
    expect(textOf(confirm)).toContain("Harga: Rp 18.000");
    budi.tap("Lanjut bayar");
    await budi.expect("Pilih cara bayar");
    budi.tap("Saldo");
    const paid = await budi.expect("dibayar");
    const orderId = /ORD-[A-Z0-9]{8,}/.exec(textOf(paid))?.[0];
    expect(orderId).toBeDefined();
    expect(textOf(paid)).toContain("Sisa saldo Rp 82.000");

    const delivered = await budi.expect("berhasil");
    expect(textOf(delivered)).toContain(orderId!);
    expect(textOf(delivered)).toMatch(/SN: SBX[0-9A-F]{16}/);
    const order = await shop.app.orders.get(orderId!);
    expect(order?.status).toBe("delivered");
    expect(order?.inputs).toEqual({ userId: "12345678", zoneId: "1234" });
  });

  it("buys by typing menu numbers only", async () => {
    const sari = buyer(1002);
    sari.say("/topup 50rb");
    await sari.expect("Rp 50.000");
    sari.say("/menu");
    await sari.expect("pilih kategori");
    sari.say("2"); // Kuota & pulsa (one group: straight to products)
    await sari.expect("pilih produk");
    sari.say("1"); // Telkomsel 10 GB
    await sari.expect("nomor HP tujuan");
    sari.say("0812-3456");
    await sari.expect("Nomor HP tidak valid");
    sari.say("+62 812-3456-7890");
    const confirm = await sari.expect("Cek pesanan kamu");
    expect(textOf(confirm)).toContain("Tujuan: 081234567890");
    sari.say("1");
    await sari.expect("Pilih cara bayar");
    sari.say("1");
    await sari.expect("dibayar");
    const delivered = await sari.expect("berhasil");
    expect(textOf(delivered)).toContain("Telkomsel 10 GB");
    expect(await shop.app.wallet.balance("telegram:1002")).toBe(5_000);
  });

  it("answers a stale button with 'expired' and the current menu, acting on nothing", async () => {
    const eka = buyer(1003);
    eka.say("/menu");
    const first = await eka.expect("pilih kategori");
    eka.say("/menu");
    await eka.expect("pilih kategori");
    const staleData = inlineButtons(first)[0]!;
    expect("callback_data" in staleData).toBe(true);

    // The first menu's buttons still show in the chat; tapping one must not open "Top-up game".
    telegram.tapButton(1003, 1003, first.messageId, (staleData as { callback_data: string }).callback_data);
    // The tapped menu is replaced in place by the notice and the current menu, with fresh buttons.
    const answer = await eka.expect("kedaluwarsa");
    expect(answer.messageId).toBe(first.messageId);
    expect(textOf(answer)).toContain("pilih kategori");
    expect(textOf(answer)).not.toContain("Top-up game — pilih");
    expect(inlineButtons(answer)).not.toContainEqual(staleData);

    // Forged data gets the same treatment.
    telegram.tapButton(1003, 1003, first.messageId, "m9:evil:payload", { allowMissingButton: true });
    await eka.expect("kedaluwarsa");
    expect((await shop.app.orders.ofBuyer("telegram:1003")).length).toBe(0);
  });

  it("pays nothing and explains when the wallet is short; refunds a failed order once", async () => {
    const dewi = buyer(1004);
    dewi.say("/menu");
    await dewi.expect("pilih kategori");
    dewi.say("SB-FAIL1");
    await dewi.expect("Cek pesanan kamu");
    dewi.say("1");
    await dewi.expect("Pilih cara bayar");
    dewi.say("1");
    await dewi.expect("Saldo tidak cukup");
    expect((await shop.app.orders.ofBuyer("telegram:1004")).length).toBe(0);

    dewi.say("/topup 5000");
    await dewi.expect("Rp 5.000");
    dewi.say("sb-fail1");
    await dewi.expect("Cek pesanan kamu");
    dewi.say("1");
    await dewi.expect("Pilih cara bayar");
    dewi.say("1");
    await dewi.expect("gagal");
    const refunded = await dewi.expect("dikembalikan");
    expect(textOf(refunded)).toContain("Saldo sekarang Rp 5.000");
    const check = await shop.app.wallet.verify("telegram:1004");
    expect(check).toEqual({ balance: 5_000, ledgerSum: 5_000, consistent: true });
  });

  it("ignores groups, answers odd input helpfully, and survives a 10,000-character message", async () => {
    telegram.sendText({ id: -5001, type: "group", title: "Random group" }, { id: 1005 }, "/start");
    const rina = buyer(1006);
    rina.say("x".repeat(10_000));
    await rina.expect("belum paham");
    rina.say("/frobnicate");
    await rina.expect("tidak dikenal");
    telegram.pushUpdate({
      message: { message_id: 77, date: 0, chat: { id: 1006, type: "private", first_name: "Rina" }, from: { id: 1006, is_bot: false, first_name: "Rina" }, sticker: { file_id: "s", file_unique_id: "s", type: "regular", width: 1, height: 1, is_animated: false, is_video: false } },
    });
    await rina.expect("hanya bisa membaca pesan teks");
    await telegram.waitForIdle(200);
    expect(telegram.messagesTo(-5001)).toHaveLength(0);
  });
});
