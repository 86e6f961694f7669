/**
 * Self-tests of the fake Telegram Bot API, driven through grammY itself so the fake is proven to
 * understand exactly what the bot will send (JSON bodies, grammY's multipart uploads, long polling).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Bot, GrammyError, InlineKeyboard, InputFile, webhookCallback } from "grammy";
import { autoRetry } from "@grammyjs/auto-retry";
import { inlineButtons, startFakeTelegram, type FakeTelegram } from "./telegram-api.js";

const CHAT = { id: 1001 };
const USER = { id: 1001, first_name: "Budi", username: "budi", language_code: "id" };

let fake: FakeTelegram;
let bots: Bot[] = [];

beforeEach(async () => {
  fake = await startFakeTelegram();
});

afterEach(async () => {
  await Promise.all(bots.filter((b) => b.isRunning()).map((b) => b.stop()));
  bots = [];
  await fake.close();
});

function makeBot(target: FakeTelegram = fake, token = target.token): Bot {
  const bot = new Bot(token, { client: { apiRoot: target.url }, botInfo: target.botInfo });
  bot.catch((err) => {
    throw err.error;
  });
  bots.push(bot);
  return bot;
}

/** Starts long polling and resolves once the first getUpdates is being held by the fake. */
async function startPolling(bot: Bot): Promise<void> {
  const mark = fake.mark();
  void bot.start({ timeout: 30 });
  await fake.waitForCall((c) => c.method === "getUpdates", { since: mark });
}

async function apiError(call: Promise<unknown>): Promise<GrammyError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof GrammyError) return error;
    throw error;
  }
  throw new Error("expected the API call to fail");
}

describe("long polling", () => {
  it("delivers updates in order to a running grammY bot and confirms them by offset", async () => {
    const bot = makeBot();
    const seen: string[] = [];
    bot.command("start", (ctx) => ctx.reply("Selamat datang"));
    bot.on("message:text", async (ctx) => {
      seen.push(ctx.msg.text);
      await ctx.reply(`echo ${ctx.msg.text}`);
    });
    fake.sendText(CHAT, USER, "/start");
    fake.sendText(CHAT, USER, "satu");
    fake.sendText(CHAT, USER, "dua");
    await startPolling(bot);

    await fake.waitFor((m) => m.text === "echo dua", { since: 0 });
    expect(fake.messagesTo(CHAT.id).map((m) => m.text)).toEqual(["Selamat datang", "echo satu", "echo dua"]);

    // Arrives while the bot's getUpdates is held: the long poll must be woken, not time out.
    await fake.waitForCall((c) => c.method === "getUpdates", { since: fake.mark() });
    const started = Date.now();
    fake.sendText(CHAT, USER, "tiga");
    await fake.waitFor((m) => m.text === "echo tiga");
    expect(Date.now() - started).toBeLessThan(1000);
    expect(seen).toEqual(["satu", "dua", "tiga"]);

    await bot.stop();
    expect(fake.pendingUpdates()).toBe(0);
    const offsets = fake.calls.filter((c) => c.method === "getUpdates").map((c) => Number(c.params.offset));
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
  });

  it("honours offset, limit and the long-poll timeout of getUpdates", async () => {
    const { api } = makeBot();
    const u1 = fake.sendText(CHAT, USER, "a");
    const u2 = fake.sendText(CHAT, USER, "b");
    const u3 = fake.sendText(CHAT, USER, "c");

    expect((await api.getUpdates({ limit: 2 })).map((u) => u.update_id)).toEqual([u1.update_id, u2.update_id]);
    expect((await api.getUpdates({ offset: u2.update_id + 1 })).map((u) => u.update_id)).toEqual([u3.update_id]);
    expect(fake.pendingUpdates()).toBe(1);
    expect(await api.getUpdates({ offset: u3.update_id + 1 })).toEqual([]);
    expect(fake.pendingUpdates()).toBe(0);

    const heldSince = Date.now();
    const poll = api.getUpdates({ offset: u3.update_id + 1, timeout: 5 });
    setTimeout(() => fake.sendText(CHAT, USER, "late"), 150);
    const [late] = await poll;
    expect(late?.message?.text).toBe("late");
    expect(Date.now() - heldSince).toBeGreaterThanOrEqual(140);
    expect(Date.now() - heldSince).toBeLessThan(2000);

    const emptySince = Date.now();
    expect(await api.getUpdates({ offset: fake.nextUpdateId, timeout: 1 })).toEqual([]);
    expect(Date.now() - emptySince).toBeGreaterThanOrEqual(950);
  });

  it("marks commands with a bot_command entity like Telegram", () => {
    const update = fake.sendText({ id: -500, type: "group", title: "Reseller" }, USER, "/beli@warung_test_bot 5");
    expect(update.message?.entities).toEqual([{ type: "bot_command", offset: 0, length: 21 }]);
    expect(update.message?.chat).toEqual({ id: -500, type: "group", title: "Reseller" });
    expect(fake.sendText(CHAT, USER, "halo").message?.entities).toBeUndefined();
  });

  it("keeps up with a burst of updates", async () => {
    const bot = makeBot();
    bot.on("message:text", (ctx) => ctx.reply(ctx.msg.text));
    await startPolling(bot);
    const count = 1000;
    for (let i = 0; i < count; i++) fake.sendText({ id: 5000 + (i % 50) }, { id: 5000 + (i % 50) }, `m${i}`);
    const last = await fake.waitFor((m) => m.text === `m${count - 1}`, 15_000);
    expect(last.chatId).toBe(5000 + ((count - 1) % 50));
    expect(fake.sent).toHaveLength(count);
    expect(fake.messagesTo(5000).map((m) => m.text).slice(0, 3)).toEqual(["m0", "m50", "m100"]);
  });

  it("ends a pending long poll on close", async () => {
    const { api } = makeBot();
    const poll = api.getUpdates({ timeout: 30 });
    await fake.waitForCall((c) => c.method === "getUpdates");
    await fake.close();
    expect(await poll).toEqual([]);
  });
});

