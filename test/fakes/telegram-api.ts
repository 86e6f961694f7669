/**
 * In-memory fake of the Telegram Bot API for end-to-end tests and benchmarks of the grammY bot.
 *
 * The bot reaches it through `new Bot(token, { client: { apiRoot: fake.url } })`, so every call
 * arrives as `POST {url}/bot<token>/<method>` with a JSON body (or multipart/form-data when grammY
 * uploads an `InputFile`). The fake answers like Telegram does — `{ ok: true, result }` or
 * `{ ok: false, error_code, description, parameters? }` with the same HTTP status — and keeps the
 * chat state (message ids, texts, keyboards, deletions) so edits and button taps behave as in a
 * real chat. Tests drive the "users" with `sendText` / `sendDocument` / `tapButton` / `pushUpdate`
 * and observe the bot through `sent`, `calls`, `downloads` and the `waitFor*` helpers.
 *
 * Files: a user's document gets a file_id whose bytes the fake serves. `getFile` answers a File
 * with a `file_path`, refusing files over 20 MB as the Bot API documents ("For the moment, bots
 * can download files of up to 20MB in size"; the fake answers Telegram's "Bad Request: file is too
 * big"), and `GET {url}/file/bot<token>/<file_path>` serves the bytes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type {
  BotCommand,
  Chat,
  ForceReply,
  InlineKeyboardButton,
  InlineKeyboardMarkup,
  Message,
  ReplyKeyboardMarkup,
  ReplyKeyboardRemove,
  Update,
  User,
  UserFromGetMe,
} from "grammy/types";

/** Flood limits the fake enforces on message-creating methods when configured. */
export interface RateLimitOptions {
  /** Messages the bot may send across all chats in any sliding 1 s window. */
  globalPerSecond: number;
  /** Messages the bot may send to one chat in any sliding 1 s window. */
  perChatPerSecond: number;
}

/** Options of {@link startFakeTelegram}. */
export interface FakeTelegramOptions {
  /** Token the bot must use; requests with another token get 401. Its numeric prefix is the bot id. */
  token?: string;
  /** Enables 429 answers for sendMessage/sendPhoto/sendDocument beyond these rates. */
  rateLimit?: RateLimitOptions;
}

/** Any reply markup Telegram accepts, after the fake has parsed and checked it. */
export type ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply;

/** Parameters of one API call as received (multipart values stay strings, JSON fields are parsed). */
export type CallParams = Record<string, unknown>;

/**
 * One thing the bot did to a message: sent it (send*), changed it (edit*) or deleted it
 * (deleteMessage). The content fields are a snapshot of the message right after the event, so an
 * `editMessageReplyMarkup` record still carries the message text.
 */
export interface SentMessage {
  /** Position in the fake's event order; compare with {@link FakeTelegram.mark}. */
  seq: number;
  /** The API method that produced this event, e.g. "sendMessage" or "editMessageText". */
  method: string;
  chatId: number;
  messageId: number;
  text?: string;
  caption?: string;
  /** Photo bytes: the uploaded file, or the bytes behind a file_id the fake issued earlier. */
  photo?: Buffer;
  /** Document bytes, resolved like `photo`. */
  document?: Buffer;
  /** File name of an uploaded document or photo. */
  fileName?: string;
  /** The file_id the fake assigned to the photo/document. */
  fileId?: string;
  /** The file_id or URL string the bot passed instead of uploading bytes. */
  fileRef?: string;
  replyMarkup?: ReplyMarkup;
  /** The raw call parameters. */
  params: CallParams;
  /** Wall-clock time (ms) when the fake accepted the call. */
  at: number;
}

/** One API call as received, whatever its outcome. */
export interface CallRecord {
  /** Position in the fake's event order; compare with {@link FakeTelegram.mark}. */
  seq: number;
  method: string;
  params: CallParams;
  at: number;
  /** HTTP status of the answer; unset while a long poll is still held. */
  status?: number;
}

/** Current state of a message in a chat, as far as the fake knows it. */
export interface StoredMessage {
  chatId: number;
  messageId: number;
  /** False for messages simulated as coming from a user. */
  fromBot: boolean;
  date: number;
  editDate?: number;
  text?: string;
  caption?: string;
  media?: StoredMedia;
  replyMarkup?: ReplyMarkup;
  deleted: boolean;
}

/** A photo or document attached to a stored message. */
export interface StoredMedia {
  kind: "photo" | "document";
  fileId: string;
  /** Known bytes (uploads, or re-sent file_ids of uploads); absent for URLs. */
  data?: Buffer;
  fileName?: string;
  /** The file_id/URL string the bot passed instead of uploading. */
  ref?: string;
}

/** A simulated chat; `type` defaults to "private". */
export interface FakeChat {
  id: number;
  type?: "private" | "group" | "supergroup";
  title?: string;
}

/** A document a simulated user sends, for {@link FakeTelegram.sendDocument}. */
export interface FakeDocument {
  bytes: Buffer;
  /** `file_name`; left out of the message when absent (the Bot API marks it optional). */
  fileName?: string;
  /** `mime_type`; left out when absent. */
  mimeType?: string;
  /** The caption typed with it; a leading "/command" gets a bot_command caption entity. */
  caption?: string;
  /**
   * `file_size` as the message and getFile state it: the real size by default, a number to make
   * the message state something else, or `null` to leave it out everywhere. The Bot API marks
   * `file_size` optional on both; with `null` the fake also serves the bytes chunked, without a
   * Content-Length (assumption: the document is silent on the download's headers), so a reader
   * must enforce its own cap while streaming.
   */
  statedSize?: number | null;
}

/** One request for a file's bytes at `{url}/file/bot<token>/<file_path>`. */
export interface FileDownload {
  filePath: string;
  /** The HTTP status the fake answered. */
  status: number;
  at: number;
}

/** A simulated user; `first_name` defaults to `User <id>`. */
export interface FakeUser {
  id: number;
  first_name?: string;
  username?: string;
  language_code?: string;
}

/** Where a `waitFor*` search starts and how long it may take. */
export interface WaitOptions {
  /**
   * Only events at or after this {@link FakeTelegram.mark}. Defaults to the mark taken when the
   * last simulated update (sendText/tapButton/pushUpdate) was enqueued: the bot's answer to an input
   * always comes after that input, so this neither misses a reply that arrived before `waitFor` was
   * called nor matches replies to earlier inputs. Take an explicit mark when several inputs are in
   * flight at once, or pass 0 to search everything.
   */
  since?: number;
  /** Defaults to 5000 ms. */
  timeoutMs?: number;
}

/** How {@link FakeTelegram.failNext} makes calls fail. */
export interface FailureOptions {
  /**
   * 500 "Internal Server Error" (default), 403 "Forbidden: bot was blocked by the user", or 404
   * "Not Found: method not found" like a Bot API server that lacks the method.
   */
  status?: 500 | 403 | 404;
  /** Only calls whose chat_id is this chat fail; other chats are unaffected. */
  chatId?: number;
}

/** Outcome of {@link FakeTelegram.deliverWebhook}. */
export interface WebhookDelivery {
  status: number;
  body: string;
}

/** A running fake Telegram Bot API server. */
export interface FakeTelegram {
  /** The apiRoot to give grammY, e.g. `http://127.0.0.1:40123` (no trailing slash). */
  readonly url: string;
  /** The token the bot must use. */
  readonly token: string;
  /** What getMe answers. */
  readonly botInfo: UserFromGetMe;
  /** Every message event (send*, edit*, deleteMessage) that succeeded, in order. */
  readonly sent: readonly SentMessage[];
  /** Every API call received, including failed ones, in order. */
  readonly calls: readonly CallRecord[];
  /** How many calls were refused with 429 by the rate limit. */
  readonly tooManyRequests: number;
  /** The update_id the next simulated update will get. */
  readonly nextUpdateId: number;

  /** Ends pending long polls, rejects pending waits and destroys all sockets. */
  close(): Promise<void>;

