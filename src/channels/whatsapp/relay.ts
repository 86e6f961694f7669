/**
 * WhatsApp has one connection, held by one process (a Redis lock). Other processes (workers that
 * deliver orders) hand their WhatsApp messages to it through a Redis list: the relay sender
 * pushes, and the process holding the connection drains the list and sends.
 */
import type { Logger } from "pino";
import { z } from "zod";
import type { Locale } from "../../i18n.js";
import type { ChannelSender } from "../../bot/outbox.js";
import type { Reply } from "../../bot/reply.js";
import type { Redis } from "../../store/redis.js";

const relayKey = "wa:relay";

const envelopeSchema = z.object({
  chatId: z.string(),
  locale: z.enum(["id", "en"]),
  /** Replies as JSON; photo bytes as base64 in `png64`. */
  replies: z.array(z.record(z.string(), z.unknown())),
});

/** A WhatsApp sender for processes that do not hold the connection. */
export class WhatsAppRelaySender implements ChannelSender {
  readonly channel = "whatsapp" as const;

  constructor(private readonly redis: Redis) {}

  async send(chatId: string, replies: Reply[], locale: Locale): Promise<void> {
    const encoded = replies.map((reply) => (reply.kind === "photo" ? { ...reply, png: undefined, png64: reply.png.toString("base64") } : reply));
    await this.redis.rpush(relayKey, JSON.stringify({ chatId, locale, replies: encoded }));
  }
}

/** Drains relayed messages into the real channel, in order, every `everyMs`. */
export function drainRelay(redis: Redis, channel: ChannelSender, logger: Logger, everyMs = 500): () => void {
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      for (let raw = await redis.lpop(relayKey); raw; raw = await redis.lpop(relayKey)) {
        const parsed = envelopeSchema.safeParse(JSON.parse(raw));
        if (!parsed.success) {
          logger.warn("dropped an unreadable relayed WhatsApp message");
          continue;
        }
        const replies = parsed.data.replies.map(decodeReply);
        await channelSend(channel, parsed.data.chatId, replies, parsed.data.locale, logger);
      }
    } catch (error) {
      logger.warn({ err: error instanceof Error ? error.message : String(error) }, "WhatsApp relay drain failed; will retry");
    } finally {
      busy = false;
    }
  }, everyMs);
  timer.unref?.();
  return () => clearInterval(timer);
}

function decodeReply(raw: Record<string, unknown>): Reply {
  if (raw.kind === "photo" && typeof raw.png64 === "string") {
    const { png64, ...rest } = raw;
    return { ...(rest as Omit<Extract<Reply, { kind: "photo" }>, "png">), png: Buffer.from(png64, "base64") };
  }
  // Texts and menus are plain JSON of message keys, written by our own relay sender.
  return raw as unknown as Reply;
}

async function channelSend(channel: ChannelSender, chatId: string, replies: Reply[], locale: Locale, logger: Logger): Promise<void> {
  try {
    await channel.send(chatId, replies, locale);
  } catch (error) {
    logger.warn({ err: error instanceof Error ? error.message : String(error), chatId }, "could not send a relayed WhatsApp message");
  }
}