describe("bot messages", () => {
  it("records sendMessage with its keyboard and numbers messages per chat", async () => {
    const { api } = makeBot();
    fake.sendText({ id: 300 }, { id: 300 }, "hi");
    const keyboard = new InlineKeyboard().text("Beli", "buy:ml-86").url("Bantuan", "https://example.com/help");
    const first = await api.sendMessage(100, "Halo", { reply_markup: keyboard });
    const second = await api.sendMessage(100, "Lagi");
    const elsewhere = await api.sendMessage(300, "Balas");

    expect([first.message_id, second.message_id, elsewhere.message_id]).toEqual([1, 2, 2]);
    expect(first.reply_markup).toEqual(keyboard);
    expect(fake.sent.map((m) => [m.method, m.chatId, m.messageId, m.text])).toEqual([
      ["sendMessage", 100, 1, "Halo"],
      ["sendMessage", 100, 2, "Lagi"],
      ["sendMessage", 300, 2, "Balas"],
    ]);
    expect(inlineButtons(fake.messagesTo(100)[0] ?? {})).toEqual([
      { text: "Beli", callback_data: "buy:ml-86" },
      { text: "Bantuan", url: "https://example.com/help" },
    ]);
    expect(fake.lastTo(100)?.text).toBe("Lagi");
  });

  it("receives grammY's multipart photo upload byte for byte, then the photo again by file_id", async () => {
    const { api } = makeBot();
    // Large and random, so CR/LF and boundary-like bytes occur inside the file.
    const bytes = Buffer.concat([Buffer.from("\r\n--\r\n\r\n"), randomBytes(512 * 1024)]);
    const keyboard = new InlineKeyboard().text("Sudah bayar", "paid:42");
    const sent = await api.sendPhoto(100, new InputFile(bytes), { caption: "Scan QRIS", reply_markup: keyboard });

    const upload = fake.lastTo(100);
    expect(upload?.photo?.equals(bytes)).toBe(true);
    expect(upload?.caption).toBe("Scan QRIS");
    expect(upload?.replyMarkup).toEqual(keyboard);
    expect(String(upload?.params.photo)).toMatch(/^attach:\/\//);

    const fileId = sent.photo?.[0]?.file_id ?? "";
    await api.sendPhoto(100, fileId);
    expect(fake.lastTo(100)).toMatchObject({ fileRef: fileId, fileId });
    expect(fake.lastTo(100)?.photo?.equals(bytes)).toBe(true);

    await api.sendPhoto(100, "https://example.com/qr.png", { caption: "via URL" });
    expect(fake.lastTo(100)).toMatchObject({ fileRef: "https://example.com/qr.png", caption: "via URL", photo: undefined });

    const bogus = await apiError(api.sendPhoto(100, "no-such-file-id"));
    expect([bogus.error_code, bogus.description]).toEqual([400, "Bad Request: wrong file identifier/HTTP URL specified"]);
  });

  it("records documents with their file name", async () => {
    const { api } = makeBot();
    const voucher = Buffer.from("KODE-VOUCHER-1234\n", "utf8");
    const sent = await api.sendDocument(100, new InputFile(voucher, "voucher.txt"), { caption: "Voucher kamu" });
    expect(sent.document?.file_name).toBe("voucher.txt");
    expect(fake.lastTo(100)).toMatchObject({ method: "sendDocument", fileName: "voucher.txt", caption: "Voucher kamu" });
    expect(fake.lastTo(100)?.document?.toString("utf8")).toBe("KODE-VOUCHER-1234\n");
  });

  it("edits and deletes messages with Telegram's errors for missing or unchanged ones", async () => {
    const { api } = makeBot();
    const keyboard = new InlineKeyboard().text("Pulsa", "cat:pulsa");
    const menu = await api.sendMessage(100, "Pilih kategori", { reply_markup: keyboard });

    const edited = await api.editMessageText(100, menu.message_id, "Kategori: Pulsa");
    expect(edited).toMatchObject({ message_id: menu.message_id, text: "Kategori: Pulsa", edit_date: expect.any(Number) });
    // Telegram drops the keyboard when the edit does not repeat it.
    expect(fake.message(100, menu.message_id)).toMatchObject({ text: "Kategori: Pulsa", replyMarkup: undefined });

    const same = await apiError(api.editMessageText(100, menu.message_id, "Kategori: Pulsa"));
    expect(same.error_code).toBe(400);
    expect(same.description).toMatch(/^Bad Request: message is not modified/);

    await api.editMessageReplyMarkup(100, menu.message_id, { reply_markup: keyboard });
    expect(fake.lastTo(100)).toMatchObject({ method: "editMessageReplyMarkup", text: "Kategori: Pulsa", replyMarkup: keyboard });
    const sameMarkup = await apiError(api.editMessageReplyMarkup(100, menu.message_id, { reply_markup: keyboard }));
    expect(sameMarkup.description).toMatch(/message is not modified/);

    expect((await apiError(api.editMessageCaption(100, menu.message_id, { caption: "x" }))).description).toBe(
      "Bad Request: there is no caption in the message to edit",
    );
    const photo = await api.sendPhoto(100, new InputFile(Buffer.from("png")), { caption: "lama" });
    await api.editMessageCaption(100, photo.message_id, { caption: "baru" });
    expect(fake.message(100, photo.message_id)?.caption).toBe("baru");

    expect((await apiError(api.editMessageText(100, 999, "x"))).description).toBe("Bad Request: message to edit not found");
    await api.deleteMessage(100, menu.message_id);
    expect(fake.message(100, menu.message_id)?.deleted).toBe(true);
    expect((await apiError(api.deleteMessage(100, menu.message_id))).description).toBe("Bad Request: message to delete not found");
    expect((await apiError(api.editMessageText(100, menu.message_id, "y"))).description).toBe("Bad Request: message to edit not found");
    expect(fake.sent.map((m) => m.method)).toEqual([
      "sendMessage", "editMessageText", "editMessageReplyMarkup", "sendPhoto", "editMessageCaption", "deleteMessage",
    ]);
  });

  it("enforces the 4096 text limit, HTML syntax and callback_data size without recording the message", async () => {
    const { api } = makeBot();
    await api.sendMessage(100, "a".repeat(4096));
    await api.sendMessage(100, `<b>${"a".repeat(4096)}</b>`, { parse_mode: "HTML" });

    const tooLong = await apiError(api.sendMessage(100, "a".repeat(4097)));
    expect([tooLong.error_code, tooLong.description]).toEqual([400, "Bad Request: message is too long"]);
    expect((await apiError(api.sendMessage(100, "   "))).description).toBe("Bad Request: message text is empty");
    const html = await apiError(api.sendMessage(100, "Harga < 10rb & murah", { parse_mode: "HTML" }));
    expect(html.description).toBe('Bad Request: can\'t parse entities: Unsupported start tag "" at byte offset 6');
    expect((await apiError(api.sendMessage(100, "<b>tebal", { parse_mode: "HTML" }))).description).toMatch(
      /Can't find end tag corresponding to start tag "b"/,
    );
    expect((await apiError(api.sendMessage(100, "<b>x</i>", { parse_mode: "HTML" }))).description).toMatch(
      /Unmatched end tag at byte offset 4, expected "<\/b>", found "<\/i>"/,
    );
    // A bare "&" is kept literally by Telegram; escaped markup counts as the characters it shows.
    await api.sendMessage(100, `Tom &amp; Jerry & co ${"&lt;".repeat(4070)}`, { parse_mode: "HTML" });
    const longData = new InlineKeyboard().text("x", "d".repeat(65));
    expect((await apiError(api.sendMessage(100, "x", { reply_markup: longData }))).description).toBe(
      "Bad Request: BUTTON_DATA_INVALID",
    );
    expect(fake.sent).toHaveLength(3);
  });
});

describe("files users send", () => {
  it("delivers a document message whose bytes getFile and the file route serve", async () => {
    const bot = makeBot();
    const received: { caption?: string; fileName?: string; size?: number; bytes: string }[] = [];
    let handled!: () => void;
    const done = new Promise<void>((resolve) => (handled = resolve));
    bot.on("message:document", async (ctx) => {
      const file = await ctx.api.getFile(ctx.message.document.file_id);
      const response = await fetch(`${fake.url}/file/bot${fake.token}/${file.file_path}`);
      received.push({
        caption: ctx.message.caption,
        fileName: ctx.message.document.file_name,
        size: file.file_size,
        bytes: Buffer.from(await response.arrayBuffer()).toString("utf8"),
      });
      handled();
    });
    await startPolling(bot);
    const update = fake.sendDocument(CHAT, USER, { bytes: Buffer.from("a\nb\n"), fileName: "stock.csv", mimeType: "text/csv", caption: "/stock add ML86" });
    expect(update.message?.caption_entities).toEqual([{ type: "bot_command", offset: 0, length: 6 }]);
    expect(update.message?.document).toMatchObject({ file_name: "stock.csv", mime_type: "text/csv", file_size: 4 });
    await done;
    expect(received).toEqual([{ caption: "/stock add ML86", fileName: "stock.csv", size: 4, bytes: "a\nb\n" }]);
    expect(fake.downloads.map((d) => d.status)).toEqual([200]);
  });

  it("refuses getFile over 20 MB, unknown file ids, and downloads with another token or path", async () => {
    const { api } = makeBot();
    const big = fake.sendDocument(CHAT, USER, { bytes: Buffer.alloc(20 * 1024 * 1024 + 1, 0x61), fileName: "big.txt" });
    const tooBig = await apiError(api.getFile(big.message!.document!.file_id));
    expect([tooBig.error_code, tooBig.description]).toEqual([400, "Bad Request: file is too big"]);
    const unknown = await apiError(api.getFile("no-such-file"));
    expect([unknown.error_code, unknown.description]).toEqual([400, "Bad Request: invalid file_id"]);

    const small = fake.sendDocument(CHAT, USER, { bytes: Buffer.from("x") });
    const file = await api.getFile(small.message!.document!.file_id);
    expect((await fetch(`${fake.url}/file/bot1:wrong/${file.file_path}`)).status).toBe(404);
    expect((await fetch(`${fake.url}/file/bot${fake.token}/documents/nope`)).status).toBe(404);
    expect((await fetch(`${fake.url}/file/bot${fake.token}/${file.file_path}`)).status).toBe(200);
  });

  it("can leave the size unstated, and then serves the bytes without a Content-Length", async () => {
    const { api } = makeBot();
    const update = fake.sendDocument(CHAT, USER, { bytes: Buffer.alloc(200_000, 0x62), statedSize: null });
    expect(update.message?.document?.file_size).toBeUndefined();
    const file = await api.getFile(update.message!.document!.file_id);
    expect(file.file_size).toBeUndefined();
    const response = await fetch(`${fake.url}/file/bot${fake.token}/${file.file_path}`);
    expect(response.headers.get("content-length")).toBeNull();
    expect((await response.arrayBuffer()).byteLength).toBe(200_000);
  });
});

describe("users tapping buttons", () => {
  it("delivers callback queries for the bot's buttons and records the answer", async () => {
    const bot = makeBot();
    bot.command("start", (ctx) => ctx.reply("Menu", { reply_markup: new InlineKeyboard().text("Pulsa", "cat:pulsa") }));
    bot.callbackQuery(/^cat:(.+)$/, async (ctx) => {
      await ctx.answerCallbackQuery({ text: "Oke" });
      await ctx.editMessageText(`Kategori ${ctx.match[1] ?? ""} (dari: ${ctx.callbackQuery.message?.text ?? "?"})`);
    });
    await startPolling(bot);

    fake.sendText(CHAT, USER, "/start");
    const menu = await fake.waitFor((m) => m.text === "Menu");
    expect(() => fake.tapButton(CHAT.id, USER.id, menu.messageId, "cat:game")).toThrow(/no button "cat:game"/);
    const tap = fake.tapButton(CHAT.id, USER.id, menu.messageId, "cat:pulsa");
    expect(tap.callback_query?.from).toMatchObject({ id: USER.id, first_name: "Budi" });

    const edit = await fake.waitFor((m) => m.method === "editMessageText");
    expect(edit).toMatchObject({ messageId: menu.messageId, text: "Kategori pulsa (dari: Menu)" });
    const answer = await fake.waitForCall((c) => c.method === "answerCallbackQuery" && c.status !== undefined);
    expect(answer).toMatchObject({ status: 200, params: { callback_query_id: tap.callback_query?.id, text: "Oke" } });

    const twice = await apiError(bot.api.answerCallbackQuery(tap.callback_query?.id ?? ""));
    expect(twice.description).toBe("Bad Request: query is too old and response timeout expired or query ID is invalid");
  });
});

describe("other updates", () => {
  it("passes raw updates through and keeps message ids in step with them", async () => {
    const bot = makeBot();
    const received: string[] = [];
    bot.on("message:photo", async (ctx) => {
      received.push(`photo ${ctx.msg.photo[0]?.file_id ?? ""}`);
      await ctx.reply("Bukti transfer diterima");
    });
    bot.on("edited_message:text", (ctx) => {
      received.push(`edited ${ctx.editedMessage.text}`);
    });
    const from = { id: USER.id, is_bot: false, first_name: "Budi" };
    const chat = { id: CHAT.id, type: "private" as const, first_name: "Budi" };
    fake.pushUpdate({
      message: { message_id: 40, date: 1, chat, from, photo: [{ file_id: "bukti", file_unique_id: "b", width: 1, height: 1 }] },
    });
    fake.pushUpdate({ edited_message: { message_id: 39, date: 1, edit_date: 2, chat, from, text: "koreksi" } });
    await startPolling(bot);

    const reply = await fake.waitFor((m) => m.text === "Bukti transfer diterima");
    expect(reply.messageId).toBe(41);
    await fake.waitForIdle(50);
    expect(received).toEqual(["photo bukti", "edited koreksi"]);
  });
});

describe("errors and limits", () => {
  it("answers 401 for a wrong token and 404 for an unknown method", async () => {
    const intruder = makeBot(fake, "7000000001:WRONG");
    const unauthorized = await apiError(intruder.api.getMe());
    expect([unauthorized.error_code, unauthorized.description]).toEqual([401, "Unauthorized"]);

    const response = await fetch(`${fake.url}/bot${fake.token}/sendRocket`, { method: "POST" });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ ok: false, error_code: 404, description: "Not Found: method not found" });
  });

  it("answers 429 with retry_after beyond the per-chat and global rates", async () => {
    const limited = await startFakeTelegram({ rateLimit: { globalPerSecond: 3, perChatPerSecond: 2 } });
    try {
      const { api } = makeBot(limited);
      await api.sendMessage(1, "a");
      await api.sendMessage(1, "b");
      const perChat = await apiError(api.sendMessage(1, "c"));
      expect([perChat.error_code, perChat.description, perChat.parameters.retry_after]).toEqual([
        429, "Too Many Requests: retry after 1", 1,
      ]);
      await api.sendMessage(2, "x");
      const global = await apiError(api.sendMessage(3, "y"));
      expect(global.error_code).toBe(429);
      expect(limited.tooManyRequests).toBe(2);
      expect(limited.sent.map((m) => m.text)).toEqual(["a", "b", "x"]);

      // A client that honours retry_after gets through once the window has moved on.
      const patient = makeBot(limited);
      patient.api.config.use(autoRetry());
      const started = Date.now();
      await patient.api.sendMessage(1, "d");
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      expect(limited.lastTo(1)?.text).toBe("d");
    } finally {
      await limited.close();
    }
  });

  it("fails calls for a blocked chat with 403 and injects one-off failures", async () => {
    const { api } = makeBot();
    fake.blockChat(555);
    const blocked = await apiError(api.sendMessage(555, "promo"));
    expect([blocked.error_code, blocked.description]).toEqual([403, "Forbidden: bot was blocked by the user"]);
    await api.sendMessage(556, "promo");
    fake.unblockChat(555);
    await api.sendMessage(555, "promo");

    fake.failNext("sendMessage", 1, { chatId: 7 });
    await api.sendMessage(8, "tidak terpengaruh");
    const crashed = await apiError(api.sendMessage(7, "gagal"));
    expect([crashed.error_code, crashed.description]).toEqual([500, "Internal Server Error"]);
    await api.sendMessage(7, "berhasil");

    fake.failNext("sendPhoto", 1, { status: 403 });
    expect((await apiError(api.sendPhoto(9, new InputFile(Buffer.from("x"))))).error_code).toBe(403);
    expect(fake.sent.map((m) => m.text ?? m.method)).toEqual(["promo", "promo", "tidak terpengaruh", "berhasil"]);
    expect(fake.calls.filter((c) => c.status === 403 || c.status === 500)).toHaveLength(3);
  });
});