  /** Enqueues a text message from `from` in `chat`, with a bot_command entity for "/commands". */
  sendText(chat: FakeChat, from: FakeUser, text: string): Update;
  /**
   * Enqueues a message with a document from `from` in `chat` (caption optional); the fake keeps
   * its bytes under the file_id in the message, for getFile and the download route.
   */
  sendDocument(chat: FakeChat, from: FakeUser, document: FakeDocument): Update;
  /** Every request for a file's bytes (the download route), in order. */
  readonly downloads: readonly FileDownload[];
  /**
   * Enqueues a callback_query for an inline button of a message the bot sent. Throws when the
   * message does not exist or (unless `allowMissingButton`) has no button with that callback_data,
   * because a real user cannot tap a button that is not there.
   */
  tapButton(chatId: number, fromId: number, messageId: number, data: string, options?: { allowMissingButton?: boolean }): Update;
  /** Enqueues any other update; its update_id is assigned by the fake. */
  pushUpdate(raw: Omit<Update, "update_id">): Update;
  /** How many updates are queued and not yet confirmed by a getUpdates offset. */
  pendingUpdates(): number;

  /** A marker for {@link WaitOptions.since}: events recorded from now on are at or after it. */
  mark(): number;
  /** Resolves with the first message event matching `predicate` (see {@link WaitOptions.since}). */
  waitFor(predicate: (m: SentMessage) => boolean, options?: WaitOptions | number): Promise<SentMessage>;
  /**
   * Like {@link waitFor} over all calls, e.g. to wait for answerCallbackQuery or sendChatAction.
   * A call is offered to the predicate on arrival and again once answered, so
   * `c => c.method === "x" && c.status === 200` works too.
   */
  waitForCall(predicate: (c: CallRecord) => boolean, options?: WaitOptions | number): Promise<CallRecord>;
  /**
   * Resolves once nothing happened for `quietMs`: no call in flight (long polls excepted), no
   * request, no update enqueued or handed out. Rejects after `maxMs`.
   */
  waitForIdle(quietMs?: number, maxMs?: number): Promise<void>;
  /** All message events in one chat, in order. */
  messagesTo(chatId: number): readonly SentMessage[];
  /** The latest message event in one chat. */
  lastTo(chatId: number): SentMessage | undefined;
  /** Current state of a message (after edits/deletion), or undefined if it never existed. */
  message(chatId: number, messageId: number): StoredMessage | undefined;
  /** Commands recorded by setMyCommands for a scope (default scope when omitted) and language. */
  myCommands(scope?: Record<string, unknown>, languageCode?: string): BotCommand[] | undefined;
  /** The webhook set by setWebhook, if any. */
  webhook(): { url: string; secretToken?: string } | undefined;

  /** Makes the next `count` calls of `method` fail (optionally only for one chat). */
  failNext(method: string, count: number, options?: FailureOptions): void;
  /** Every call targeting the chat fails with 403 like a user who blocked the bot, until unblocked. */
  blockChat(chatId: number): void;
  /** Undoes {@link blockChat}. */
  unblockChat(chatId: number): void;

  /**
   * POSTs an update to a webhook URL like Telegram, with the secret token header. A JSON answer
   * carrying a `method` (grammY's webhook reply) is executed as an API call, as Telegram does.
   */
  deliverWebhook(url: string, secretToken: string | undefined, update: Update): Promise<WebhookDelivery>;
}

/** Starts the fake on 127.0.0.1 with a free port. */
export async function startFakeTelegram(options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  const fake = new FakeTelegramServer(options.token ?? DEFAULT_TOKEN, options.rateLimit);
  await fake.listen();
  return fake;
}

/** The text a message event shows: its text, or its photo's caption. */
export function textOf(message: Pick<SentMessage, "text" | "caption">): string {
  return message.text ?? message.caption ?? "";
}

/** All inline buttons of a message event, row by row flattened; empty without an inline keyboard. */
export function inlineButtons(message: Pick<SentMessage, "replyMarkup">): InlineKeyboardButton[] {
  const markup = message.replyMarkup;
  return markup !== undefined && "inline_keyboard" in markup ? markup.inline_keyboard.flat() : [];
}

const DEFAULT_TOKEN = "7000000001:TEST-fake-token-for-warung-bot";
const MAX_TEXT_LENGTH = 4096;
const MAX_CAPTION_LENGTH = 1024;
const MAX_CALLBACK_DATA_BYTES = 64;
/** getFile: "For the moment, bots can download files of up to 20MB in size." */
const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;
/** Telegram accepts up to 50 MB uploads; a little headroom for the multipart framing. */
const MAX_BODY_BYTES = 52 * 1024 * 1024;
const DEFAULT_WAIT_MS = 5000;
/** Only message-creating calls are paced: that is what broadcast and pacing code throttles. */
const RATE_LIMITED_METHODS = new Set(["sendMessage", "sendPhoto", "sendDocument"]);
/** Fields Telegram decodes as JSON when they arrive as form fields (multipart/urlencoded). */
const JSON_FIELDS = new Set([
  "reply_markup",
  "entities",
  "caption_entities",
  "commands",
  "scope",
  "link_preview_options",
  "reply_parameters",
  "menu_button",
  "allowed_updates",
]);
const CHAT_ACTIONS = new Set([
  "typing",
  "upload_photo",
  "record_video",
  "upload_video",
  "record_voice",
  "upload_voice",
  "upload_document",
  "choose_sticker",
  "find_location",
  "record_video_note",
  "upload_video_note",
]);
/** Tags Telegram's HTML parse mode knows; anything else is "Unsupported start tag". */
const HTML_TAGS = new Set([
  "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
  "a", "tg-emoji", "code", "pre", "blockquote", "tg-time",
]);
const INLINE_BUTTON_ACTIONS = [
  "url", "callback_data", "web_app", "login_url", "disabled", "switch_inline_query",
  "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text", "callback_game", "pay",
];
const NOT_MODIFIED =
  "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";
const BAD_QUERY_ID = "Bad Request: query is too old and response timeout expired or query ID is invalid";
const BAD_MARKUP = "Bad Request: can't parse reply keyboard markup JSON object";

/** A Telegram-style error answer; thrown by handlers and turned into the HTTP response. */
class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly retryAfter?: number,
  ) {
    super(description);
  }

  toBody(): Record<string, unknown> {
    const body: Record<string, unknown> = { ok: false, error_code: this.code, description: this.description };
    if (this.retryAfter !== undefined) body.parameters = { retry_after: this.retryAfter };
    return body;
  }
}

/** An uploaded file part of a multipart request. */
interface UploadedFile {
  fileName: string;
  data: Buffer;
}

/** What a handler gets: decoded params, uploaded files by part name, and the client's abort. */
interface ApiRequest {
  params: CallParams;
  files: ReadonlyMap<string, UploadedFile>;
  signal: AbortSignal;
}

type Handler = (request: ApiRequest) => unknown;

interface Poller {
  limit: number;
  resolve: (updates: Update[]) => void;
  reject: (error: ApiError) => void;
  timer: NodeJS.Timeout;
}

interface FailureRule extends Required<Pick<FailureOptions, "status">> {
  method: string;
  remaining: number;
  chatId?: number;
}

interface Waiter<T> {
  predicate: (item: T) => boolean;
  resolve: (item: T) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * An append-only log with waiters that are checked against each new item, so waiting costs
 * O(waiters) per event instead of rescanning the log.
 */
class RecordLog<T extends { seq: number }> {
  readonly items: T[] = [];
  private readonly waiters = new Set<Waiter<T>>();

  constructor(private readonly describe: (item: T) => string) {}

  push(item: T): void {
    this.items.push(item);
    this.offer(item);
  }

  /** Lets waiters check an item again after it changed. */
  offer(item: T): void {
    for (const waiter of this.waiters) {
      let matched: boolean;
      try {
        matched = waiter.predicate(item);
      } catch (error) {
        this.settle(waiter);
        waiter.reject(error instanceof Error ? error : new Error(String(error)));
        continue;
      }
      if (matched) {
        this.settle(waiter);
        waiter.resolve(item);
      }
    }
  }

