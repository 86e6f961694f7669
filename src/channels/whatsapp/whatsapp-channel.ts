/**
 * The WhatsApp channel: Baileys messages in, paced WhatsApp messages out.
 *
 * In: `messages.upsert` of type "notify" only (history and our own echoes are not questions);
 * text from a plain message, an extended text or a media caption, after unwrapping ephemeral /
 * view-once / edit / document-with-caption wrappers; a document message (caption or not) also
 * carries a lazy `document` read through the socket's `downloadMedia` only when a handler asks;
 * our own messages, status updates, channels and empty messages are skipped; a message id seen before is dropped (WhatsApp redelivers after reconnects). Private
 * chats are buyers; the admin group goes to the group handler; other groups only when they
 * mention us (the group handler refuses them). Messages of one chat reach the handler in arrival
 * order (the dedupe and the sender lookup before it are asynchronous, so a per-chat hand-off chain
 * keeps them in line until the handler is called); the handler orders the handling itself (see
 * the table in `channels/module.ts`), so nothing here waits for a message's answer.
 * Each sender passes a {@link FloodGate} first (a burst, then about one message a second; the
 * excess is dropped before any Redis round trip, with one "slow down" notice per 10 s in a private
 * chat), so one sender cannot fill the handling queue or the global send pace with answers.
 *
 * Shutting down ({@link WhatsAppChannel.stopReceiving}): Baileys has already sent WhatsApp the
 * delivery receipt of a message by the time `messages.upsert` hands it to us (messages-recv.js
 * `handleMessage`: `sendReceipt`, then `upsertMessage`), so WhatsApp never sends it again — a
 * message merely left alone would be lost, not redelivered. A message that arrives once the
 * channel stopped receiving is therefore parked in Redis (sealed like relayed messages), before
 * the dedupe mark and without a read receipt, and the next process holding the connection
 * handles it when its connection opens ({@link WhatsAppChannel.replayHeld}).
 *
 * Out: menus as numbered text with a `*bold*` title (WhatsApp has no inline keyboards for
 * ordinary accounts), photos as an image with caption, documents as a document message with
 * name, type and caption, long texts split. Everything goes through
 * the {@link Pacer}. Messages the shop starts on its own ({@link WhatsAppChannel.send}: deliveries
 * with credentials, refunds…) may only go to a person, never to a group.
 */
import { BufferJSON, jidNormalizedUser, normalizeMessageContent, type proto, type WAMessage, type WAMessageContent } from "@whiskeysockets/baileys";
import type { Logger } from "pino";
import { z } from "zod";
import type { Translator } from "../../i18n/translator.js";
import type { Locale } from "../../core/message.js";
import { ChatQueue } from "../../bot/chat-queue.js";
import type { Answer, ChannelHandlers, Inbound } from "../../core/inbound.js";
import { lazyDocument, type InboundDocument } from "../../core/document.js";
import { msg } from "../../core/message.js";
import type { ChannelSender } from "../../core/outbox.js";
import { textReply, type Reply } from "../../core/reply.js";
import { bareError } from "../../core/bare-error.js";
import { safeJson } from "../../core/safe-json.js";
import type { DeliveryVault } from "../../commerce/delivery-vault.js";
import { FloodGate, type FloodGateOptions } from "../flood-gate.js";
import { keys } from "../../store/keys.js";
import type { Redis } from "../../store/redis.js";
import { renderText, splitText } from "../render.js";
import { isBroadcastLike, isGroupJid, isLid, lidPhones, mentionsMe, phoneOfJid, senderOf, type LidResolver } from "./jid.js";
import type { Pacer, SendStep } from "./pacer.js";
import type { WhatsAppSocket } from "./socket.js";

/**
 * Our limit for one text message. WhatsApp accepts far longer texts, but long ones are cut behind
 * "read more" and some clients render them slowly; 4000 keeps every chunk readable at once.
 */
export const whatsappTextLimit = 4000;
/** Longer captions are folded on phones; the rest goes in a text after the image or document. */
const captionLimit = 1024;

