/**
 * The Telegram channel (grammY). Turns updates into {@link Inbound}s, and replies into messages:
 * menus as inline keyboards (a tap on a menu edits that menu in place), photos and documents
 * from a Buffer, texts split at Telegram's 4096-character limit. A document someone sends
 * (private chat or group) comes with its caption as the text and a lazy `document`: nothing is
 * downloaded until a handler reads it (getFile, then the file URL under the configured API root).
 *
 * Long polling runs through `@grammyjs/runner` (concurrent across chats); webhook mode hands
 * updates from the HTTP server to `handleUpdate`. Both pass the per-chat {@link FloodGate} first,
 * so a flooding chat's excess is dropped without ever waiting for a slot. Nothing here orders one
 * chat's updates beyond calling the handler in arrival order (the flood gate admits in order, and
 * the rest is synchronous up to the call): the handler orders the handling (see the table in
 * `channels/module.ts`). `@grammyjs/auto-retry` waits out 429s and retries 5xx answers;
 * answers go through a per-chat send queue that a handler waits on only up to
 * {@link answerHoldMs}, so a reply waiting out a 429 does not hold a runner slot.
 */
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { autoRetry } from "@grammyjs/auto-retry";
import { run, type RunnerHandle } from "@grammyjs/runner";
import { Bot, BotError, GrammyError, InlineKeyboard, InputFile, type Context } from "grammy";
import type { CallbackQuery, Document, Update } from "grammy/types";
import type { Logger } from "pino";
import { isLocale, locales, msg, type Locale } from "../../core/message.js";
import type { BuyerCommand } from "../../bot/intent.js";
import { type Translator } from "../../i18n/translator.js";
import { ChatQueue } from "../../bot/chat-queue.js";
import type { ChannelHandlers, Inbound } from "../../core/inbound.js";
import { DocumentReadError, DocumentTooLargeError, lazyDocument, type InboundDocument } from "../../core/document.js";
import type { ChannelSender } from "../../core/outbox.js";
import { textReply, type Reply } from "../../core/reply.js";
import { bareError } from "../../core/bare-error.js";
import { FloodGate, type FloodGateOptions } from "../flood-gate.js";
import { allowedUpdates, answerHoldMs, pollingConcurrency } from "./runner-settings.js";
import { retryLater, type RetryHandle } from "./retry-later.js";
import { menuButtons, renderMenuTitle, renderText, splitText } from "../render.js";

/** Telegram's limit for one message's text. */
export const telegramTextLimit = 4096;
/** Telegram's limit for a photo or document caption. */
const captionLimit = 1024;
/** How long downloading one document may take before it is given up. */
const documentDownloadMs = 60_000;

export interface TelegramChannelOptions {
  token: string;
  apiRoot: string;
  translator: Translator;
  logger: Logger;
  /** Polling: how many updates may be handled at once (across chats); default {@link pollingConcurrency}. */
  concurrency?: number;
  /** Per-chat flood limits; defaults in {@link FloodGate}. */
  flood?: FloodGateOptions;
  /**
   * The admin group: exempt from the flood limit, since staff working through a backlog must not
   * lose commands (and the admin side refuses everyone there who is not an admin).
   */
  adminChatId?: string;
  /** First delay before a failed command-list registration is tried again (doubles up to an hour). */
  cosmeticRetryMs?: number;
}

/** Buyer commands shown in Telegram's command menu, in every locale. */
const commandMenu = ["start", "menu", "saldo", "topup", "orders", "order", "vps", "referral", "garansi", "cancel", "help", "lang"] as const satisfies readonly BuyerCommand[];

export class TelegramChannel implements ChannelSender {
  readonly channel = "telegram" as const;
  readonly bot: Bot;
  readonly flood: FloodGate;
  private runner: RunnerHandle | null = null;
  private webhookSet = false;
  /** Where updates go; given by {@link startPolling} or {@link startWebhook}. Until then updates are ignored. */
  private handlers: ChannelHandlers | null = null;
  /** Per chat: answers and shop messages being sent, in order. */
  private readonly outgoing = new ChatQueue();
  private commandsRetry: RetryHandle | null = null;
  /** The newest update id taken, to confirm at shutdown. */
  private lastUpdateId: number | null = null;