  waitFor(predicate: (item: T) => boolean, since: number, timeoutMs: number): Promise<T> {
    const start = this.firstIndexAtOrAfter(since);
    for (let i = start; i < this.items.length; i++) {
      const item = this.items[i];
      if (item !== undefined && predicate(item)) return Promise.resolve(item);
    }
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`no match within ${timeoutMs} ms; events since mark ${since}:\n${this.recent(start)}`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  rejectAll(error: Error): void {
    for (const waiter of this.waiters) {
      this.settle(waiter);
      waiter.reject(error);
    }
  }

  /** Binary search: items are appended with increasing seq. */
  private firstIndexAtOrAfter(seq: number): number {
    let low = 0;
    let high = this.items.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const item = this.items[mid];
      if (item !== undefined && item.seq < seq) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  private recent(start: number): string {
    const shown = this.items.slice(Math.max(start, this.items.length - 15)).map(this.describe);
    return shown.length === 0 ? "  (none)" : shown.map((line) => `  ${line}`).join("\n");
  }

  private settle(waiter: Waiter<T>): void {
    clearTimeout(waiter.timer);
    this.waiters.delete(waiter);
  }
}

/** FIFO of updates with O(1) push and amortised O(1) confirmation of a prefix. */
class UpdateQueue {
  private items: Update[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(update: Update): void {
    this.items.push(update);
  }

  /** Drops updates below `offset`; a negative offset keeps only the last -offset updates. */
  confirm(offset: number): void {
    if (offset < 0) {
      this.head = Math.max(this.head, this.items.length + offset);
    } else {
      while (this.head < this.items.length && (this.items[this.head]?.update_id ?? offset) < offset) this.head++;
    }
    this.compact();
  }

  peek(limit: number): Update[] {
    return this.items.slice(this.head, this.head + limit);
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

/** Timestamps of accepted sends within the last second. */
class SlidingWindow {
  private stamps: number[] = [];
  private head = 0;

  /** Milliseconds until one more event fits under `limit`; 0 when it fits now. */
  waitMs(now: number, limit: number): number {
    while (this.head < this.stamps.length && (this.stamps[this.head] ?? now) <= now - 1000) this.head++;
    if (this.head > 256 && this.head * 2 > this.stamps.length) {
      this.stamps = this.stamps.slice(this.head);
      this.head = 0;
    }
    const count = this.stamps.length - this.head;
    if (count < limit) return 0;
    const blocking = this.stamps[this.head + count - limit] ?? now;
    return blocking + 1000 - now;
  }

  add(now: number): void {
    this.stamps.push(now);
  }
}

/** Global and per-chat sliding windows; a refused call does not use up quota. */
class RateLimiter {
  rejected = 0;
  private readonly global = new SlidingWindow();
  private readonly perChat = new Map<number, SlidingWindow>();

  constructor(private readonly limits: RateLimitOptions) {}

  admit(chatId: number): void {
    const now = Date.now();
    let chat = this.perChat.get(chatId);
    if (chat === undefined) {
      chat = new SlidingWindow();
      this.perChat.set(chatId, chat);
    }
    const waitMs = Math.max(
      this.global.waitMs(now, this.limits.globalPerSecond),
      chat.waitMs(now, this.limits.perChatPerSecond),
    );
    if (waitMs > 0) {
      this.rejected++;
      const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
      throw new ApiError(429, `Too Many Requests: retry after ${retryAfter}`, retryAfter);
    }
    this.global.add(now);
    chat.add(now);
  }
}

class FakeTelegramServer implements FakeTelegram {
  url = "";
  readonly botInfo: UserFromGetMe;
  private readonly botUser: User;
  private readonly server: Server;
  private readonly rateLimiter: RateLimiter | undefined;
  private readonly methods: Map<string, { name: string; handler: Handler }>;
  private readonly sentLog = new RecordLog<SentMessage>(describeSent);
  private readonly callLog = new RecordLog<CallRecord>((c) => `#${c.seq} ${c.method} ${c.status ?? "pending"}`);
  private readonly sentByChat = new Map<number, SentMessage[]>();
  private readonly store = new Map<number, Map<number, StoredMessage>>();
  private readonly lastMessageId = new Map<number, number>();
  private readonly chats = new Map<number, Chat>();
  private readonly users = new Map<number, User>();
  private readonly queue = new UpdateQueue();
  private readonly openCallbackQueries = new Set<string>();
  private readonly commands = new Map<string, BotCommand[]>();
  private readonly fileBytes = new Map<string, Buffer>();
  /** Files whose size Telegram does not state (see {@link FakeDocument.statedSize}). */
  private readonly sizeUnknown = new Set<string>();
  /** file_path → file_id, once getFile issued the path. */
  private readonly filePaths = new Map<string, string>();
  private readonly downloadLog: FileDownload[] = [];
  private readonly blocked = new Set<number>();
  private failures: FailureRule[] = [];
  private poller: Poller | undefined;
  private flushScheduled = false;
  private webhookInfo: { url: string; secretToken?: string } | undefined;
  private updateSeq = 1;
  private eventSeq = 0;
  private lastInputSeq = 0;
  private callbackCounter = 0;
  private fileCounter = 0;
  private inFlight = 0;
  private lastActivityAt = Date.now();
  private closed = false;

  constructor(
    readonly token: string,
    rateLimit: RateLimitOptions | undefined,
  ) {
    const botId = Number(token.split(":")[0]);
    if (!Number.isSafeInteger(botId) || botId <= 0) throw new Error(`token must look like "<bot id>:<secret>"`);
    this.botInfo = {
      id: botId,
      is_bot: true,
      first_name: "Warung Test Bot",
      username: "warung_test_bot",
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
      can_manage_bots: false,
      supports_join_request_queries: false,
    };
    // Messages carry the plain User, without getMe's capability flags.
    this.botUser = { id: botId, is_bot: true, first_name: this.botInfo.first_name, username: this.botInfo.username };
    this.rateLimiter = rateLimit === undefined ? undefined : new RateLimiter(rateLimit);
    this.methods = this.buildMethodTable();
    this.server = createServer((req, res) => void this.handleHttp(req, res));
    // grammY keeps connections alive without an idle timeout; closing them after Node's default 5 s
    // would race with a reused socket and surface as random ECONNRESETs in long tests.
    this.server.keepAliveTimeout = 10 * 60_000;
  }

  get sent(): readonly SentMessage[] {
    return this.sentLog.items;
  }

  get calls(): readonly CallRecord[] {
    return this.callLog.items;
  }

  get downloads(): readonly FileDownload[] {
    return this.downloadLog;
  }

  get tooManyRequests(): number {
    return this.rateLimiter?.rejected ?? 0;
  }

  get nextUpdateId(): number {
    return this.updateSeq;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.endPoll([]);
    const error = new Error("fake Telegram server closed");
    this.sentLog.rejectAll(error);
    this.callLog.rejectAll(error);
    // Let the empty long-poll answer reach the socket before the sockets are destroyed.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // --- simulated users -------------------------------------------------------------------------

  sendText(chat: FakeChat, from: FakeUser, text: string): Update {
    const user = this.rememberUser(from);
    const tgChat = this.rememberChat(chat, user);
    const messageId = this.allocateMessageId(chat.id);
    const date = unixNow();
    const message: Message & Update.NonChannel = { message_id: messageId, from: user, chat: tgChat, date, text };
    const command = /^\/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?/.exec(text);
    if (command !== null) message.entities = [{ type: "bot_command", offset: 0, length: command[0].length }];
    this.putMessage({ chatId: chat.id, messageId, fromBot: false, date, text, deleted: false });
    return this.enqueue({ message });
  }

  sendDocument(chat: FakeChat, from: FakeUser, spec: FakeDocument): Update {
    if (spec.bytes.length === 0) throw new Error("sendDocument: Telegram does not deliver empty files");
    const user = this.rememberUser(from);
    const tgChat = this.rememberChat(chat, user);
    const messageId = this.allocateMessageId(chat.id);
    const date = unixNow();
    const fileId = `document-${++this.fileCounter}-user${from.id}`;
    this.fileBytes.set(fileId, spec.bytes);
    if (spec.statedSize === null) this.sizeUnknown.add(fileId);
    const statedSize = spec.statedSize === undefined ? spec.bytes.length : spec.statedSize;
    const document: NonNullable<Message["document"]> = {
      file_id: fileId,
      file_unique_id: `u${fileId}`,
      ...(spec.fileName !== undefined ? { file_name: spec.fileName } : {}),
      ...(spec.mimeType !== undefined ? { mime_type: spec.mimeType } : {}),
      ...(statedSize !== null ? { file_size: statedSize } : {}),
    };
    const message: Message & Update.NonChannel = { message_id: messageId, from: user, chat: tgChat, date, document };
    if (spec.caption !== undefined) {
      message.caption = spec.caption;
      const command = /^\/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?/.exec(spec.caption);
      if (command !== null) message.caption_entities = [{ type: "bot_command", offset: 0, length: command[0].length }];
    }
    const media: StoredMedia = { kind: "document", fileId, data: spec.bytes, ...(spec.fileName !== undefined ? { fileName: spec.fileName } : {}) };
    this.putMessage({ chatId: chat.id, messageId, fromBot: false, date, caption: spec.caption, media, deleted: false });
    return this.enqueue({ message });
  }

  tapButton(
    chatId: number,
    fromId: number,
    messageId: number,
    data: string,
    options: { allowMissingButton?: boolean } = {},
  ): Update {
    const stored = this.store.get(chatId)?.get(messageId);
    if (stored === undefined || !stored.fromBot || stored.deleted) {
      throw new Error(`tapButton: the bot has no live message ${messageId} in chat ${chatId}`);
    }
    const buttons = inlineButtons(stored);
    if (options.allowMissingButton !== true && !buttons.some((b) => "callback_data" in b && b.callback_data === data)) {
      const available = buttons.map((b) => ("callback_data" in b ? b.callback_data : `(${b.text})`)).join(", ");
      throw new Error(`tapButton: message ${messageId} has no button "${data}"; buttons: ${available || "none"}`);
    }
    const id = `${this.botUser.id}${++this.callbackCounter}`;
    const from = this.users.get(fromId) ?? defaultUser(fromId);
    return this.enqueue({
      callback_query: { id, from, message: this.toTelegramMessage(stored), chat_instance: `ci${chatId}`, data },
    });
  }

  pushUpdate(raw: Omit<Update, "update_id">): Update {
    const message = raw.message;
    if (message !== undefined) {
      this.chats.set(message.chat.id, message.chat);
      if (message.from !== undefined) this.users.set(message.from.id, message.from);
      const last = this.lastMessageId.get(message.chat.id) ?? 0;
      this.lastMessageId.set(message.chat.id, Math.max(last, message.message_id));
      const { text, caption, date } = message;
      this.putMessage({ chatId: message.chat.id, messageId: message.message_id, fromBot: false, date, text, caption, deleted: false });
    }
    return this.enqueue(raw);
  }

  pendingUpdates(): number {
    return this.queue.size;
  }

  // --- observation -----------------------------------------------------------------------------

  mark(): number {
    return this.eventSeq;
  }

  waitFor(predicate: (m: SentMessage) => boolean, options?: WaitOptions | number): Promise<SentMessage> {
    const { since, timeoutMs } = this.waitOptions(options);
    return this.sentLog.waitFor(predicate, since, timeoutMs);
  }

  waitForCall(predicate: (c: CallRecord) => boolean, options?: WaitOptions | number): Promise<CallRecord> {
    const { since, timeoutMs } = this.waitOptions(options);
    return this.callLog.waitFor(predicate, since, timeoutMs);
  }

  async waitForIdle(quietMs = 100, maxMs = 10_000): Promise<void> {
    const deadline = Date.now() + maxMs;
    for (;;) {
      const quietFor = Date.now() - this.lastActivityAt;
      if (this.inFlight === 0 && quietFor >= quietMs) return;
      if (Date.now() >= deadline) throw new Error(`fake Telegram was not idle for ${quietMs} ms within ${maxMs} ms`);
      await sleep(this.inFlight > 0 ? Math.min(quietMs, 10) : quietMs - quietFor);
    }
  }

  messagesTo(chatId: number): readonly SentMessage[] {
    return this.sentByChat.get(chatId) ?? [];
  }

  lastTo(chatId: number): SentMessage | undefined {
    return this.sentByChat.get(chatId)?.at(-1);
  }

  message(chatId: number, messageId: number): StoredMessage | undefined {
    return this.store.get(chatId)?.get(messageId);
  }

  myCommands(scope?: Record<string, unknown>, languageCode?: string): BotCommand[] | undefined {
    return this.commands.get(commandsKey(scope, languageCode));
  }

  webhook(): { url: string; secretToken?: string } | undefined {
    return this.webhookInfo;
  }

  // --- scenario controls -----------------------------------------------------------------------

  failNext(method: string, count: number, options: FailureOptions = {}): void {
    if (count <= 0) return;
    this.failures.push({ method, remaining: count, status: options.status ?? 500, chatId: options.chatId });
  }

  blockChat(chatId: number): void {
    this.blocked.add(chatId);
  }

  unblockChat(chatId: number): void {
    this.blocked.delete(chatId);
  }

  async deliverWebhook(url: string, secretToken: string | undefined, update: Update): Promise<WebhookDelivery> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (secretToken !== undefined && secretToken !== "") headers["x-telegram-bot-api-secret-token"] = secretToken;
    const response = await fetch(url, { method: "POST", headers, body: JSON.stringify(update) });
    const body = await response.text();
    if (response.ok) await this.runWebhookReply(response.headers.get("content-type"), body);
    return { status: response.status, body };
  }

  // --- HTTP plumbing ---------------------------------------------------------------------------

  private async handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.lastActivityAt = Date.now();
    if ((req.url ?? "").startsWith("/file/")) return this.serveFile(req, res);
    const entry = this.routeOf(req);
    if (!("handler" in entry)) {
      req.resume();
      return sendJson(res, entry.code, entry.toBody());
    }
    const isPoll = entry.name === "getUpdates";
    if (!isPoll) this.inFlight++;
    try {
      const reply = await this.receive(req, entry, isPoll ? abortSignalOf(res) : NEVER_ABORTED);
      if (!res.destroyed) sendJson(res, reply.status, reply.body);
    } catch {
      // The client went away mid-request (e.g. an aborted upload): there is nobody to answer.
      res.destroy();
    } finally {
      if (!isPoll) this.inFlight--;
      this.lastActivityAt = Date.now();
    }
  }

  /**
   * `GET /file/bot<token>/<file_path>`: the bytes of a file getFile issued the path for. A wrong
   * token or an unknown path is a 404 (assumption: the Bot API document only gives the link).
   */
  private serveFile(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    const match = /^\/file\/bot([^/]+)\/(.+)$/.exec((req.url ?? "").split("?")[0] ?? "");
    const filePath = match?.[2] ?? "";
    const fileId = match !== null && safeDecode(match[1] ?? "") === this.token ? this.filePaths.get(filePath) : undefined;
    const bytes = fileId === undefined ? undefined : this.fileBytes.get(fileId);
    const status = req.method !== "GET" ? 405 : bytes === undefined ? 404 : 200;
    this.downloadLog.push({ filePath, status, at: Date.now() });
    this.lastActivityAt = Date.now();
    if (bytes === undefined || status !== 200) {
      res.writeHead(status, { "content-type": "text/plain" }).end(status === 404 ? "Not Found" : "Method Not Allowed");
      return;
    }
    if (fileId !== undefined && this.sizeUnknown.has(fileId)) {
      // Chunked, without a Content-Length: the reader learns the size only by reading.
      res.writeHead(200, { "content-type": "application/octet-stream" });
      for (let offset = 0; offset < bytes.length; offset += 64 * 1024) res.write(bytes.subarray(offset, offset + 64 * 1024));
      res.end();
      return;
    }
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(bytes.length) }).end(bytes);
  }

  /** The method a request addresses, or the error Telegram gives for a bad path or token. */
  private routeOf(req: IncomingMessage): { name: string; handler: Handler; query: string } | ApiError {
    const route = parseRoute(req.url ?? "/");
    if (route === undefined) return new ApiError(404, "Not Found");
    if (route.token !== this.token) return new ApiError(401, "Unauthorized");
    // Telegram matches method names case-insensitively.
    const entry = this.methods.get(route.method.toLowerCase());
    if (entry === undefined) return new ApiError(404, "Not Found: method not found");
    return { ...entry, query: route.query };
  }

  private async receive(
    req: IncomingMessage,
    entry: { name: string; handler: Handler; query: string },
    signal: AbortSignal,
  ): Promise<{ status: number; body: unknown }> {
    let decoded: { params: CallParams; files: Map<string, UploadedFile> };
    try {
      const body = await readBody(req);
      decoded = decodeBody(req.headers["content-type"], body, entry.query);
    } catch (error) {
      if (error instanceof ApiError) return { status: error.code, body: error.toBody() };
      throw error;
    }
    return this.invoke(entry, decoded.params, decoded.files, signal);
  }

  /** Runs one API call: records it, applies injected failures, then the method's handler. */
  private async invoke(
    entry: { name: string; handler: Handler },
    params: CallParams,
    files: ReadonlyMap<string, UploadedFile>,
    signal: AbortSignal,
  ): Promise<{ status: number; body: unknown }> {
    const call: CallRecord = { seq: this.eventSeq++, method: entry.name, params, at: Date.now() };
    this.callLog.push(call);
    try {
      this.injectFailure(entry.name, params);
      const result = await entry.handler({ params, files, signal });
      this.settleCall(call, 200);
      return { status: 200, body: { ok: true, result } };
    } catch (error) {
      const apiError =
        error instanceof ApiError
          ? error
          : new ApiError(500, `Internal Server Error: fake crashed: ${error instanceof Error ? error.message : String(error)}`);
      this.settleCall(call, apiError.code);
      return { status: apiError.code, body: apiError.toBody() };
    }
  }

  /** Calls are logged on arrival; waiters see them again once the status is known. */
  private settleCall(call: CallRecord, status: number): void {
    call.status = status;
    this.callLog.offer(call);
  }

  /** Telegram ignores webhook answers it cannot read, so a non-JSON body is not an error here. */
  private async runWebhookReply(contentType: string | null, body: string): Promise<void> {
    if (contentType === null || !contentType.includes("application/json") || body === "") return;
    let reply: unknown;
    try {
      reply = JSON.parse(body);
    } catch {
      return;
    }
    if (!isRecord(reply) || typeof reply.method !== "string") return;
    const entry = this.methods.get(reply.method.toLowerCase());
    if (entry === undefined) return;
    const { method: _method, ...params } = reply;
    await this.invoke(entry, params, new Map(), new AbortController().signal);
  }

  private injectFailure(method: string, params: CallParams): void {
    const rule = this.failures.find(
      (r) => r.method === method && (r.chatId === undefined || r.chatId === lenientChatId(params.chat_id)),
    );
    if (rule === undefined) return;
    rule.remaining--;
    if (rule.remaining <= 0) this.failures = this.failures.filter((r) => r !== rule);
    if (rule.status === 403) throw blockedError(rule.chatId ?? lenientChatId(params.chat_id) ?? 1);
    if (rule.status === 404) throw new ApiError(404, "Not Found: method not found");
    throw new ApiError(500, "Internal Server Error");
  }

  /** Blocked chats and flood limits, checked after validation like Telegram. */
  private admit(method: string, chatId: number): void {
    if (this.blocked.has(chatId)) throw blockedError(chatId);
    if (this.rateLimiter !== undefined && RATE_LIMITED_METHODS.has(method)) this.rateLimiter.admit(chatId);
  }

  // --- updates ---------------------------------------------------------------------------------

  private enqueue(partial: Omit<Update, "update_id">): Update {
    const update: Update = { ...partial, update_id: this.updateSeq++ };
    const query = update.callback_query;
    if (query !== undefined) this.openCallbackQueries.add(query.id);
    this.queue.push(update);
    this.lastInputSeq = this.eventSeq;
    this.lastActivityAt = Date.now();
    this.schedulePollFlush();
    return update;
  }

  /** Batches updates enqueued in the same tick into one getUpdates answer. */
  private schedulePollFlush(): void {
    if (this.poller === undefined || this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const poller = this.poller;
      if (poller !== undefined && this.queue.size > 0) this.endPoll(this.queue.peek(poller.limit));
    });
  }

  private endPoll(updates: Update[] | ApiError): void {
    const poller = this.poller;
    if (poller === undefined) return;
    this.poller = undefined;
    clearTimeout(poller.timer);
    if (updates instanceof ApiError) {
      poller.reject(updates);
    } else {
      if (updates.length > 0) this.lastActivityAt = Date.now();
      poller.resolve(updates);
    }
  }

  private getUpdates({ params, signal }: ApiRequest): Update[] | Promise<Update[]> {
    if (this.webhookInfo !== undefined) {
      throw new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    }
    const offset = optInt(params, "offset");
    if (offset !== undefined) this.queue.confirm(offset);
    const limit = Math.min(100, Math.max(1, optInt(params, "limit") ?? 100));
    const timeoutSeconds = Math.max(0, optNumber(params, "timeout") ?? 0);
    // Like Telegram, a newer getUpdates terminates the one still waiting.
    this.endPoll(new ApiError(409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"));
    if (this.queue.size > 0 || timeoutSeconds === 0 || this.closed) return this.queue.peek(limit);
    return new Promise<Update[]>((resolve, reject) => {
      const poller: Poller = {
        limit,
        resolve,
        reject,
        timer: setTimeout(() => this.endPoll([]), timeoutSeconds * 1000),
      };
      this.poller = poller;
      signal.addEventListener("abort", () => {
        if (this.poller === poller) this.endPoll([]);
      });
    });
  }

  // --- bot messages ----------------------------------------------------------------------------

  private sendMessage({ params }: ApiRequest): Message {
    const chatId = requireChatId(params);
    const text = optString(params, "text");
    checkText(text, optString(params, "parse_mode"));
    const replyMarkup = parseReplyMarkup(params.reply_markup);
    this.admit("sendMessage", chatId);
    return this.recordNewMessage("sendMessage", chatId, { text, replyMarkup }, params);
  }

  private sendMedia(kind: "photo" | "document", { params, files }: ApiRequest): Message {
    const method = kind === "photo" ? "sendPhoto" : "sendDocument";
    const chatId = requireChatId(params);
    const media = this.resolveInputFile(kind, params, files);
    const caption = optString(params, "caption");
    checkCaption(caption, optString(params, "parse_mode"));
    const replyMarkup = parseReplyMarkup(params.reply_markup);
    this.admit(method, chatId);
    return this.recordNewMessage(method, chatId, { caption, media, replyMarkup }, params);
  }

  /** An upload (direct part or attach://), a file_id the fake issued, or an HTTP URL. */
  private resolveInputFile(kind: "photo" | "document", params: CallParams, files: ReadonlyMap<string, UploadedFile>): StoredMedia {
    const value = params[kind];
    const upload = files.get(kind) ?? (typeof value === "string" && value.startsWith("attach://") ? files.get(value.slice(9)) : undefined);
    if (upload !== undefined) {
      if (upload.data.length === 0) throw new ApiError(400, "Bad Request: file must be non-empty");
      const fileId = `${kind}-${++this.fileCounter}-${this.botUser.id}`;
      this.fileBytes.set(fileId, upload.data);
      return { kind, fileId, data: upload.data, fileName: upload.fileName };
    }
    if (typeof value !== "string" || value === "" || value.startsWith("attach://")) {
      throw new ApiError(400, `Bad Request: there is no ${kind} in the request`);
    }
    const known = this.fileBytes.get(value);
    if (known !== undefined) return { kind, fileId: value, data: known, ref: value };
    if (/^https?:\/\/\S+$/.test(value)) return { kind, fileId: `${kind}-${++this.fileCounter}-url`, ref: value };
    throw new ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified");
  }

  /** getFile: a File with a download path; files over 20 MB are refused as the Bot API documents. */
  private getFile({ params }: ApiRequest): Record<string, unknown> {
    const fileId = optString(params, "file_id");
    if (fileId === undefined || fileId === "") throw new ApiError(400, "Bad Request: file_id is empty");
    const bytes = this.fileBytes.get(fileId);
    if (bytes === undefined) throw new ApiError(400, "Bad Request: invalid file_id");
    if (bytes.length > MAX_DOWNLOAD_BYTES) throw new ApiError(400, "Bad Request: file is too big");
    let filePath = [...this.filePaths].find(([, id]) => id === fileId)?.[0];
    if (filePath === undefined) {
      const folder = fileId.startsWith("photo") ? "photos" : "documents";
      filePath = `${folder}/file_${this.filePaths.size}`;
      this.filePaths.set(filePath, fileId);
    }
    return {
      file_id: fileId,
      file_unique_id: `u${fileId}`,
      ...(this.sizeUnknown.has(fileId) ? {} : { file_size: bytes.length }),
      file_path: filePath,
    };
  }

  private editMessageText({ params }: ApiRequest): Message {
    const target = this.editTarget(params);
    const text = optString(params, "text");
    checkText(text, optString(params, "parse_mode"));
    if (target.text === undefined) throw new ApiError(400, "Bad Request: there is no text in the message to edit");
    const replyMarkup = parseReplyMarkup(params.reply_markup);
    if (text === target.text && sameMarkup(replyMarkup, target.replyMarkup)) throw new ApiError(400, NOT_MODIFIED);
    this.admit("editMessageText", target.chatId);
    return this.applyEdit("editMessageText", target, { text, replyMarkup }, params);
  }

  private editMessageCaption({ params }: ApiRequest): Message {
    const target = this.editTarget(params);
    const caption = optString(params, "caption");
    checkCaption(caption, optString(params, "parse_mode"));
    if (target.media === undefined) throw new ApiError(400, "Bad Request: there is no caption in the message to edit");
    const replyMarkup = parseReplyMarkup(params.reply_markup);
    if (caption === target.caption && sameMarkup(replyMarkup, target.replyMarkup)) throw new ApiError(400, NOT_MODIFIED);
    this.admit("editMessageCaption", target.chatId);
    return this.applyEdit("editMessageCaption", target, { caption, replyMarkup }, params);
  }

  private editMessageReplyMarkup({ params }: ApiRequest): Message {
    const target = this.editTarget(params);
    const replyMarkup = parseReplyMarkup(params.reply_markup);
    if (sameMarkup(replyMarkup, target.replyMarkup)) throw new ApiError(400, NOT_MODIFIED);
    this.admit("editMessageReplyMarkup", target.chatId);
    return this.applyEdit("editMessageReplyMarkup", target, { replyMarkup }, params);
  }

  /** The bot message an edit refers to; inline messages are out of scope for this bot. */
  private editTarget(params: CallParams): StoredMessage {
    if (params.chat_id === undefined && params.inline_message_id !== undefined) {
      throw new ApiError(400, "Bad Request: inline messages are not supported by the fake Telegram server");
    }
    const chatId = requireChatId(params);
    const messageId = requireMessageId(params);
    const target = this.store.get(chatId)?.get(messageId);
    if (target === undefined || target.deleted) throw new ApiError(400, "Bad Request: message to edit not found");
    if (!target.fromBot) throw new ApiError(400, "Bad Request: message can't be edited");
    return target;
  }

  private applyEdit(
    method: string,
    target: StoredMessage,
    change: Pick<StoredMessage, "text" | "caption" | "replyMarkup">,
    params: CallParams,
  ): Message {
    // Telegram drops the inline keyboard when an edit omits reply_markup, so it is always replaced.
    if ("text" in change) target.text = change.text;
    if ("caption" in change) target.caption = change.caption;
    target.replyMarkup = change.replyMarkup;
    target.editDate = unixNow();
    this.logEvent(method, target, params);
    return this.toTelegramMessage(target);
  }

  private deleteMessage({ params }: ApiRequest): true {
    const chatId = requireChatId(params);
    const messageId = requireMessageId(params);
    const target = this.store.get(chatId)?.get(messageId);
    if (target === undefined || target.deleted) throw new ApiError(400, "Bad Request: message to delete not found");
    this.admit("deleteMessage", chatId);
    target.deleted = true;
    this.logEvent("deleteMessage", target, params);
    return true;
  }

  private answerCallbackQuery({ params }: ApiRequest): true {
    const id = optString(params, "callback_query_id");
    if (id === undefined || !this.openCallbackQueries.delete(id)) throw new ApiError(400, BAD_QUERY_ID);
    return true;
  }

  private sendChatAction({ params }: ApiRequest): true {
    const chatId = requireChatId(params);
    const action = optString(params, "action");
    if (action === undefined || !CHAT_ACTIONS.has(action)) throw new ApiError(400, "Bad Request: wrong parameter action in request");
    this.admit("sendChatAction", chatId);
    return true;
  }

  private recordNewMessage(
    method: string,
    chatId: number,
    content: Pick<StoredMessage, "text" | "caption" | "media" | "replyMarkup">,
    params: CallParams,
  ): Message {
    const stored: StoredMessage = {
      chatId,
      messageId: this.allocateMessageId(chatId),
      fromBot: true,
      date: unixNow(),
      deleted: false,
      ...content,
    };
    this.putMessage(stored);
    this.logEvent(method, stored, params);
    return this.toTelegramMessage(stored);
  }

  private logEvent(method: string, stored: StoredMessage, params: CallParams): void {
    const media = stored.media;
    const record: SentMessage = {
      seq: this.eventSeq++,
      method,
      chatId: stored.chatId,
      messageId: stored.messageId,
      text: stored.text,
      caption: stored.caption,
      photo: media?.kind === "photo" ? media.data : undefined,
      document: media?.kind === "document" ? media.data : undefined,
      fileName: media?.fileName,
      fileId: media?.fileId,
      fileRef: media?.ref,
      replyMarkup: stored.replyMarkup,
      params,
      at: Date.now(),
    };
    let perChat = this.sentByChat.get(stored.chatId);
    if (perChat === undefined) {
      perChat = [];
      this.sentByChat.set(stored.chatId, perChat);
    }
    perChat.push(record);
    this.sentLog.push(record);
  }

  // --- bot settings ----------------------------------------------------------------------------

  private setMyCommands({ params }: ApiRequest): true {
    const commands = params.commands;
    if (!Array.isArray(commands) || commands.length > 100) throw new ApiError(400, "Bad Request: BOT_COMMANDS_TOO_MUCH");
    const parsed = commands.map(parseBotCommand);
    this.commands.set(commandsKey(optRecord(params, "scope"), optString(params, "language_code")), parsed);
    return true;
  }

  private getMyCommands({ params }: ApiRequest): BotCommand[] {
    return this.myCommands(optRecord(params, "scope"), optString(params, "language_code")) ?? [];
  }

  private setWebhook({ params }: ApiRequest): true {
    const url = optString(params, "url") ?? "";
    const secretToken = optString(params, "secret_token");
    if (secretToken !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken)) {
      throw new ApiError(400, "Bad Request: secret token contains unallowed characters");
    }
    if (url !== "" && !/^https?:\/\/\S+$/.test(url)) throw new ApiError(400, "Bad Request: bad webhook: Failed to resolve host");
    if (optBoolean(params, "drop_pending_updates")) this.queue.clear();
    this.webhookInfo = url === "" ? undefined : { url, secretToken };
    return true;
  }

  private deleteWebhook({ params }: ApiRequest): true {
    if (optBoolean(params, "drop_pending_updates")) this.queue.clear();
    this.webhookInfo = undefined;
    return true;
  }

  private getWebhookInfo(): Record<string, unknown> {
    return { url: this.webhookInfo?.url ?? "", has_custom_certificate: false, pending_update_count: this.queue.size };
  }

  private setChatMenuButton({ params }: ApiRequest): true {
    if (params.chat_id !== undefined) requireChatId(params);
    const button = params.menu_button;
    if (button !== undefined && (!isRecord(button) || !["commands", "web_app", "default"].includes(String(button.type)))) {
      throw new ApiError(400, "Bad Request: can't parse menu button JSON object");
    }
    return true;
  }

  private buildMethodTable(): Map<string, { name: string; handler: Handler }> {
    const handlers: Record<string, Handler> = {
      getMe: () => this.botInfo,
      getUpdates: (r) => this.getUpdates(r),
      deleteWebhook: (r) => this.deleteWebhook(r),
      setWebhook: (r) => this.setWebhook(r),
      getWebhookInfo: () => this.getWebhookInfo(),
      setMyCommands: (r) => this.setMyCommands(r),
      getMyCommands: (r) => this.getMyCommands(r),
      sendMessage: (r) => this.sendMessage(r),
      sendPhoto: (r) => this.sendMedia("photo", r),
      sendDocument: (r) => this.sendMedia("document", r),
      getFile: (r) => this.getFile(r),
      editMessageText: (r) => this.editMessageText(r),
      editMessageReplyMarkup: (r) => this.editMessageReplyMarkup(r),
      editMessageCaption: (r) => this.editMessageCaption(r),
      deleteMessage: (r) => this.deleteMessage(r),
      answerCallbackQuery: (r) => this.answerCallbackQuery(r),
      sendChatAction: (r) => this.sendChatAction(r),
      setChatMenuButton: (r) => this.setChatMenuButton(r),
    };
    return new Map(Object.entries(handlers).map(([name, handler]) => [name.toLowerCase(), { name, handler }]));
  }

  // --- chat state ------------------------------------------------------------------------------

  private allocateMessageId(chatId: number): number {
    const next = (this.lastMessageId.get(chatId) ?? 0) + 1;
    this.lastMessageId.set(chatId, next);
    return next;
  }

  private putMessage(stored: StoredMessage): void {
    let perChat = this.store.get(stored.chatId);
    if (perChat === undefined) {
      perChat = new Map();
      this.store.set(stored.chatId, perChat);
    }
    perChat.set(stored.messageId, stored);
  }

  private rememberUser(from: FakeUser): User {
    const user: User = { ...from, is_bot: false, first_name: from.first_name ?? defaultUser(from.id).first_name };
    this.users.set(user.id, user);
    return user;
  }

  private rememberChat(chat: FakeChat, user: User): Update.NonChannel["chat"] {
    const title = chat.title ?? `Chat ${chat.id}`;
    const tgChat: Update.NonChannel["chat"] =
      chat.type === "group"
        ? { id: chat.id, type: "group", title }
        : chat.type === "supergroup"
          ? { id: chat.id, type: "supergroup", title }
          : { id: chat.id, type: "private", first_name: user.first_name, username: user.username };
    this.chats.set(chat.id, tgChat);
    return tgChat;
  }

  /** The Message object Telegram would return for a bot message in its current state. */
  private toTelegramMessage(stored: StoredMessage): Message {
    const chat: Chat = this.chats.get(stored.chatId) ?? {
      id: stored.chatId,
      type: "private",
      first_name: defaultUser(stored.chatId).first_name,
    };
    const message: Message = { message_id: stored.messageId, from: this.botUser, chat, date: stored.date };
    if (stored.editDate !== undefined) message.edit_date = stored.editDate;
    if (stored.text !== undefined) message.text = stored.text;
    if (stored.caption !== undefined) message.caption = stored.caption;
    const media = stored.media;
    const fileSize = media?.data?.length;
    if (media?.kind === "photo") {
      message.photo = [{ file_id: media.fileId, file_unique_id: `u${media.fileId}`, width: 800, height: 800, file_size: fileSize }];
    } else if (media?.kind === "document") {
      message.document = { file_id: media.fileId, file_unique_id: `u${media.fileId}`, file_name: media.fileName, file_size: fileSize };
    }
    if (stored.replyMarkup !== undefined && "inline_keyboard" in stored.replyMarkup) message.reply_markup = stored.replyMarkup;
    return message;
  }

  private waitOptions(options: WaitOptions | number | undefined): { since: number; timeoutMs: number } {
    if (typeof options === "number") return { since: this.lastInputSeq, timeoutMs: options };
    return { since: options?.since ?? this.lastInputSeq, timeoutMs: options?.timeoutMs ?? DEFAULT_WAIT_MS };
  }
}

// --- request decoding ----------------------------------------------------------------------------

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function parseRoute(rawUrl: string): { token: string; method: string; query: string } | undefined {
  const q = rawUrl.indexOf("?");
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const match = /^\/bot([^/]+)\/([A-Za-z0-9_]+)$/.exec(path);
  if (match === null || match[1] === undefined || match[2] === undefined) return undefined;
  let token: string;
  try {
    token = decodeURIComponent(match[1]);
  } catch {
    return undefined;
  }
  return { token, method: match[2], query: q < 0 ? "" : rawUrl.slice(q + 1) };
}

/** Only long polls need to notice a client that gave up, and signals are costly on the hot path. */
const NEVER_ABORTED = new AbortController().signal;

function abortSignalOf(res: ServerResponse): AbortSignal {
  const abort = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) abort.abort();
  });
  return abort.signal;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.destroy();
        reject(new ApiError(413, "Request Entity Too Large"));
      } else {
        chunks.push(chunk);
      }
    });
    req.on("end", () => resolve(chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks)));
    req.on("error", reject);
    req.on("aborted", () => reject(new Error("client aborted the request")));
  });
}

