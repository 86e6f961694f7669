/**
 * Channel modules end to end: the registry builds the enabled channels, the app starts, reports
 * and stops them through one list, and one chat's messages reach the shop and come back in the
 * order they were sent, though only the shop orders them (no per-chat ordering in the channel).
 */
import { PassThrough } from "node:stream";
import type { Update } from "grammy/types";
import { afterEach, describe, expect, it } from "vitest";
import { consoleModule } from "../../src/channels/console/module.js";
import type { Answer, Inbound } from "../../src/core/inbound.js";
import { asList } from "../../src/core/reply.js";
import { startFakeTelegram, textOf, type FakeTelegram } from "../fakes/telegram-api.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { telegramBuyer } from "../helpers/telegram-buyer.js";

let telegram: FakeTelegram | undefined;
let shop: TestApp | undefined;

afterEach(async () => {
  await shop?.cleanup();
  await telegram?.close();
  shop = telegram = undefined;
});

/** What reached the shop, and the menu (title key, id) each answer carried, in completion order. */
function recorder() {
  const seen: string[] = [];
  const menus: { title: string; id: number }[] = [];
  const record = (answer: Answer) => {
    for (const reply of answer.replies) if (reply.kind === "menu") menus.push({ title: asList(reply.title)[0]!.key, id: reply.menuId });
    return answer;
  };
  return {
    seen,
    menus,
    wrap: (handlers: { handle: (inbound: Inbound) => Promise<Answer>; handleGroup: (inbound: Inbound) => Promise<Answer | null> }) => ({
      handle: (inbound: Inbound) => {
        seen.push(inbound.text ?? inbound.action ?? "");
        return handlers.handle(inbound).then(record);
      },
      handleGroup: handlers.handleGroup,
    }),
  };
}

/** Four messages at once (within the flood gate's pending cap): main menu, group, main, group. */
const burst = ["/menu", "1", "/menu", "1"];
const expectedMenus = [
  { title: "menu-main-title", id: 1 },
  { title: "menu-group-title", id: 2 },
  { title: "menu-main-title", id: 3 },
  { title: "menu-group-title", id: 4 },
];

function textUpdate(updateId: number, chatId: number, text: string): Update {
  const user = { id: chatId, is_bot: false, first_name: "Order", language_code: "id" };
  const entities = text.startsWith("/") ? [{ type: "bot_command" as const, offset: 0, length: text.length }] : undefined;
  return {
    update_id: updateId,
    message: { message_id: updateId, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: "private", first_name: "Order" }, from: user, text, ...(entities ? { entities } : {}) },
  };
}

describe("the channel registry", () => {
  it("builds, starts, reports and stops the enabled channels through one list", async () => {
    telegram = await startFakeTelegram();
    shop = await startTestApp({ TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.url, TELEGRAM_ADMIN_CHAT_ID: "-100555" });
    const { app } = shop;
    expect(app.channels.map((channel) => channel.id)).toEqual(["telegram"]);
    const [module] = app.channels;
    expect(module!.health()).toBe("ok");
    expect(module!.adminGroup).toBe("-100555");
    expect(module!.buyerRef("42")).toBe("telegram:42");
    expect(module!.parseBuyerRef("tg:42")).toEqual({ key: "telegram:42", explicit: true });
    await app.stop();
    expect(module!.health()).toBe("stopped");
  });

  it("runs the console chat as a module: started with the handlers, ended with the input", async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = "";
    output.on("data", (chunk: Buffer) => (printed += chunk.toString()));
    const seen: string[] = [];
    const settled: string[] = [];
    shop = await startTestApp();
    const { app } = shop;
    const module = consoleModule({ translator: app.translator, locale: "id", input, output, interactive: false, settled: async () => void settled.push("settled") });
    expect(module.health()).toBe("stopped");
    await module.start({
      handle: (inbound) => (seen.push(inbound.text ?? ""), app.shop.handle(inbound)),
      handleGroup: async () => null,
    });
    expect(module.health()).toBe("ok");
    input.end("/saldo\n");
    await module.ended;
    expect(seen).toEqual(["/saldo"]);
    expect(settled).toEqual(["settled"]);
    expect(printed).toContain("Saldo kamu");
    expect(module.health()).toBe("stopped");
  });
});

describe("one chat's order without a channel-side queue", () => {
  it("telegram polling: a burst reaches the shop and comes back in the order sent", async () => {
    telegram = await startFakeTelegram();
    const record = recorder();
    shop = await startTestApp({ TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.url }, { wrapHandlers: record.wrap });
    const buyer = telegramBuyer(telegram, 8101);
    for (const text of burst) buyer.say(text);
    await expect.poll(() => telegram!.messagesTo(8101).length, { timeout: 10_000 }).toBe(4);
    expect(record.seen).toEqual(burst);
    expect(record.menus).toEqual(expectedMenus);
    const menus = telegram.messagesTo(8101).map(textOf);
    expect(menus).toHaveLength(4);
    expect(menus.map((text) => text.includes("pilih kategori"))).toEqual([true, false, true, false]);
  });

  it("telegram webhook: updates handed over at once are handled in the order received", async () => {
    telegram = await startFakeTelegram();
    const record = recorder();
    shop = await startTestApp(
      {
        TELEGRAM_BOT_TOKEN: telegram.token,
        TELEGRAM_API_ROOT: telegram.url,
        TELEGRAM_MODE: "webhook",
        TELEGRAM_WEBHOOK_URL: "https://shop.example.com",
        TELEGRAM_WEBHOOK_SECRET: "order-test-secret-0123456789",
      },
      { wrapHandlers: record.wrap },
    );
    const bot = shop.app.telegram!;
    await Promise.all(burst.map((text, i) => bot.handleUpdate(textUpdate(i + 1, 8102, text))));
    await expect.poll(() => telegram!.messagesTo(8102).length, { timeout: 10_000 }).toBe(4);
    expect(record.seen).toEqual(burst);
    expect(record.menus).toEqual(expectedMenus);
    expect(telegram.messagesTo(8102).map((m) => textOf(m).includes("pilih kategori"))).toEqual([true, false, true, false]);
  });
});