/** Messages parked during a shutdown are kept this long for the next process, at most this many. */
const heldTtlSeconds = 24 * 60 * 60;
const heldMax = 1_000;

/** A parked message: Baileys' JSON of the WAMessage, sealed when a key is configured. */
const heldEntrySchema = z.union([z.object({ sealed: z.string() }), z.object({ message: z.string() })]);

/** How long a group's participant list is trusted for LID → number lookups. */
const groupDirectoryTtlMs = 5 * 60_000;


/** WhatsApp's bold markup. Spaces inside the stars would break it, so the title is trimmed first. */
function whatsappBold(text: string): string {
  const trimmed = text.trim();
  return trimmed.length > 0 ? `*${trimmed}*` : text;
}

/** The shape of errors Baileys raises (Boom), as far as telling "too fast" apart needs it. */
const waError = z.object({
  message: z.string().optional(),
  data: z.unknown().optional(),
  output: z.object({ statusCode: z.number() }).optional(),
});

/** True when WhatsApp refused a send for rate reasons (`rate-overlimit`, code 429). */
export function isRateLimitError(error: unknown): boolean {
  const parsed = waError.safeParse(error);
  if (!parsed.success) return false;
  const { message = "", data, output } = parsed.data;
  return data === 429 || output?.statusCode === 429 || /rate-overlimit|rate limit|too many requests/i.test(message);
}

/** What the {@link WhatsAppChannel} needs. */
export interface WhatsAppChannelOptions {
  translator: Translator;
  logger: Logger;
  redis: Redis;
  /** The admins' group (`…@g.us`). */
  adminGroupJid?: string;
  pacer: Pacer;
  /** The open socket, waiting for a reconnect up to the given time. */
  socket: (timeoutMs: number) => Promise<WhatsAppSocket>;
  /** Mark messages read and show "typing…" before answers. */
  presence: boolean;
  /** How long "typing…" shows before an answer. */
  typingMs?: number;
  /** How long a message id is remembered for dedupe. */
  dedupeTtlSeconds?: number;
  /** How long a send waits for a lost connection to come back. */
  sendWaitMs?: number;
  /** Per-sender flood limits; defaults in {@link FloodGate}. */
  flood?: FloodGateOptions;
  /** Seals messages parked during a shutdown (`DATA_ENCRYPTION_KEY`); they can carry logins. */
  sealer?: Pick<DeliveryVault, "sealText" | "openText">;
}

/** A message worth handling, picked out of an upsert. */
interface Incoming {
  message: WAMessage;
  chat: string;
  id: string;
  /** Null for a document sent without a caption. */
  text: string | null;
  /** A document message's metadata (the bytes stay on WhatsApp's servers until read). */
  document: proto.Message.IDocumentMessage | null;
  group: boolean;
  forwarded: boolean;
}

/** A message handed to the handler: where its answer goes, and the answer to come. */
interface HandedOver {
  chatId: string;
  answer: Promise<Answer | null>;
}

/** Turns Baileys messages into {@link Inbound}s and replies into paced WhatsApp messages. */
export class WhatsAppChannel implements ChannelSender {
  readonly channel = "whatsapp" as const;
  /**
   * Per chat: messages from arrival until they are handed to the handler. Released at the
   * hand-off, not when the answer is ready: the handler's own queue orders the handling.
   */
  private readonly arrivals = new ChatQueue();
  /** Per chat: answers being typed and sent, in order. */
  private readonly answers = new ChatQueue();
  /** Per group: participants' LID → phone JID, and until when that list is fresh. */
  private readonly groupDirectory = new Map<string, { until: number; lidToPn: Map<string, string> }>();
  readonly flood: FloodGate;

  /** Where messages go; given by {@link start}, before the connection attaches a socket. */
  private handlers: ChannelHandlers | null = null;
  /** False once {@link stopReceiving} was called: new messages are parked, not handled. */
  private receiving = true;
  /** Messages being handled, answers being sent, parkings and a replay: what a shutdown waits for. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private replaying: Promise<number> | null = null;
  /** Parkings not yet written to Redis. */
  private readonly parking = new Set<Promise<unknown>>();