/** Query string, then JSON / multipart / urlencoded body, like the Bot API accepts them all. */
function decodeBody(
  contentType: string | undefined,
  body: Buffer,
  query: string,
): { params: CallParams; files: Map<string, UploadedFile> } {
  const params: CallParams = {};
  let files = new Map<string, UploadedFile>();
  if (query !== "") for (const [key, value] of new URLSearchParams(query)) params[key] = decodeFormField(key, value);
  const type = (contentType ?? "").toLowerCase();
  if (body.length === 0) return { params, files };
  if (type.startsWith("application/json")) {
    Object.assign(params, parseJsonObject(body.toString("utf8")));
  } else if (type.startsWith("multipart/form-data")) {
    const multipart = parseMultipart(body, boundaryOf(contentType ?? ""));
    for (const [key, value] of multipart.fields) params[key] = decodeFormField(key, value);
    files = multipart.files;
  } else if (type.startsWith("application/x-www-form-urlencoded")) {
    for (const [key, value] of new URLSearchParams(body.toString("utf8"))) params[key] = decodeFormField(key, value);
  }
  return { params, files };
}

function parseJsonObject(text: string): CallParams {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ApiError(400, "Bad Request: can't parse JSON object");
  }
  if (!isRecord(parsed)) throw new ApiError(400, "Bad Request: can't parse JSON object");
  return parsed;
}

