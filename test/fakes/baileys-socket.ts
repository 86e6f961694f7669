/**
 * A fake Baileys socket for driving the real WhatsApp channel in tests.
 *
 * {@link FakeWhatsApp.make} stands in for `makeWASocket`: each call creates a
 * {@link FakeBaileysSocket} holding the auth state the channel passed, with an `ev` emitter that
 * speaks Baileys' event names. Tests play WhatsApp's side with the helpers (show a QR, finish a
 * login, open, drop the connection with a code, deliver messages) and observe what the channel
 * did through the recorded calls.
 *
 * The fake checks its callers the way the real socket and server would: nothing can be sent
 * before the connection is open (Baileys throws "Connection Closed", 428), a pairing code can only
 * be requested once the server asks for a login and only for a digits-only number, a connection
 * only opens for creds that completed a login, and message content must be a text, an image
 * Buffer or a document Buffer with its mimetype. Received documents carry a media URL whose bytes
 * the fake serves through `downloadMedia` (the channel's stand-in for Baileys'
 * `downloadMediaMessage`), which like Baileys refuses a message that is not media. Like Baileys, `requestPairingCode` and a finished login write to the creds and emit
 * `creds.update`, and `end()` emits the `connection.update` close.
 */
import { randomBytes } from "node:crypto";
import { normalizeMessageContent } from "@whiskeysockets/baileys";
import type {
  AnyMessageContent,
  AuthenticationCreds,
  BaileysEventEmitter,
  BaileysEventMap,
  Contact,
  GroupMetadata,
  UserFacingSocketConfig,
  WAMessage,
  WAMessageContent,
  WAMessageKey,
  WAPresence,
} from "@whiskeysockets/baileys";
import type { SocketFactory, WhatsAppSocket } from "../../src/channels/whatsapp/socket.js";

/** An error shaped like Baileys' Boom errors (what the channel sees on a disconnect or refusal). */
export function boom(statusCode: number, message: string, data?: unknown): Error {
  return Object.assign(new Error(message), { isBoom: true, output: { statusCode, payload: { statusCode, message } }, data });
}

/** What WhatsApp answers when we send too fast (Baileys: `assertNodeErrorFree` → data 429). */
export function rateOverlimit(): Error {
  return Object.assign(new Error("rate-overlimit"), { isBoom: true, output: { statusCode: 500 }, data: 429 });
}

type Listener = (arg: never) => void;

/** Baileys' event emitter contract, in memory. */
export class FakeEventEmitter implements BaileysEventEmitter {
  private readonly listeners = new Map<keyof BaileysEventMap, Set<Listener>>();

  on<T extends keyof BaileysEventMap>(event: T, listener: (arg: BaileysEventMap[T]) => void): void {
    const set = this.listeners.get(event) ?? new Set<Listener>();
    set.add(listener as Listener);
    this.listeners.set(event, set);
  }

  off<T extends keyof BaileysEventMap>(event: T, listener: (arg: BaileysEventMap[T]) => void): void {
    this.listeners.get(event)?.delete(listener as Listener);
  }

  removeAllListeners<T extends keyof BaileysEventMap>(event: T): void {
    this.listeners.delete(event);
  }

  emit<T extends keyof BaileysEventMap>(event: T, arg: BaileysEventMap[T]): boolean {
    const set = this.listeners.get(event);
    for (const listener of set ?? []) (listener as (arg: BaileysEventMap[T]) => void)(arg);
    return Boolean(set && set.size > 0);
  }
}

/** One sendMessage call the fake accepted. */
export interface SentRecord {
  socket: number;
  jid: string;
  content: AnyMessageContent;
  /** Text, or the caption of an image or document ("" without one). */
  text: string;
  image?: Buffer;
  /** A document's bytes, name and type. */
  document?: Buffer;
  fileName?: string;
  mimetype?: string;
  at: number;
}

/** A document a user sends, for {@link IncomingSpec.document}. */
export interface IncomingDocument {
  bytes: Buffer;
  fileName?: string;
  mimetype?: string;
  caption?: string;
  /**
   * `fileLength` as the message states it: the real size by default, another number to state
   * something else, or null to leave it out (the proto field is optional).
   */
  statedSize?: number | null;
  /**
   * Wrap it as WhatsApp does for a document sent with a caption (`documentWithCaptionMessage`);
   * default: a plain `documentMessage`.
   */
  withCaptionWrapper?: boolean;
}