  constructor(private readonly options: WhatsAppChannelOptions) {
    this.flood = new FloodGate(options.flood);
  }

  /** Hands messages from now on to `handlers`. */
  start(handlers: ChannelHandlers): void {
    this.handlers = handlers;
  }

  /** Listens to a new socket's messages (called on every (re)connect). */
  attach(socket: WhatsAppSocket): void {
    socket.ev.on("messages.upsert", ({ messages, type }) => {
      if (type !== "notify") return;
      for (const message of messages) {
        const incoming = this.pick(socket, message);
        if (!incoming) continue;
        if (this.receiving) this.track(this.admit(socket, incoming));
        else {
          const parked = this.park(incoming);
          this.track(parked);
          this.parking.add(parked);
          void parked.finally(() => this.parking.delete(parked));
        }
      }
    });
  }

  /**
   * Stops handing new messages to the shop (they are parked for the next process, unread: see
   * the module comment) and resolves once the messages already taken are handled and their
   * answers sent. Sending keeps working until the channel is stopped.
   */
  async stopReceiving(): Promise<void> {
    this.receiving = false;
    await this.idle();
  }

  /** Resolves once nothing is in flight: handlings, answers, parkings, a replay. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Resolves once every message parked so far is written to Redis (the last step before it closes). */
  async parked(): Promise<void> {
    while (this.parking.size > 0) await Promise.allSettled([...this.parking]);
  }

  /**
   * Handles the messages an earlier process parked while it shut down, oldest first, through the
   * same path as new ones (flood gate, dedupe, handler). Called when this process's connection
   * opens. An entry leaves the list only after it was handed over, so a crash mid-way handles it
   * again next time — and the dedupe mark then drops what was already handed over. Returns how
   * many were taken off the list.
   */
  replayHeld(): Promise<number> {
    this.replaying ??= this.replay().finally(() => (this.replaying = null));
    this.track(this.replaying);
    return this.replaying;
  }

  private async replay(): Promise<number> {
    const { redis, logger } = this.options;
    let count = 0;
    while (this.receiving) {
      const raw = await redis.lindex(keys.whatsappHeld(), 0);
      if (raw === null) break;
      const message = this.readHeld(raw);
      if (!message) logger.warn("dropped an unreadable parked WhatsApp message");
      else {
        const socket = await this.options.socket(this.options.sendWaitMs ?? 60_000);
        const incoming = this.pick(socket, message);
        // Awaited one by one: parked messages of a chat reach the handler in the order they came.
        if (incoming) await this.admit(socket, incoming);
      }
      await redis.lrem(keys.whatsappHeld(), 1, raw);
      count++;
    }
    if (count > 0) logger.info({ count }, "handled WhatsApp messages parked by the previous process");
    return count;
  }