/** Form fields are strings; Telegram parses the object-typed ones as JSON. */
function decodeFormField(key: string, value: string): unknown {
  if (!JSON_FIELDS.has(key)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function boundaryOf(contentType: string): string {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (boundary === undefined) throw new ApiError(400, "Bad Request: multipart boundary is missing");
  return boundary;
}

/**
 * A small multipart/form-data parser. Node 20's undici `Response.formData()` rejects what grammY
 * sends (`content-disposition:form-data;name="x";filename=photo.jpg` — no spaces, unquoted
 * filename), while Telegram accepts it, so the fake parses leniently itself.
 */
function parseMultipart(body: Buffer, boundary: string): { fields: [string, string][]; files: Map<string, UploadedFile> } {
  const fields: [string, string][] = [];
  const files = new Map<string, UploadedFile>();
  const delimiter = Buffer.from(`--${boundary}`);
  const separator = Buffer.from(`\r\n--${boundary}`);
  const malformed = new ApiError(400, "Bad Request: can't parse multipart/form-data body");
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw malformed;
  pos += delimiter.length;
  while (!(body[pos] === 0x2d && body[pos + 1] === 0x2d)) {
    if (body[pos] !== 0x0d || body[pos + 1] !== 0x0a) throw malformed;
    const headerEnd = body.indexOf("\r\n\r\n", pos + 2);
    if (headerEnd < 0) throw malformed;
    const end = body.indexOf(separator, headerEnd + 4);
    if (end < 0) throw malformed;
    const disposition = partDisposition(body.toString("utf8", pos + 2, headerEnd));
    if (disposition === undefined) throw malformed;
    const content = body.subarray(headerEnd + 4, end);
    if (disposition.fileName !== undefined) files.set(disposition.name, { fileName: disposition.fileName, data: content });
    else fields.push([disposition.name, content.toString("utf8")]);
    pos = end + separator.length;
  }
  return { fields, files };
}

function partDisposition(headerBlock: string): { name: string; fileName?: string } | undefined {
  for (const line of headerBlock.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon < 0 || line.slice(0, colon).trim().toLowerCase() !== "content-disposition") continue;
    const attributes = new Map<string, string>();
    for (const m of line.slice(colon + 1).matchAll(/;\s*([^=;\s]+)\s*=\s*(?:"([^"]*)"|([^;]*))/g)) {
      if (m[1] !== undefined) attributes.set(m[1].toLowerCase(), m[2] ?? (m[3] ?? "").trim());
    }
    const name = attributes.get("name");
    return name === undefined ? undefined : { name, fileName: attributes.get("filename") };
  }
  return undefined;
}

// --- parameter validation ------------------------------------------------------------------------

function optInt(params: CallParams, key: string): number | undefined {
  const value = optNumber(params, key);
  if (value !== undefined && !Number.isSafeInteger(value)) throw new ApiError(400, `Bad Request: invalid ${key} specified`);
  return value;
}

function optNumber(params: CallParams, key: string): number | undefined {
  const value = params[key];
  if (value === undefined || value === null || value === "") return undefined;
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN;
  if (!Number.isFinite(n)) throw new ApiError(400, `Bad Request: invalid ${key} specified`);
  return n;
}

function optString(params: CallParams, key: string): string | undefined {
  const value = params[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new ApiError(400, `Bad Request: field "${key}" must be of type String`);
}

function optBoolean(params: CallParams, key: string): boolean {
  const value = params[key];
  return value === true || value === "true" || value === "1" || value === 1;
}

function optRecord(params: CallParams, key: string): Record<string, unknown> | undefined {
  const value = params[key];
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw new ApiError(400, `Bad Request: can't parse ${key} JSON object`);
  return value;
}

function requireChatId(params: CallParams): number {
  const value = params.chat_id;
  if (value === undefined || value === null || value === "") throw new ApiError(400, "Bad Request: chat_id is empty");
  const chatId = lenientChatId(value);
  // "@channelusername" targets are not simulated; Telegram answers the same for unknown chats.
  if (chatId === undefined) throw new ApiError(400, "Bad Request: chat not found");
  return chatId;
}

function lenientChatId(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  if (typeof value === "string" && /^-?\d+$/.test(value)) return Number(value);
  return undefined;
}

function requireMessageId(params: CallParams): number {
  const messageId = optInt(params, "message_id");
  if (messageId === undefined) throw new ApiError(400, "Bad Request: message identifier is not specified");
  return messageId;
}

function checkText(text: string | undefined, parseMode: string | undefined): void {
  if (text === undefined) throw new ApiError(400, "Bad Request: message text is empty");
  const length = visibleLength(text, parseMode);
  if (length === 0) throw new ApiError(400, "Bad Request: message text is empty");
  if (length > MAX_TEXT_LENGTH) throw new ApiError(400, "Bad Request: message is too long");
}

function checkCaption(caption: string | undefined, parseMode: string | undefined): void {
  if (caption !== undefined && visibleLength(caption, parseMode) > MAX_CAPTION_LENGTH) {
    throw new ApiError(400, "Bad Request: message caption is too long");
  }
}

/** Length Telegram counts (UTF-16 units, after HTML markup is parsed; whitespace-only is empty). */
function visibleLength(text: string, parseMode: string | undefined): number {
  if (parseMode?.toLowerCase() === "html") return htmlVisibleLength(text);
  return text.trim() === "" ? 0 : text.length;
}

/**
 * Checks HTML parse mode the way Telegram does (unknown or unbalanced tags and a bare "<" are
 * errors, a bare "&" is kept literally) and returns the length of the visible text. Catches the
 * classic bug of interpolating an unescaped product name into an HTML message.
 */
function htmlVisibleLength(text: string): number {
  const stack: string[] = [];
  let visible = 0;
  let nonSpace = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === "&") {
      const entity = /^&(?:#x[0-9a-f]+|#\d+|lt|gt|amp|quot);/i.exec(text.slice(i, i + 12));
      visible++;
      nonSpace = true;
      i += entity === null ? 1 : entity[0].length;
      continue;
    }
    if (ch !== "<") {
      visible++;
      if (ch !== undefined && ch.trim() !== "") nonSpace = true;
      i++;
      continue;
    }
    i = checkHtmlTag(text, i, stack);
  }
  const open = stack.at(-1);
  if (open !== undefined) throw entitiesError(`Can't find end tag corresponding to start tag "${open}"`);
  return nonSpace ? visible : 0;
}

/** Checks the tag starting at `start` (a "<") in tdlib's order and returns the index after it. */
function checkHtmlTag(text: string, start: number, stack: string[]): number {
  const offset = (): number => byteOffset(text, start);
  if (text[start + 1] === "/") {
    const close = text.indexOf(">", start);
    if (close < 0) throw entitiesError(`Unclosed end tag at byte offset ${offset()}`);
    const name = text.slice(start + 2, close).trim().toLowerCase();
    const expected = stack.pop();
    if (expected === undefined) throw entitiesError(`Unexpected end tag at byte offset ${offset()}`);
    if (name !== "" && name !== expected) {
      throw entitiesError(`Unmatched end tag at byte offset ${offset()}, expected "</${expected}>", found "</${name}>"`);
    }
    return close + 1;
  }
  const nameEnd = start + 1 + (/^[^\s>]*/.exec(text.slice(start + 1, start + 40))?.[0].length ?? 0);
  if (nameEnd >= text.length) throw entitiesError(`Unclosed start tag at byte offset ${offset()}`);
  const name = text.slice(start + 1, nameEnd).toLowerCase();
  if (!HTML_TAGS.has(name)) throw entitiesError(`Unsupported start tag "${name}" at byte offset ${offset()}`);
  const close = text.indexOf(">", nameEnd);
  if (close < 0) throw entitiesError(`Unclosed start tag at byte offset ${offset()}`);
  stack.push(name);
  return close + 1;
}

function entitiesError(detail: string): ApiError {
  return new ApiError(400, `Bad Request: can't parse entities: ${detail}`);
}

function byteOffset(text: string, index: number): number {
  return Buffer.byteLength(text.slice(0, index));
}

/** Parses and checks reply_markup; an empty inline keyboard counts as none, like in Telegram. */
function parseReplyMarkup(value: unknown): ReplyMarkup | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const parsed: unknown = typeof value === "string" ? decodeFormField("reply_markup", value) : value;
  if (!isRecord(parsed)) throw new ApiError(400, BAD_MARKUP);
  if ("inline_keyboard" in parsed) {
    const rows = parseInlineKeyboard(parsed.inline_keyboard);
    return rows.some((row) => row.length > 0) ? { inline_keyboard: rows } : undefined;
  }
  if ("keyboard" in parsed) {
    if (!isRows(parsed.keyboard)) throw new ApiError(400, BAD_MARKUP);
    return parsed as unknown as ReplyKeyboardMarkup;
  }
  if (parsed.remove_keyboard === true) return parsed as unknown as ReplyKeyboardRemove;
  if (parsed.force_reply === true) return parsed as unknown as ForceReply;
  throw new ApiError(400, BAD_MARKUP);
}