/** A message from a user, for {@link FakeBaileysSocket.receive}. */
export interface IncomingSpec {
  /** The chat: a user JID for private chats, a group JID for groups. */
  chat: string;
  text?: string;
  /** Full message content instead of `text` (captions, ephemeral wrappers…). */
  content?: WAMessageContent;
  id?: string;
  /** Group messages: the author, and the other address form of the author. */
  participant?: string;
  participantAlt?: string;
  /** Private chats: the other address form of the chat. */
  remoteJidAlt?: string;
  pushName?: string;
  fromMe?: boolean;
  /** JIDs mentioned with @ (makes an extended text with contextInfo). */
  mentions?: string[];
  /** A document message (with its bytes served by `downloadMedia`) instead of a text. */
  document?: IncomingDocument;
  type?: "notify" | "append";
}

const userServers = ["s.whatsapp.net", "lid", "g.us", "hosted", "hosted.lid"];
const presences: WAPresence[] = ["unavailable", "available", "composing", "recording", "paused"];
const crockford = "123456789ABCDEFGHJKLMNPQRSTVWXYZ";

function assertJid(jid: string, what: string): void {
  const [user, server] = jid.split("@");
  if (!user || !server || !userServers.includes(server)) throw new Error(`fake baileys: ${what} got an invalid JID "${jid}"`);
}

function isLoggedIn(creds: AuthenticationCreds): boolean {
  return Boolean(creds.me?.id && creds.account);
}

/** One fake connection: the socket API the channel calls, plus helpers playing WhatsApp's side. */
export class FakeBaileysSocket implements WhatsAppSocket {
  readonly ev = new FakeEventEmitter();
  user: Contact | undefined;
  state: "connecting" | "awaiting-login" | "open" | "closed" = "connecting";
  readonly reads: WAMessageKey[] = [];
  readonly presenceUpdates: { type: WAPresence; jid: string | undefined }[] = [];
  readonly pairingRequests: string[] = [];
  readonly groupLookups: string[] = [];
  endedWith: Error | undefined | "not ended" = "not ended";
  loggedOut = false;
  /** Errors the next sendMessage calls throw, in order. */
  readonly failNextSends: Error[] = [];
  readonly signalRepository: WhatsAppSocket["signalRepository"];

  constructor(
    readonly index: number,
    readonly config: UserFacingSocketConfig,
    private readonly world: FakeWhatsApp,
  ) {
    this.signalRepository = { lidMapping: { getPNForLID: async (lid) => world.lidToPn.get(lid.split("@")[0]!.split(":")[0]!) ?? null } };
  }

  get creds(): AuthenticationCreds {
    return this.config.auth.creds;
  }

  // ---- the socket API the channel calls -------------------------------------------------

  async sendMessage(jid: string, content: AnyMessageContent): Promise<WAMessage | undefined> {
    if (this.state !== "open") throw boom(428, "Connection Closed");
    assertJid(jid, "sendMessage");
    const failure = this.failNextSends.shift();
    if (failure) throw failure;
    let text: string;
    let image: Buffer | undefined;
    if ("text" in content && typeof content.text === "string") {
      if (content.text.length === 0) throw new Error("fake baileys: empty text message");
      text = content.text;
    } else if ("image" in content) {
      if (!Buffer.isBuffer(content.image) || content.image.length === 0) throw new Error("fake baileys: image must be a non-empty Buffer");
      image = content.image;
      text = typeof content.caption === "string" ? content.caption : "";
    } else if ("document" in content) {
      if (!Buffer.isBuffer(content.document) || content.document.length === 0) throw new Error("fake baileys: document must be a non-empty Buffer");
      // Baileys' type requires the mimetype: it is what the recipient's phone opens the file with.
      if (typeof content.mimetype !== "string" || content.mimetype.length === 0) throw new Error("fake baileys: a document needs a mimetype");
      const caption = typeof content.caption === "string" ? content.caption : "";
      const record: SentRecord = {
        socket: this.index,
        jid,
        content,
        text: caption,
        document: content.document,
        mimetype: content.mimetype,
        ...(content.fileName ? { fileName: content.fileName } : {}),
        at: Date.now(),
      };
      this.world.record(record);
      return { key: { remoteJid: jid, fromMe: true, id: messageId() } };
    } else {
      throw new Error(`fake baileys: unsupported content ${Object.keys(content).join(",")}`);
    }
    const record: SentRecord = { socket: this.index, jid, content, text, ...(image ? { image } : {}), at: Date.now() };
    this.world.record(record);
    return { key: { remoteJid: jid, fromMe: true, id: messageId() } };
  }

  /**
   * Like Baileys' `downloadMediaMessage(message, "stream")`: the media inside the (unwrapped)
   * message, fetched by its URL, in chunks. Not media, or a URL WhatsApp does not hold, throws.
   */
  async downloadMedia(message: WAMessage): Promise<AsyncIterable<Uint8Array>> {
    const content = normalizeMessageContent(message.message);
    const media = content?.documentMessage ?? content?.imageMessage ?? content?.videoMessage ?? content?.audioMessage;
    if (!media?.url) throw boom(400, "message is not a media message");
    const bytes = this.world.media.get(media.url);
    this.world.downloads.push(media.url);
    if (!bytes) throw Object.assign(boom(404, "media not found"), { status: 404 });
    return (async function* chunks() {
      for (let offset = 0; offset < bytes.length; offset += 64 * 1024) yield bytes.subarray(offset, offset + 64 * 1024);
    })();
  }