  constructor(private readonly options: TelegramChannelOptions) {
    this.bot = new Bot(options.token, { client: { apiRoot: options.apiRoot } });
    this.bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 60 }));
    this.flood = new FloodGate(options.flood);
    // Remembered for the shutdown, which confirms every update taken (see stopReceiving).
    this.bot.use((ctx, next) => {
      this.lastUpdateId = Math.max(this.lastUpdateId ?? 0, ctx.update.update_id);
      return next();
    });
    // First: a dropped update must never wait behind the chat's earlier ones.
    this.bot.use((ctx, next) => this.guardFlood(ctx, next));
    this.bot.on("message", (ctx) => this.onMessage(ctx));
    this.bot.on("callback_query:data", (ctx) => this.onButton(ctx));
    // Edited messages, channel posts, reactions…: deliberately ignored, so an edit never acts twice.
    this.bot.catch((error) => this.logFailedUpdate(error));
  }

  /** Registers the command list (both languages) and starts long polling. */
  async startPolling(handlers: ChannelHandlers): Promise<void> {
    this.handlers = handlers;
    await this.bot.init();
    this.registerCommandsInBackground();
    await this.bot.api.deleteWebhook();
    this.runner = run(this.bot, {
      runner: { fetch: { allowed_updates: [...allowedUpdates] } },
      sink: { concurrency: this.options.concurrency ?? pollingConcurrency },
    });
    this.options.logger.info({ bot: this.bot.botInfo.username }, "telegram long polling started");
  }

  /** Prepares webhook mode: the HTTP server passes each update to {@link handleUpdate}. */
  async startWebhook(url: string, secretToken: string, handlers: ChannelHandlers): Promise<void> {
    this.handlers = handlers;
    await this.bot.init();
    this.registerCommandsInBackground();
    await this.bot.api.setWebhook(url, { secret_token: secretToken, allowed_updates: [...allowedUpdates] });
    this.webhookSet = true;
    this.options.logger.info({ bot: this.bot.botInfo.username }, "telegram webhook set");
  }

  /**
   * Handles one update received by webhook. A failed update is logged, as in polling, rather
   * than thrown: an error answer would make Telegram send the same update again and again,
   * holding back every later one.
   */
  async handleUpdate(update: Update): Promise<void> {
    try {
      await this.bot.handleUpdate(update);
    } catch (error) {
      if (error instanceof BotError) this.logFailedUpdate(error);
      else throw error;
    }
  }

  private logFailedUpdate(error: BotError): void {
    this.options.logger.error({ err: loggable(error.error) }, "telegram update failed");
  }

  /** True while long polling runs, or once a webhook is set. */
  running(): boolean {
    return this.webhookSet || Boolean(this.runner?.isRunning());
  }

  /**
   * Stops long polling; resolves once every update already taken is handled (the runner waits for
   * running middleware). Webhook updates stop at the HTTP server, which answers 503 while the
   * process drains (Telegram sends them again later, to this or another process).
   */
  async stopReceiving(): Promise<void> {
    this.commandsRetry?.cancel();
    const runner = this.runner;
    if (!runner?.isRunning()) return;
    await runner.stop();
    // stop() ends the fetching loop; updates of the last batch may still be running (or about to
    // start): wait until the runner's sink is empty, so none is cut off by the rest of the shutdown.
    while (runner.size() > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    // Telegram marks updates received only when the next getUpdates names a later offset; without
    // this, the next process would be given the last batch again and handle it twice.
    if (this.lastUpdateId !== null) {
      await this.bot.api
        .getUpdates({ offset: this.lastUpdateId + 1, limit: 1, timeout: 0, allowed_updates: [...allowedUpdates] })
        .catch((error: unknown) => this.options.logger.warn({ err: loggable(error) }, "could not confirm the last telegram updates"));
    }
  }

  /** Stops receiving, then waits until every answer and shop message queued for a chat is sent. */
  async stop(): Promise<void> {
    await this.stopReceiving();
    await this.outgoing.idle();
  }

  /**
   * Sends replies to a chat (used for deliveries and other messages the shop starts), after the
   * chat's answers already queued, so a delivery never overtakes the "paid" answer before it.
   */
  async send(chatId: string, replies: Reply[], locale: Locale): Promise<void> {
    await this.outgoing.run(chatId, () => this.sendNow(chatId, replies, locale));
  }

  private async sendNow(chatId: string, replies: Reply[], locale: Locale): Promise<void> {
    for (const reply of replies) await this.sendOne(chatId, reply, locale);
  }

  /**
   * Queues an answer to a chat and waits for it only up to {@link answerHoldMs}: an answer that
   * must wait out a 429 finishes in the background (in order with the chat's other messages)
   * while the handler's slot goes to other chats.
   */
  private async answer(chatId: string, work: () => Promise<void>): Promise<void> {
    const sent = this.outgoing.run(chatId, work);
    sent.catch((error: unknown) => this.options.logger.warn({ err: loggable(error), chat: chatId }, "could not answer a telegram chat"));
    let timer: NodeJS.Timeout | undefined;
    const held = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, answerHoldMs);
    });
    try {
      await Promise.race([sent.catch(() => undefined), held]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Drops a chat's updates beyond its flood limit, telling it to slow down now and then. */
  private async guardFlood(ctx: Context, next: () => Promise<void>): Promise<void> {
    const chat = ctx.chat;
    if (!chat || String(chat.id) === this.options.adminChatId) return next();
    await this.flood.guard(String(chat.id), next, () => {
      // Only a buyer's own chat is told; a notice in a group would be noise for everyone there.
      if (chat.type !== "private") return;
      const code = ctx.from?.language_code;
      const locale = isLocale(code) ? code : this.options.translator.defaultLocale;
      this.send(String(chat.id), [textReply(msg("flood-slow-down"))], locale).catch((error: unknown) =>
        this.options.logger.warn({ err: loggable(error), chat: chat.id }, "could not send a slow-down notice"),
      );
    });
  }

  /**
   * The command list is cosmetic: a Bot API server without setMyCommands, or a transient error,
   * must not stop the shop. A failure is logged and tried again later, with growing delays.
   */
  private registerCommandsInBackground(): void {
    this.commandsRetry?.cancel();
    this.commandsRetry = retryLater(() => this.registerCommands(), {
      firstDelayMs: this.options.cosmeticRetryMs ?? 60_000,
      onFailure: (error, delayMs) => this.options.logger.warn({ err: loggable(error), retryInMs: delayMs }, "could not set the telegram command list; will retry"),
    });
  }

  private async registerCommands(): Promise<void> {
    const { translator } = this.options;
    for (const locale of locales) {
      const commands = commandMenu.map((command) => ({ command, description: translator.t(locale, `cmd-${command}`) }));
      // The default list is in the shop's default language; each language gets its own too.
      if (locale === translator.defaultLocale) await this.bot.api.setMyCommands(commands);
      await this.bot.api.setMyCommands(commands, { language_code: locale });
    }
  }

  private async onMessage(ctx: Context): Promise<void> {
    const message = ctx.message;
    if (!message || !ctx.chat || !ctx.from || ctx.from.is_bot) return;
    const inbound: Inbound = {
      channel: "telegram",
      chatId: String(ctx.chat.id),
      userId: String(ctx.from.id),
      isGroup: ctx.chat.type !== "private",
      messageId: String(message.message_id),
      ...(message.forward_origin || message.is_automatic_forward || message.via_bot ? { forwarded: true } : {}),
      displayName: ctx.from.first_name,
      ...(ctx.from.language_code ? { languageCode: ctx.from.language_code } : {}),
      ...((message.text ?? message.caption) !== undefined ? { text: message.text ?? message.caption } : {}),
      ...(message.document ? { document: this.inboundDocument(message.document) } : {}),
    };
    if (!this.handlers) return;
    const answer = inbound.isGroup ? await this.handlers.handleGroup(inbound) : await this.handlers.handle(inbound);
    if (answer) await this.answer(inbound.chatId, () => this.sendNow(inbound.chatId, answer.replies, answer.locale));
  }

  /**
   * A sent document, downloaded only when read. Bot API: getFile answers a File with `file_path`
   * ("for the moment, bots can download files of up to 20MB in size"; larger ones are refused),
   * and the bytes are at `<api root>/file/bot<token>/<file_path>`. A stated size over the cap is
   * refused before any call; the download is cut off while streaming past it.
   */
  private inboundDocument(document: Document): InboundDocument {
    return lazyDocument({
      fileName: document.file_name,
      mimeType: document.mime_type,
      size: document.file_size,
      open: (limit) => this.openFile(document.file_id, limit),
    });
  }

  private async openFile(fileId: string, limit: number): Promise<AsyncIterable<Uint8Array>> {
    let file;
    try {
      file = await this.bot.api.getFile(fileId);
    } catch (error) {
      if (error instanceof GrammyError && /too big/i.test(error.description)) throw new DocumentTooLargeError(limit);
      throw new DocumentReadError(error instanceof GrammyError ? `getFile answered ${error.error_code}` : "getFile failed");
    }
    if (file.file_size !== undefined && file.file_size > limit) throw new DocumentTooLargeError(limit, file.file_size);
    if (!file.file_path) throw new DocumentReadError("Telegram gave no file path");
    // The address holds the bot token: it never goes into an error or a log line.
    const url = `${this.options.apiRoot.replace(/\/+$/, "")}/file/bot${this.options.token}/${file.file_path}`;
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(documentDownloadMs) });
    } catch {
      throw new DocumentReadError("the download failed");
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel().catch(() => undefined);
      throw new DocumentReadError(`the download answered ${response.status}`);
    }
    const length = Number(response.headers.get("content-length") ?? Number.NaN);
    if (Number.isFinite(length) && length > limit) {
      await response.body.cancel().catch(() => undefined);
      throw new DocumentTooLargeError(limit, length);
    }
    return Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>);
  }

  private async onButton(ctx: Context): Promise<void> {
    const query = ctx.callbackQuery;
    if (!query?.data || !ctx.from) return;
    // Stops the button's spinner; sent alongside the handling, not before it, to save a round trip
    // of latency. Awaited at the end so the update is not finished while it is still in flight.
    const answered = ctx.answerCallbackQuery().catch(() => undefined);
    try {
      await this.answerButton(ctx, query, query.data);
    } finally {
      await answered;
    }
  }

  private async answerButton(ctx: Context, query: CallbackQuery, data: string): Promise<void> {
    const chat = query.message?.chat;
    if (!chat || chat.type !== "private" || !ctx.from) return;
    if (!this.handlers) return;
    const answer = await this.handlers.handle({
      channel: "telegram",
      chatId: String(chat.id),
      userId: String(ctx.from.id),
      isGroup: false,
      action: data,
      displayName: ctx.from.first_name,
    });
    const chatId = String(chat.id);
    const [first, ...rest] = answer.replies;
    const tapped = query.message?.message_id;
    await this.answer(chatId, async () => {
      // Navigating a menu edits it in place, so the chat does not fill with old menus.
      if (first?.kind === "menu" && rest.length === 0 && tapped !== undefined && (await this.editMenu(chatId, tapped, first, answer.locale))) return;
      await this.sendNow(chatId, answer.replies, answer.locale);
    });
  }

  private async editMenu(chatId: string, messageId: number, reply: Extract<Reply, { kind: "menu" }>, locale: Locale): Promise<boolean> {
    const text = renderMenuTitle(this.options.translator, locale, reply);
    if (text.length > telegramTextLimit) return false;
    try {
      await this.bot.api.editMessageText(chatId, messageId, text, { reply_markup: this.keyboard(reply, locale) });
      return true;
    } catch (error) {
      if (error instanceof GrammyError) return false; // e.g. the message is too old to edit: send a new one.
      throw error;
    }
  }

  private keyboard(reply: Extract<Reply, { kind: "menu" }>, locale: Locale): InlineKeyboard {
    const keyboard = new InlineKeyboard();
    for (const button of menuButtons(this.options.translator, locale, reply)) keyboard.text(button.label, button.data).row();
    return keyboard;
  }

  private async sendOne(chatId: string, reply: Reply, locale: Locale): Promise<void> {
    const { translator } = this.options;
    if (reply.kind === "photo" || reply.kind === "document") {
      const caption = renderText(translator, locale, reply);
      const fits = caption.length <= captionLimit;
      const options = fits && caption.length > 0 ? { caption } : {};
      // Telegram tells a document's type from its name; grammY uploads every file as octet-stream.
      if (reply.kind === "photo") await this.bot.api.sendPhoto(chatId, new InputFile(reply.png, "qris.png"), options);
      else await this.bot.api.sendDocument(chatId, new InputFile(reply.bytes, reply.fileName), options);
      if (!fits) for (const chunk of splitText(caption, telegramTextLimit)) await this.bot.api.sendMessage(chatId, chunk);
      return;
    }
    if (reply.kind === "menu") {
      const chunks = splitText(renderMenuTitle(translator, locale, reply), telegramTextLimit);
      const last = chunks.pop() ?? "";
      for (const chunk of chunks) await this.bot.api.sendMessage(chatId, chunk);
      await this.bot.api.sendMessage(chatId, last, { reply_markup: this.keyboard(reply, locale) });
      return;
    }
    for (const chunk of splitText(renderText(translator, locale, reply), telegramTextLimit)) {
      await this.bot.api.sendMessage(chatId, chunk);
    }
  }
}

/**
 * grammY's errors carry the request's payload (a message's text, which may be a delivered login)
 * as an enumerable field the log serializer would print: keep the method, code, description and
 * stack only.
 */
function loggable(error: unknown): unknown {
  return error instanceof GrammyError ? bareError(error) : error;
}
