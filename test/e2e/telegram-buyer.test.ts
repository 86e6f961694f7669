/**
 * The real grammY bot, long polling a fake Bot API over HTTP, with Redis sessions and the
 * sandbox provider: a buyer walks the whole checkout and receives the serial number.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { inlineButtons, startFakeTelegram, textOf, type FakeTelegram } from "../fakes/telegram-api.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { phrase, shown } from "../helpers/shown.js";
import { telegramBuyer } from "../helpers/telegram-buyer.js";
import { formatRupiah } from "../../src/core/money.js";

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

/**
 * A buyer in a private chat; each test uses its own id so chats never mix. Answers are awaited by
 * message key (`shown`), with amounts, targets and order ids as the markers that matter.
 */
const buyer = (id: number) => telegramBuyer(telegram, id);

describe("a buyer on Telegram", () => {
  it("registers the command list in both languages", async () => {
    await telegram.waitForCall((call) => call.method === "setMyCommands" && call.params.language_code === "en", { since: 0 });
    expect(telegram.myCommands(undefined, "id")?.map((c) => c.command)).toEqual(expect.arrayContaining(["saldo", "referral", "garansi"]));
    expect(telegram.myCommands(undefined, "en")?.find((c) => c.command === "help")?.description).toBe(phrase("cmd-help", {}, "en"));
  });

  it("buys a game top-up with buttons and receives the serial number", async () => {
    const budi = buyer(1001);
    budi.say("/topup 100000");
    await budi.expect(shown("topup-sandbox-done", { amount: formatRupiah(100_000) }));

    budi.say("/start");
    const menu = await budi.expect(shown("menu-main-title"));
    const games = phrase("category-game");
    expect(inlineButtons(menu).map((b) => b.text)).toContain(`1. ${phrase("menu-category", { category: games, count: 3 })}`);

    budi.tap(games);
    await budi.expect(shown("menu-group-title", { category: games }));
    budi.tap("Mobile Legends");
    await budi.expect(shown("menu-product-title", { title: /.*Mobile Legends/ }));
    budi.tap("86 Diamonds");
    await budi.expect(shown("input-prompt-game_id_zone"));
    budi.say("12345678 (1234)");
    const confirm = await budi.expect(shown("confirm-title"));
    expect(textOf(confirm)).toMatch(shown("confirm-target", { target: "12345678 (1234)" }));
    expect(textOf(confirm)).toMatch(shown("confirm-price", { price: formatRupiah(18_000) }));
    budi.tap(phrase("menu-item-confirm"));
    await budi.expect(shown("payment-title"));
    budi.tap(phrase("pay-method-wallet"));
    const paid = await budi.expect(shown("order-paid", { order: /ORD-[A-Z0-9]{8,}/, balance: formatRupiah(82_000) }));
    const orderId = /ORD-[A-Z0-9]{8,}/.exec(textOf(paid))?.[0];
    expect(orderId).toBeDefined();

    const delivered = await budi.expect(shown("order-delivered", { order: orderId! }));
    expect(textOf(delivered)).toMatch(shown("delivery-serial", { value: /SBX[0-9A-F]{16}/ }));
    const order = await shop.app.orders.get(orderId!);
    expect(order?.status).toBe("delivered");
    expect(order?.inputs).toEqual({ userId: "12345678", zoneId: "1234" });
  });

  it("buys by typing menu numbers only", async () => {
    const sari = buyer(1002);
    sari.say("/topup 50rb");
    await sari.expect(shown("topup-sandbox-done", { amount: formatRupiah(50_000) }));
    sari.say("/menu");
    await sari.expect(shown("menu-main-title"));
    sari.say("2"); // Kuota & pulsa (one group: straight to products)
    await sari.expect(shown("menu-product-title"));
    sari.say("1"); // Telkomsel 10 GB
    await sari.expect(shown("input-prompt-phone"));
    sari.say("0812-3456");
    await sari.expect(shown("input-error-phone"));
    sari.say("+62 812-3456-7890");
    const confirm = await sari.expect(shown("confirm-title"));
    expect(textOf(confirm)).toMatch(shown("confirm-target", { target: "081234567890" }));
    sari.say("1");
    await sari.expect(shown("payment-title"));
    sari.say("1");
    await sari.expect(shown("order-paid"));
    await sari.expect(shown("order-delivered", { product: /Telkomsel 10 GB.*/ }));
    expect(await shop.app.wallet.balance("telegram:1002")).toBe(5_000);
  });

  it("answers a stale button with 'expired' and the current menu, acting on nothing", async () => {
    const eka = buyer(1003);
    eka.say("/menu");
    const first = await eka.expect(shown("menu-main-title"));
    eka.say("/menu");
    await eka.expect(shown("menu-main-title"));
    const staleData = inlineButtons(first)[0]!;
    expect("callback_data" in staleData).toBe(true);

    // The first menu's buttons still show in the chat; tapping one must not open "Top-up game".
    telegram.tapButton(1003, 1003, first.messageId, (staleData as { callback_data: string }).callback_data);
    // The tapped menu is replaced in place by the notice and the current menu, with fresh buttons.
    const answer = await eka.expect(shown("menu-expired"));
    expect(answer.messageId).toBe(first.messageId);
    expect(textOf(answer)).toMatch(shown("menu-main-title"));
    expect(textOf(answer)).not.toMatch(shown("menu-group-title", { category: phrase("category-game") }));
    expect(inlineButtons(answer)).not.toContainEqual(staleData);

    // Forged data gets the same treatment.
    telegram.tapButton(1003, 1003, first.messageId, "m9:evil:payload", { allowMissingButton: true });
    await eka.expect(shown("menu-expired"));
    expect((await shop.app.orders.ofBuyer("telegram:1003")).length).toBe(0);
  });

  it("pays nothing and explains when the wallet is short; refunds a failed order once", async () => {
    const dewi = buyer(1004);
    dewi.say("/menu");
    await dewi.expect(shown("menu-main-title"));
    dewi.say("SB-FAIL1");
    await dewi.expect(shown("confirm-title"));
    dewi.say("1");
    await dewi.expect(shown("payment-title"));
    dewi.say("1");
    await dewi.expect(shown("wallet-insufficient", { balance: formatRupiah(0) }));
    expect((await shop.app.orders.ofBuyer("telegram:1004")).length).toBe(0);

    dewi.say("/topup 5000");
    await dewi.expect(shown("topup-sandbox-done", { amount: formatRupiah(5_000) }));
    dewi.say("sb-fail1");
    await dewi.expect(shown("confirm-title"));
    dewi.say("1");
    await dewi.expect(shown("payment-title"));
    dewi.say("1");
    await dewi.expect(shown("order-failed"));
    await dewi.expect(shown("order-refunded", { balance: formatRupiah(5_000) }));
    const check = await shop.app.wallet.verify("telegram:1004");
    expect(check).toEqual({ balance: 5_000, ledgerSum: 5_000, consistent: true });
  });

  it("ignores groups, answers odd input helpfully, and survives a 10,000-character message", async () => {
    telegram.sendText({ id: -5001, type: "group", title: "Random group" }, { id: 1005 }, "/start");
    const rina = buyer(1006);
    rina.say("x".repeat(10_000));
    await rina.expect(shown("not-understood"));
    rina.say("/frobnicate");
    await rina.expect(shown("unknown-command", { command: /\/?frobnicate/ }));
    telegram.pushUpdate({
      message: { message_id: 77, date: 0, chat: { id: 1006, type: "private", first_name: "Rina" }, from: { id: 1006, is_bot: false, first_name: "Rina" }, sticker: { file_id: "s", file_unique_id: "s", type: "regular", width: 1, height: 1, is_animated: false, is_video: false } },
    });
    await rina.expect(shown("text-only"));
    await telegram.waitForIdle(200);
    expect(telegram.messagesTo(-5001)).toHaveLength(0);
  });
});