  private track(work: Promise<unknown>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work)).catch(() => undefined);
  }

  /**
   * Per sender (a group's participant, else the chat), before anything waits: a dropped message
   * never holds a place. Then handed over per chat in arrival order, so "2" never overtakes the
   * "/menu" sent just before it; the flood gate's place is held until the answer is ready, so a
   * sender has only a few messages in the handler at once. The admin group is exempt: staff
   * working through a backlog must not lose commands. Never rejects.
   */
  private admit(socket: WhatsAppSocket, incoming: Incoming): Promise<void> {
    const sender = jidNormalizedUser(incoming.message.key.participant || incoming.chat);
    const handle = async () => {
      const handed = await this.arrivals.run(jidNormalizedUser(incoming.chat), () => this.handOver(socket, incoming));
      if (handed) await this.queueAnswer(socket, handed);
    };
    const admitted = incoming.chat === this.options.adminGroupJid ? handle() : this.flood.guard(sender, handle, () => this.slowDown(incoming));
    return admitted.then(
      () => undefined,
      (error: unknown) => this.options.logger.error({ err: bareError(error), chat: incoming.chat }, "could not handle a WhatsApp message"),
    );
  }

  /**
   * Keeps a message that arrived during a shutdown for the next process: not marked seen (the
   * dedupe would drop it there), not marked read. Logged bare on failure: it may hold a login.
   */
  private async park(incoming: Incoming): Promise<void> {
    const held = keys.whatsappHeld();
    try {
      const json = JSON.stringify(incoming.message, BufferJSON.replacer);
      const sealed = this.options.sealer?.sealText(json) ?? null;
      const entry = JSON.stringify(sealed === null ? { message: json } : { sealed });
      await this.options.redis.multi().rpush(held, entry).ltrim(held, -heldMax, -1).expire(held, heldTtlSeconds).exec();
    } catch (error) {
      this.options.logger.error({ err: bareError(error), chat: incoming.chat }, "could not park a WhatsApp message for the next process");
    }
  }

  private readHeld(raw: string): WAMessage | null {
    const entry = heldEntrySchema.safeParse(safeJson(raw));
    if (!entry.success) return null;
    const json = "sealed" in entry.data ? (this.options.sealer?.openText(entry.data.sealed) ?? null) : entry.data.message;
    if (json === null) return null;
    try {
      const message = JSON.parse(json, BufferJSON.reviver) as unknown;
      return isMessageShape(message) ? message : null;
    } catch {
      return null;
    }
  }

  /**
   * Sends messages the shop starts (deliveries, refunds, reminders) to a person's chat, and admin
   * notices to the admin group. Refuses every other group and broadcasts: buyer replies can carry
   * credentials, and the core only ever addresses them to the buyer's own chat — anything else is
   * a bug to stop, not to deliver. (The admin notifier never puts credentials in its notices.)
   */
  async send(chatId: string, replies: Reply[], locale: Locale): Promise<void> {
    const adminGroup = this.options.adminGroupJid !== undefined && chatId === this.options.adminGroupJid;
    if (!isPersonJid(chatId) && !adminGroup) throw new Error("whatsapp: shop messages go to private chats only, never to a group");
    await this.deliver(chatId, replies, locale);
  }

  /** Tells a flooding buyer to slow down, in order with the chat's answers; never in a group. */
  private slowDown(incoming: Incoming): void {
    if (incoming.group) return;
    const locale = this.options.translator.defaultLocale;
    this.answers
      .run(incoming.chat, () => this.deliver(incoming.chat, [textReply(msg("flood-slow-down"))], locale))
      .catch((error: unknown) => this.options.logger.warn({ err: bareError(error), chat: incoming.chat }, "could not send a slow-down notice"));
  }

  /** Skips what is not a question for us; cheap checks only, before any Redis round trip. */
  private pick(socket: WhatsAppSocket, message: WAMessage): Incoming | null {
    const { key } = message;
    const chat = key.remoteJid;
    if (!chat || !key.id || key.fromMe || isBroadcastLike(chat)) return null;
    const content = normalizeMessageContent(message.message);
    const text = textOf(content);
    const document = content?.documentMessage ?? null;
    if (!text && !document) return null;
    const group = isGroupJid(chat);
    if (group) {
      if (!this.handlers) return null;
      const isAdminGroup = chat === this.options.adminGroupJid;
      if (!isAdminGroup && !mentionsMe(mentionsOf(content), socket.user)) return null;
    } else if (!isPersonJid(chat)) {
      return null;
    }
    return { message, chat, id: key.id, text, document, group, forwarded: isForwarded(content) };
  }

  /**
   * Dedupes, finds the sender and calls the handler; returns without waiting for the answer
   * (wrapped, so the hand-off chain does not wait for it either).
   */
  private async handOver(socket: WhatsAppSocket, incoming: Incoming): Promise<HandedOver | null> {
    if (!(await this.firstSighting(incoming.id))) return null;
    const { message, chat, group, text, document, id, forwarded } = incoming;
    const sender = await senderOf(message.key, this.lidResolver(socket, chat, group));
    if (!sender) return null;
    // A sender known only by LID has no number to check; the LID JID never equals an admin number.
    const userId = sender.phone ?? sender.jid;
    const inbound: Inbound = {
      channel: "whatsapp",
      chatId: group ? chat : sender.jid,
      userId,
      isGroup: group,
      ...(text !== null ? { text } : {}),
      ...(document ? { document: this.inboundDocument(message, document) } : {}),
      messageId: id,
      ...(forwarded ? { forwarded: true } : {}),
      ...(message.pushName ? { displayName: message.pushName } : {}),
    };
    if (this.options.presence) {
      socket.readMessages([message.key]).catch((error: unknown) => this.options.logger.debug({ err: bareError(error) }, "could not mark a WhatsApp message read"));
    }
    if (!this.handlers) return null;
    return { chatId: inbound.chatId, answer: group ? this.handlers.handleGroup(inbound) : this.handlers.handle(inbound) };
  }

  /**
   * A received document, downloaded only when read: through the socket open at that time (a
   * reconnect in between is waited out like a send), so the fake can serve the bytes in tests.
   * `fileLength` is WhatsApp's stated size, checked against the cap before downloading.
   */
  private inboundDocument(message: WAMessage, document: proto.Message.IDocumentMessage): InboundDocument {
    return lazyDocument({
      fileName: document.fileName ?? undefined,
      mimeType: document.mimetype ?? undefined,
      size: statedLength(document.fileLength),
      open: async () => (await this.options.socket(this.options.sendWaitMs ?? 60_000)).downloadMedia(message),
    });
  }

  private async queueAnswer(socket: WhatsAppSocket, handed: HandedOver): Promise<void> {
    const answer = await handed.answer;
    if (!answer || answer.replies.length === 0) return;
    const { chatId } = handed;
    // Not awaited: the chat's next message is handled while this answer shows "typing…" and waits
    // for its send slot; the answer queue keeps one chat's answers in order. Tracked, so a
    // shutdown sends it before the connection closes.
    this.track(
      this.answers
        .run(chatId, async () => {
          await this.showTyping(socket, chatId);
          await this.deliver(chatId, answer.replies, answer.locale);
        })
        .catch((error: unknown) => this.options.logger.warn({ err: bareError(error), chat: chatId }, "could not send a WhatsApp answer")),
    );
  }

  /**
   * Finds a LID's number in Baileys' mapping, and in groups also in the participant list (the
   * mapping only knows people we exchanged messages with; an admin may never have written to us).
   */
  private lidResolver(socket: WhatsAppSocket, chat: string, group: boolean): LidResolver {
    return async (lid) => {
      const mapped = await socket.signalRepository.lidMapping.getPNForLID(lid).catch(() => null);
      if (mapped || !group) return mapped;
      return (await this.participants(socket, chat)).get(lid) ?? null;
    };
  }

  private async participants(socket: WhatsAppSocket, groupJid: string): Promise<Map<string, string>> {
    const cached = this.groupDirectory.get(groupJid);
    if (cached && cached.until > Date.now()) return cached.lidToPn;
    const metadata = await socket.groupMetadata(groupJid).catch((error: unknown) => {
      this.options.logger.warn({ err: bareError(error), group: groupJid }, "could not read WhatsApp group members");
      return null;
    });
    const lidToPn = metadata ? lidPhones(metadata) : new Map<string, string>();
    // Cached even when the lookup failed, so a broken group does not cost a query per message.
    this.groupDirectory.set(groupJid, { until: Date.now() + groupDirectoryTtlMs, lidToPn });
    return lidToPn;
  }

  /** True the first time a message id is seen (SET NX with a TTL: redeliveries come within days). */
  private async firstSighting(messageId: string): Promise<boolean> {
    const set = await this.options.redis.set(keys.whatsappSeen(messageId), "1", "EX", this.options.dedupeTtlSeconds ?? 3 * 24 * 3600, "NX");
    return set === "OK";
  }

  private async showTyping(socket: WhatsAppSocket, chatId: string): Promise<void> {
    if (!this.options.presence) return;
    try {
      await socket.sendPresenceUpdate("composing", chatId);
      const typingMs = this.options.typingMs ?? 800;
      if (typingMs > 0) await new Promise((resolve) => setTimeout(resolve, typingMs));
    } catch (error) {
      this.options.logger.debug({ err: bareError(error) }, "could not show typing on WhatsApp");
    }
  }

  /** Renders and queues replies; resolves when all were sent. */
  private deliver(jid: string, replies: Reply[], locale: Locale): Promise<void> {
    return this.options.pacer.send(
      jid,
      replies.flatMap((reply) => this.render(jid, reply, locale)),
    );
  }

  private render(jid: string, reply: Reply, locale: Locale): SendStep[] {
    const text = renderText(this.options.translator, locale, reply, whatsappBold);
    const texts = (body: string) => splitText(body, whatsappTextLimit).map((chunk): SendStep => () => this.sendContent(jid, { text: chunk }));
    if (reply.kind === "document") {
      const fits = text.length <= captionLimit;
      const file: SendStep = () =>
        this.sendContent(jid, { document: reply.bytes, fileName: reply.fileName, mimetype: reply.mimeType, ...(fits && text.length > 0 ? { caption: text } : {}) });
      return fits ? [file] : [file, ...texts(text)];
    }
    if (reply.kind !== "photo") return texts(text);
    const fits = text.length <= captionLimit;
    const image: SendStep = () => this.sendContent(jid, { image: reply.png, mimetype: "image/png", ...pngSize(reply.png), ...(fits ? { caption: text } : {}) });
    return fits ? [image] : [image, ...texts(text)];
  }

  private async sendContent(jid: string, content: Parameters<WhatsAppSocket["sendMessage"]>[1]): Promise<void> {
    const socket = await this.options.socket(this.options.sendWaitMs ?? 60_000);
    await socket.sendMessage(jid, content);
  }
}