  async groupMetadata(jid: string): Promise<GroupMetadata> {
    this.groupLookups.push(jid);
    const metadata = this.world.groups.get(jid);
    if (!metadata) throw boom(404, "item-not-found");
    return metadata;
  }

  async requestPairingCode(phoneNumber: string): Promise<string> {
    if (this.state !== "awaiting-login") throw boom(428, "Connection Closed");
    if (!/^\d+$/.test(phoneNumber)) throw boom(400, "bad-request: the number must be digits only, with country code");
    this.pairingRequests.push(phoneNumber);
    const code = Array.from(randomBytes(8), (byte) => crockford[byte % crockford.length]).join("");
    // As Baileys does: the pending pairing is part of the creds.
    this.creds.pairingCode = code;
    this.creds.me = { id: `${phoneNumber}@s.whatsapp.net`, name: "~" };
    this.ev.emit("creds.update", this.creds);
    return code;
  }

  async readMessages(keys: WAMessageKey[]): Promise<void> {
    if (this.state !== "open") throw boom(428, "Connection Closed");
    for (const key of keys) {
      if (!key.remoteJid || !key.id) throw new Error("fake baileys: readMessages needs remoteJid and id");
      this.reads.push(key);
    }
  }

  async sendPresenceUpdate(type: WAPresence, toJid?: string): Promise<void> {
    if (this.state !== "open") throw boom(428, "Connection Closed");
    if (!presences.includes(type)) throw new Error(`fake baileys: unknown presence ${type}`);
    if (toJid) assertJid(toJid, "sendPresenceUpdate");
    this.presenceUpdates.push({ type, jid: toJid });
  }

  async end(error: Error | undefined): Promise<void> {
    if (this.state === "closed") return;
    this.state = "closed";
    this.endedWith = error;
    this.ev.emit("connection.update", { connection: "close", lastDisconnect: { error, date: new Date() } });
  }

  async logout(): Promise<void> {
    this.loggedOut = true;
    await this.end(boom(401, "Intentional Logout"));
  }

  // ---- WhatsApp's side ------------------------------------------------------------------

  /** The server asks for a login: Baileys emits a QR (also the cue to request a pairing code). */
  showQr(qr = `2@${randomBytes(12).toString("base64")},${randomBytes(8).toString("base64")}`): string {
    if (this.state === "closed") throw new Error("fake baileys: socket is closed");
    this.state = "awaiting-login";
    this.ev.emit("connection.update", { qr });
    return qr;
  }

  /**
   * The phone accepted the QR or code: like Baileys, write the new identity to the creds, then
   * the server restarts the stream (515).
   */
  async completeLogin(phone = this.world.phone, lid = this.world.lid): Promise<void> {
    if (this.state !== "awaiting-login") throw new Error("fake baileys: no login in progress");
    const update: Partial<AuthenticationCreds> = {
      me: { id: `${phone}:7@s.whatsapp.net`, lid: `${lid}:7@lid`, name: "Warung" },
      account: { details: randomBytes(16), accountSignatureKey: randomBytes(32), accountSignature: randomBytes(64), deviceSignature: randomBytes(64) },
      platform: "android",
      ...(this.creds.pairingCode ? { registered: true } : {}),
    };
    this.ev.emit("creds.update", update);
    this.ev.emit("connection.update", { isNewLogin: true, qr: undefined });
    await this.end(boom(515, "Stream Errored (restart required)"));
  }

  /** Login succeeded on this (restarted) socket. */
  open(): void {
    if (this.state === "closed") throw new Error("fake baileys: socket is closed");
    if (!isLoggedIn(this.creds)) throw new Error("fake baileys: the server does not open a connection for creds without a login");
    this.state = "open";
    this.user = { id: this.creds.me!.id, lid: this.creds.me!.lid, name: this.creds.me!.name };
    this.ev.emit("connection.update", { connection: "open" });
  }

  /** The connection drops with a Baileys disconnect code. */
  async disconnect(statusCode: number): Promise<void> {
    await this.end(boom(statusCode, `Connection Failure (${statusCode})`));
  }

