/**
 * WhatsApp has one connection, held by one process (a Redis lock). Other processes (workers that
 * deliver orders, bot replicas that lost the race for the lock) hand their WhatsApp messages to
 * it through a Redis list: the relay sender pushes, and the process whose connection is open
 * drains the list and sends.
 *
 * Deliveries pass through here with logins in them, so an entry is sealed with
 * `DATA_ENCRYPTION_KEY` when one is configured, and the list expires a day after its last push.
 * An entry leaves the list only once it was sent (or failed {@link maxSendAttempts} times), so a
 * crash of the holder re-sends rather than loses it.
 */
import type { Logger } from "pino";
import { z } from "zod";
import { locales, type Locale } from "../../core/message.js";
import type { ChannelSender } from "../../core/outbox.js";
import type { Reply } from "../../core/reply.js";
import { safeJson } from "../../core/safe-json.js";
import { bareError } from "../../core/bare-error.js";
import type { DeliveryVault } from "../../commerce/delivery-vault.js";
import { keys } from "../../store/keys.js";
import type { Redis } from "../../store/redis.js";

/** How long unsent relayed messages may wait for a connection holder. */
const relayTtlSeconds = 24 * 60 * 60;

/** Sends of one entry that fail before it is given up (a chat WhatsApp refuses for good). */
export const maxSendAttempts = 5;

const envelopeSchema = z.object({
  chatId: z.string(),
  locale: z.enum(locales),
  /** Replies as JSON; photo bytes as base64 in `png64`, document bytes in `bytes64`. */
  replies: z.array(z.record(z.string(), z.unknown())),
});

const entrySchema = z.union([z.object({ sealed: z.string() }), envelopeSchema]);

/** A WhatsApp sender for processes that do not hold the connection. */
export class WhatsAppRelaySender implements ChannelSender {
  readonly channel = "whatsapp" as const;

  constructor(
    private readonly redis: Redis,
    private readonly vault: Pick<DeliveryVault, "sealText">,
  ) {}

  async send(chatId: string, replies: Reply[], locale: Locale): Promise<void> {
    const encoded = replies.map(encodeReply);
    const envelope = JSON.stringify({ chatId, locale, replies: encoded });
    const sealed = this.vault.sealText(envelope);
    await this.redis
      .multi()
      .rpush(keys.whatsappRelay(), sealed === null ? envelope : JSON.stringify({ sealed }))
      .expire(keys.whatsappRelay(), relayTtlSeconds)
      .exec();
  }
}

/**
 * Sends directly while this process holds the WhatsApp connection (or is still trying to get
 * it), and through the relay while another process holds it.
 */
export class WhatsAppSender implements ChannelSender {
  readonly channel = "whatsapp" as const;

  constructor(
    private readonly direct: ChannelSender,
    private readonly relay: ChannelSender,
    private readonly heldElsewhere: () => boolean,
  ) {}

  send(chatId: string, replies: Reply[], locale: Locale): Promise<void> {
    return (this.heldElsewhere() ? this.relay : this.direct).send(chatId, replies, locale);
  }
}

/** What {@link drainRelay} needs. */
export interface DrainOptions {
  redis: Redis;
  channel: ChannelSender;
  vault: Pick<DeliveryVault, "openText">;
  logger: Logger;
  /** True while this process's connection is open: only then does it take messages off the list. */
  isOpen: () => boolean;
  everyMs?: number;
}

/** Drains relayed messages into the real channel, in order, every `everyMs`. */
export function drainRelay({ redis, channel, vault, logger, isOpen, everyMs = 500 }: DrainOptions): () => void {
  let busy = false;
  /** Failed sends per entry, so one refused chat cannot hold up the list forever. */
  const failures = new Map<string, number>();
  const timer = setInterval(async () => {
    if (busy || !isOpen()) return;
    busy = true;
    try {
      for (let raw = await redis.lindex(keys.whatsappRelay(), 0); raw && isOpen(); raw = await redis.lindex(keys.whatsappRelay(), 0)) {
        const envelope = readEntry(raw, vault);
        if (!envelope) {
          logger.warn("dropped an unreadable relayed WhatsApp message");
        } else {
          try {
            await channel.send(envelope.chatId, envelope.replies.map(decodeReply), envelope.locale);
          } catch (error) {
            const failed = (failures.get(raw) ?? 0) + 1;
            // Logged bare: a relayed message can be a delivered login, and a failed send carries it.
            logger.warn({ err: bareError(error), chatId: envelope.chatId, failed }, "could not send a relayed WhatsApp message");
            if (failed < maxSendAttempts) {
              failures.set(raw, failed);
              break; // keep it at the head, so the chat's later messages do not overtake it
            }
          }
        }
        failures.delete(raw);
        await redis.lrem(keys.whatsappRelay(), 1, raw);
      }
    } catch (error) {
      logger.warn({ err: bareError(error) }, "WhatsApp relay drain failed; will retry");
    } finally {
      busy = false;
    }
  }, everyMs);
  timer.unref?.();
  return () => clearInterval(timer);
}

function readEntry(raw: string, vault: Pick<DeliveryVault, "openText">): z.infer<typeof envelopeSchema> | null {
  const entry = entrySchema.safeParse(safeJson(raw));
  if (!entry.success) return null;
  if (!("sealed" in entry.data)) return entry.data;
  const opened = vault.openText(entry.data.sealed);
  if (opened === null) return null;
  const envelope = envelopeSchema.safeParse(safeJson(opened));
  return envelope.success ? envelope.data : null;
}

/** A reply as JSON: a Buffer would serialize as an array of numbers, so bytes go as base64. */
function encodeReply(reply: Reply): Record<string, unknown> | Reply {
  if (reply.kind === "photo") return { ...reply, png: undefined, png64: reply.png.toString("base64") };
  if (reply.kind === "document") return { ...reply, bytes: undefined, bytes64: reply.bytes.toString("base64") };
  return reply;
}

function decodeReply(raw: Record<string, unknown>): Reply {
  if (raw.kind === "photo" && typeof raw.png64 === "string") {
    const { png64, ...rest } = raw;
    return { ...(rest as Omit<Extract<Reply, { kind: "photo" }>, "png">), png: Buffer.from(png64, "base64") };
  }
  if (raw.kind === "document" && typeof raw.bytes64 === "string") {
    const { bytes64, ...rest } = raw;
    return { ...(rest as Omit<Extract<Reply, { kind: "document" }>, "bytes">), bytes: Buffer.from(bytes64, "base64") };
  }
  // Texts and menus are plain JSON of message keys, written by our own relay sender.
  return raw as unknown as Reply;
}