function parseInlineKeyboard(rows: unknown): InlineKeyboardButton[][] {
  if (!isRows(rows)) throw new ApiError(400, BAD_MARKUP);
  return rows.map((row) => row.map(parseInlineButton));
}

function parseInlineButton(button: unknown): InlineKeyboardButton {
  if (!isRecord(button) || typeof button.text !== "string") {
    throw new ApiError(400, "Bad Request: can't parse inline keyboard button: Text must be a String");
  }
  if (!INLINE_BUTTON_ACTIONS.some((action) => action in button)) {
    throw new ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard");
  }
  const data = button.callback_data;
  if (data !== undefined && (typeof data !== "string" || data === "" || Buffer.byteLength(data) > MAX_CALLBACK_DATA_BYTES)) {
    throw new ApiError(400, "Bad Request: BUTTON_DATA_INVALID");
  }
  const url = button.url;
  if (url !== undefined && (typeof url !== "string" || !/^(?:https?|tg):\/\/\S+$/i.test(url))) {
    throw new ApiError(400, `Bad Request: inline keyboard button URL '${String(url)}' is invalid: Wrong HTTP URL`);
  }
  return button as unknown as InlineKeyboardButton;
}

function isRows(value: unknown): value is unknown[][] {
  return Array.isArray(value) && value.every((row) => Array.isArray(row));
}