/** Enough of a WAMessage for {@link WhatsAppChannel.pick} to judge it (it checks the rest itself). */
function isMessageShape(value: unknown): value is WAMessage {
  if (typeof value !== "object" || value === null || !("key" in value)) return false;
  const { key } = value as { key: unknown };
  return typeof key === "object" && key !== null;
}

/** A person's chat (phone-number JID or LID), as opposed to a group, broadcast or channel. */
function isPersonJid(jid: string): boolean {
  return phoneOfJid(jid) !== null || isLid(jid);
}

/** The text of a message: the plain text, an extended text, or a media caption. */
function textOf(content: WAMessageContent | undefined): string | null {
  const candidates = [
    content?.conversation,
    content?.extendedTextMessage?.text,
    content?.imageMessage?.caption,
    content?.videoMessage?.caption,
    content?.documentMessage?.caption,
  ];
  const text = candidates.find((candidate) => typeof candidate === "string" && candidate.trim().length > 0);
  return text ? text.trim() : null;
}

/**
 * A document's stated size: protobuf decodes `fileLength` (uint64) as a number or a Long; anything
 * else, or beyond a safe integer, counts as unstated (the download is capped anyway).
 */
function statedLength(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value === "bigint" || typeof value === "string") return statedLength(Number(value));
  if (typeof value === "object" && value !== null && "toNumber" in value && typeof value.toNumber === "function") return statedLength(Number(value.toNumber()));
  return undefined;
}

/** Everyone a message mentions (`@…` in text or caption). */
function mentionsOf(content: WAMessageContent | undefined): string[] {
  const contexts = [content?.extendedTextMessage, content?.imageMessage, content?.videoMessage, content?.documentMessage].map((part) => part?.contextInfo);
  return contexts.flatMap((context) => context?.mentionedJid ?? []);
}

/** True when WhatsApp marks the text or caption as forwarded (the flag, or a forwarding score). */
function isForwarded(content: WAMessageContent | undefined): boolean {
  const contexts = [content?.extendedTextMessage, content?.imageMessage, content?.videoMessage, content?.documentMessage].map((part) => part?.contextInfo);
  return contexts.some((context) => Boolean(context?.isForwarded) || (context?.forwardingScore ?? 0) > 0);
}

/** Width and height from a PNG's header, so phones lay the image out before it downloads. */
function pngSize(png: Buffer): { width?: number; height?: number } {
  const isPng = png.length >= 24 && png.readUInt32BE(0) === 0x89504e47 && png.toString("ascii", 12, 16) === "IHDR";
  return isPng ? { width: png.readUInt32BE(16), height: png.readUInt32BE(20) } : {};
}