  /** A user message arrives (as `messages.upsert`); returns it. */
  receive(spec: IncomingSpec): WAMessage {
    const content: WAMessageContent =
      spec.content ??
      (spec.document
        ? this.world.documentContent(spec.document, spec.mentions)
        : spec.mentions
          ? { extendedTextMessage: { text: spec.text ?? "", contextInfo: { mentionedJid: spec.mentions } } }
          : { conversation: spec.text ?? "" });
    const message: WAMessage = {
      key: {
        remoteJid: spec.chat,
        id: spec.id ?? messageId(),
        fromMe: spec.fromMe ?? false,
        ...(spec.participant ? { participant: spec.participant } : {}),
        ...(spec.participantAlt ? { participantAlt: spec.participantAlt } : {}),
        ...(spec.remoteJidAlt ? { remoteJidAlt: spec.remoteJidAlt } : {}),
      },
      message: content,
      messageTimestamp: Math.floor(Date.now() / 1000),
      ...(spec.pushName ? { pushName: spec.pushName } : {}),
    };
    this.ev.emit("messages.upsert", { messages: [message], type: spec.type ?? "notify" });
    return message;
  }
}

function messageId(): string {
  return `3EB0${randomBytes(8).toString("hex").toUpperCase()}`;
}

/** The fake WhatsApp: the socket factory plus what every socket recorded. */
export class FakeWhatsApp {
  readonly sockets: FakeBaileysSocket[] = [];
  readonly sent: SentRecord[] = [];
  /** LID user → phone JID, as Baileys' LID mapping store would know it. */
  readonly lidToPn = new Map<string, string>();
  readonly groups = new Map<string, GroupMetadata>();
  /** Media bytes by URL, as WhatsApp's media servers hold them. */
  readonly media = new Map<string, Buffer>();
  /** Every media URL `downloadMedia` was asked for, in order. */
  readonly downloads: string[] = [];
  private readonly waiters: (() => void)[] = [];

  /** @param phone our bot's number; @param lid its LID (used by {@link FakeBaileysSocket.completeLogin}). */
  constructor(
    readonly phone = "6281100000001",
    readonly lid = "190000000000001",
  ) {}

  /** Use as `makeSocket`. */
  readonly make: SocketFactory = (config) => {
    const socket = new FakeBaileysSocket(this.sockets.length, config, this);
    this.sockets.push(socket);
    this.wake();
    return socket;
  };

  get latest(): FakeBaileysSocket {
    const socket = this.sockets.at(-1);
    if (!socket) throw new Error("fake baileys: no socket made yet");
    return socket;
  }

  /** Waits until at least `count` sockets were made; returns the newest. */
  async waitForSocket(count: number, timeoutMs = 3_000): Promise<FakeBaileysSocket> {
    await this.until(() => this.sockets.length >= count, timeoutMs, `socket #${count}`);
    return this.latest;
  }

  /** Waits for a sent message matching `predicate`, looking at messages from index `since` on. */
  async waitForSent(predicate: (record: SentRecord) => boolean, { since = 0, timeoutMs = 8_000 } = {}): Promise<SentRecord> {
    let found: SentRecord | undefined;
    await this.until(
      () => {
        found = this.sent.slice(since).find(predicate);
        return found !== undefined;
      },
      timeoutMs,
      "a matching sent message",
    );
    return found!;
  }

  /** Logs in with a QR on the newest socket and opens the restarted one; returns the open socket. */
  async loginAndOpen(): Promise<FakeBaileysSocket> {
    const first = await this.waitForSocket(this.sockets.length || 1);
    first.showQr();
    await first.completeLogin();
    const restarted = await this.waitForSocket(first.index + 2);
    restarted.open();
    return restarted;
  }

  /** A received document's content: its bytes stored under a fresh media URL. */
  documentContent(spec: IncomingDocument, mentions?: string[]): WAMessageContent {
    const url = `https://mmg.whatsapp.net/v/t62.7119-24/${randomBytes(8).toString("hex")}.enc`;
    this.media.set(url, spec.bytes);
    const statedSize = spec.statedSize === undefined ? spec.bytes.length : spec.statedSize;
    const documentMessage = {
      url,
      directPath: new URL(url).pathname,
      mediaKey: randomBytes(32),
      ...(spec.mimetype !== undefined ? { mimetype: spec.mimetype } : {}),
      ...(spec.fileName !== undefined ? { fileName: spec.fileName, title: spec.fileName } : {}),
      ...(spec.caption !== undefined ? { caption: spec.caption } : {}),
      ...(statedSize !== null ? { fileLength: statedSize } : {}),
      ...(mentions ? { contextInfo: { mentionedJid: mentions } } : {}),
    };
    return spec.withCaptionWrapper ? { documentWithCaptionMessage: { message: { documentMessage } } } : { documentMessage };
  }

  /** Called by sockets. */
  record(record: SentRecord): void {
    this.sent.push(record);
    this.wake();
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  private async until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`fake baileys: timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