function sameMarkup(a: ReplyMarkup | undefined, b: ReplyMarkup | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function parseBotCommand(value: unknown): BotCommand {
  if (!isRecord(value) || typeof value.command !== "string" || !/^[a-z0-9_]{1,32}$/.test(value.command)) {
    throw new ApiError(400, "Bad Request: BOT_COMMAND_INVALID");
  }
  const description = value.description;
  if (typeof description !== "string" || description.trim() === "" || description.length > 256) {
    throw new ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID");
  }
  return { command: value.command, description };
}

/** Commands are stored per scope (type + chat/user) and language, as Telegram keys them. */
function commandsKey(scope: Record<string, unknown> | undefined, languageCode: string | undefined): string {
  const type = typeof scope?.type === "string" ? scope.type : "default";
  return `${type}|${String(scope?.chat_id ?? "")}|${String(scope?.user_id ?? "")}|${languageCode ?? ""}`;
}

// --- small helpers -------------------------------------------------------------------------------

function blockedError(chatId: number): ApiError {
  return new ApiError(403, chatId < 0 ? "Forbidden: bot was kicked from the group chat" : "Forbidden: bot was blocked by the user");
}

function defaultUser(id: number): User {
  return { id, is_bot: false, first_name: `User ${id}` };
}

function describeSent(m: SentMessage): string {
  const content = m.text ?? m.caption ?? (m.photo !== undefined ? "[photo]" : m.document !== undefined ? "[document]" : "");
  return `#${m.seq} ${m.method} chat=${m.chatId} msg=${m.messageId} ${JSON.stringify(content.slice(0, 120))}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(payload) });
  res.end(payload);
}

function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(1, ms)));
}