describe("waiting helpers", () => {
  it("matches replies sent before waitFor was called, but not replies to earlier inputs", async () => {
    const bot = makeBot();
    bot.on("message:text", (ctx) => ctx.reply(`ok ${ctx.msg.text}`));
    await startPolling(bot);
    fake.sendText(CHAT, USER, "pertama");
    await fake.waitForIdle(50);
    fake.sendText(CHAT, USER, "kedua");
    await fake.waitForIdle(50);
    // Both replies are already there; the default start is the last simulated input.
    expect((await fake.waitFor((m) => m.chatId === CHAT.id)).text).toBe("ok kedua");
    expect((await fake.waitFor((m) => m.chatId === CHAT.id, { since: 0 })).text).toBe("ok pertama");

    const mark = fake.mark();
    await expect(fake.waitFor((m) => m.chatId === CHAT.id, { since: mark, timeoutMs: 100 })).rejects.toThrow(
      /no match within 100 ms/,
    );
  });
});

describe("settings and webhooks", () => {
  it("records commands per scope and language, chat actions and the menu button", async () => {
    const { api } = makeBot();
    await api.setMyCommands([{ command: "start", description: "Mulai" }], { language_code: "id" });
    await api.setMyCommands([{ command: "start", description: "Start" }]);
    await api.setMyCommands([{ command: "admin", description: "Admin" }], { scope: { type: "chat", chat_id: 42 } });
    expect(await api.getMyCommands({ language_code: "id" })).toEqual([{ command: "start", description: "Mulai" }]);
    expect(fake.myCommands()).toEqual([{ command: "start", description: "Start" }]);
    expect(fake.myCommands({ type: "chat", chat_id: 42 })?.[0]?.command).toBe("admin");
    expect((await apiError(api.setMyCommands([{ command: "Bad-Name", description: "x" }]))).description).toBe(
      "Bad Request: BOT_COMMAND_INVALID",
    );

    await api.sendChatAction(100, "upload_photo");
    await api.setChatMenuButton({ menu_button: { type: "commands" } });
    expect(fake.calls.slice(-2).map((c) => [c.method, c.status])).toEqual([
      ["sendChatAction", 200],
      ["setChatMenuButton", 200],
    ]);
  });

  it("delivers webhook updates with the secret header to a grammY webhook handler", async () => {
    const bot = new Bot(fake.token, { client: { apiRoot: fake.url }, botInfo: fake.botInfo });
    bot.on("message:text", (ctx) => ctx.reply(`pong ${ctx.msg.text}`));
    const server: Server = createServer(webhookCallback(bot, "http", { secretToken: "s3cret" }));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      await bot.api.setWebhook(hookUrl, { secret_token: "s3cret" });
      expect(fake.webhook()).toEqual({ url: hookUrl, secretToken: "s3cret" });
      expect((await apiError(bot.api.getUpdates())).error_code).toBe(409);

      const delivery = await fake.deliverWebhook(hookUrl, "s3cret", fake.sendText(CHAT, USER, "ping"));
      expect(delivery.status).toBe(200);
      expect(fake.lastTo(CHAT.id)?.text).toBe("pong ping");
      expect((await fake.deliverWebhook(hookUrl, "wrong", fake.sendText(CHAT, USER, "x"))).status).toBe(401);

      await bot.api.deleteWebhook({ drop_pending_updates: true });
      expect(fake.pendingUpdates()).toBe(0);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("executes a method returned in the webhook response body, like Telegram", async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ method: "sendMessage", chat_id: CHAT.id, text: "balasan webhook" }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      await fake.deliverWebhook(hookUrl, undefined, fake.sendText(CHAT, USER, "hai"));
      expect(fake.lastTo(CHAT.id)?.text).toBe("balasan webhook");
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
