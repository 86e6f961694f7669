/**
 * `/broadcast`: one message to every buyer who ever wrote to the bot, in the background.
 *
 * Each channel is a lane paced below its platform's limit — Telegram allows about 30 messages a
 * second overall (we keep headroom for the bot's normal traffic) and one per second per chat
 * (each buyer gets one message, so that holds by itself); WhatsApp gets its configured safe
 * rate. A 429 pushes the whole lane back by `retry_after` and sends that message again: a 429
 * means it was refused, so the retry cannot make a duplicate. Any other failure is counted and
 * never retried, because the message may have arrived. Buyers who blocked the bot are recorded
 * and skipped by later broadcasts. Progress and a final count go to the admin group.
 */
import type { Logger } from "pino";
import { z } from "zod";
import { msg, type Locale } from "../core/message.js";
import type { Channel } from "../core/inbound.js";
import { ChannelUnavailableError, type Outbox } from "../core/outbox.js";
import { textReply } from "../core/reply.js";
import { keys } from "../store/keys.js";
import type { Redis } from "../store/redis.js";
import type { AdminGroup } from "./admin-group.js";
import type { AuditLog } from "./audit-log.js";
import { buyerChat } from "./buyer-chat.js";
import { SendPacer } from "./send-pacer.js";

type LaneChannel = Extract<Channel, "telegram" | "whatsapp">;

/**
 * Broadcast messages per second on Telegram. The platform allows about 30: `npm run bench`
 * measured 28/s against a fake enforcing 30/s overall and 1/s per chat as 0.93× of the limit with
 * no 429 at all, while 30/s drew 429s on 6–15 % of sends. The bot's normal replies share the
 * limit; the few that then meet a 429 are re-sent by auto-retry.
 */
export const defaultTelegramBroadcastPerSecond = 28;

/** Where a broadcast reads its buyers, sends, reports, and how fast. */
export interface BroadcastDeps {
  redis: Redis;
  outbox: Pick<Outbox, "send">;
  group: Pick<AdminGroup, "post">;
  audit: Pick<AuditLog, "record">;
  logger: Logger;
  /** Locale of the wrapper line around the admin's text. */
  locale: Locale;
  /** Messages per second per channel. */
  perSecond: Record<LaneChannel, number>;
  /** How often progress is posted to the admin group (default 10 s). */
  progressEveryMs?: number;
  /** Sends waiting for an answer at once, per lane; lets the rate hold over a slow network. */
  maxInFlight?: number;
  /** Times one message is sent again after a 429 before it counts as failed. */
  maxRateRetries?: number;
}

/** What `/broadcast` answers at once. */
export type BroadcastStart =
  | { kind: "started"; total: number; skipped: number }
  | { kind: "busy" }
  | { kind: "empty"; skipped: number }
  /** The message that asks for it was handled before (a redelivered update): nothing is sent. */
  | { kind: "duplicate" };

/** The outcome of a broadcast. */
export interface BroadcastTally {
  total: number;
  sent: number;
  blocked: number;
  failed: number;
  /** Marked blocked earlier, or on no channel we can reach. */
  skipped: number;
}

/** Who started a broadcast, for the audit entry of its result. */
export interface BroadcastActor {
  by: string;
  name?: string;
  chat: string;
  /**
   * Names the message that asks for the broadcast (see `Actor.messageKey`): the same message
   * delivered again — Telegram resends an update it thinks was lost, on any process — starts
   * nothing. Without it (benchmarks) every start sends.
   */
  messageKey?: string;
}

/**
 * How long a broadcast's message is remembered. Redeliveries come within hours; a message
 * redelivered later than this is far past any sane moment to repeat a promotion anyway.
 */
const claimTtlSeconds = 7 * 24 * 3600;

interface Target {
  buyer: string;
  channel: LaneChannel;
  chatId: string;
}

type SendOutcome = "sent" | "blocked" | "failed" | "unavailable";

/** The Bot API's error fields as grammY exposes them on its errors. */
const platformError = z.object({
  error_code: z.number(),
  description: z.string(),
  parameters: z.object({ retry_after: z.number().optional() }).optional(),
});

/** Telegram's answers for a chat that will never take a message again. */
const unreachable = /bot was blocked by the user|user is deactivated/i;

type SendError = { kind: "rate_limited"; retryAfterMs: number } | { kind: "blocked" } | { kind: "unavailable" } | { kind: "failed" };

/** Sorts a send failure: wait and retry, mark the buyer, give up on the lane, or count it. */
export function classifySendError(error: unknown): SendError {
  const parsed = platformError.safeParse(error);
  if (parsed.success) {
    const { error_code: code, description, parameters } = parsed.data;
    if (code === 429) return { kind: "rate_limited", retryAfterMs: Math.max(1, parameters?.retry_after ?? 1) * 1000 };
    if (code === 403 && unreachable.test(description)) return { kind: "blocked" };
    return { kind: "failed" };
  }
  // WhatsApp is optional, and may be disconnected: the rest of its lane would fail the same way.
  if (error instanceof ChannelUnavailableError) return { kind: "unavailable" };
  return { kind: "failed" };
}

/** Runs at most one broadcast at a time, in the background. */
export class Broadcaster {
  /** The latest broadcast, running or done. */
  private latest: { promise: Promise<BroadcastTally | null>; stop: AbortController } | null = null;
  /** True from a start until its last message is sent; the final report does not hold it. */
  private busy = false;

  constructor(private readonly deps: BroadcastDeps) {}

  /** Starts a broadcast in the background, unless one is sending. */
  async start(text: string, actor: BroadcastActor): Promise<BroadcastStart> {
    // Claimed first, whatever comes of it, and never released: the message was answered once
    // ("busy", "empty" or started), and a crash mid-broadcast must not make every buyer get it
    // twice once the update comes again.
    if (actor.messageKey !== undefined && !(await this.claim(actor.messageKey))) return { kind: "duplicate" };
    if (this.busy) return { kind: "busy" };
    this.busy = true;
    try {
      const { targets, skipped } = await this.targets();
      if (targets.length === 0) {
        this.busy = false;
        return { kind: "empty", skipped };
      }
      const stop = new AbortController();
      const promise = this.run(text, targets, skipped, { by: actor.by, chat: actor.chat, ...(actor.name ? { name: actor.name } : {}) }, stop.signal).catch((error: unknown) => {
        this.busy = false;
        this.deps.logger.error({ err: error }, "broadcast stopped by an error");
        return null;
      });
      this.latest = { promise, stop };
      return { kind: "started", total: targets.length, skipped };
    } catch (error) {
      this.busy = false;
      throw error;
    }
  }

  /** True the first time a message asks for a broadcast. */
  private async claim(messageKey: string): Promise<boolean> {
    return (await this.deps.redis.set(keys.adminBroadcastClaim(messageKey), "1", "EX", claimTtlSeconds, "NX")) === "OK";
  }

  /** Resolves with the latest broadcast's tally once it is reported; null when there was none. */
  async finished(): Promise<BroadcastTally | null> {
    return this.latest ? this.latest.promise : null;
  }

  /** Stops sending (messages in flight finish) and waits; no final report is posted. */
  async stop(): Promise<void> {
    const latest = this.latest;
    if (!latest) return;
    latest.stop.abort();
    await latest.promise;
  }

  /** Every buyer not marked blocked, with the chat to reach them on. */
  private async targets(): Promise<{ targets: Target[]; skipped: number }> {
    const [buyers, blocked] = await Promise.all([this.deps.redis.smembers(keys.buyers()), this.deps.redis.smembers(keys.blockedBuyers())]);
    const skip = new Set(blocked);
    const targets: Target[] = [];
    let skipped = 0;
    for (const buyer of new Set(buyers)) {
      const chat = skip.has(buyer) ? null : buyerChat(buyer);
      if (chat) targets.push({ buyer, ...chat });
      else skipped++;
    }
    return { targets, skipped };
  }

  private async run(text: string, targets: Target[], skipped: number, actor: Omit<BroadcastActor, "messageKey">, signal: AbortSignal): Promise<BroadcastTally> {
    const tally: BroadcastTally = { total: targets.length, sent: 0, blocked: 0, failed: 0, skipped };
    const progress = setInterval(() => {
      const done = tally.sent + tally.blocked + tally.failed;
      void this.deps.group.post([textReply(msg("admin-broadcast-progress", { done, total: tally.total }))]);
    }, this.deps.progressEveryMs ?? 10_000);
    progress.unref?.();
    try {
      const lanes: LaneChannel[] = ["telegram", "whatsapp"];
      await Promise.all(lanes.map((channel) => this.lane(channel, targets.filter((target) => target.channel === channel), text, tally, signal)));
    } finally {
      clearInterval(progress);
      // Sending is over: an admin who reads the final count may start the next one at once.
      this.busy = false;
    }
    if (signal.aborted) return tally;
    await this.deps.group.post([textReply(msg("admin-broadcast-done", { sent: tally.sent, blocked: tally.blocked, failed: tally.failed, skipped: tally.skipped }))]);
    await this.deps.audit
      .record({ ...actor, command: "broadcast", args: text, result: `done sent=${tally.sent} blocked=${tally.blocked} failed=${tally.failed}` })
      .catch((error: unknown) => this.deps.logger.warn({ err: error }, "could not audit a broadcast result"));
    return tally;
  }

  /** Sends to one channel's buyers at that channel's pace. */
  private async lane(channel: LaneChannel, targets: Target[], text: string, tally: BroadcastTally, signal: AbortSignal): Promise<void> {
    const pacer = new SendPacer(this.deps.perSecond[channel]);
    const inFlight = new Set<Promise<void>>();
    let laneDown = false;
    for (const target of targets) {
      if (signal.aborted) break;
      if (laneDown) {
        tally.failed++;
        continue;
      }
      await pacer.next();
      const send = this.deliver(target, text, pacer).then((outcome) => {
        if (outcome === "unavailable") {
          laneDown = true;
          tally.failed++;
        } else tally[outcome]++;
      });
      const tracked = send.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      if (inFlight.size >= (this.deps.maxInFlight ?? 8)) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  }

  private async deliver(target: Target, text: string, pacer: SendPacer): Promise<SendOutcome> {
    const reply = textReply(msg("admin-broadcast-message", { text }));
    const maxRetries = this.deps.maxRateRetries ?? 5;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.deps.outbox.send({ channel: target.channel, chatId: target.chatId, locale: this.deps.locale }, [reply]);
        return "sent";
      } catch (error) {
        const failure = classifySendError(error);
        if (failure.kind === "rate_limited" && attempt < maxRetries) {
          // The limit is the account's, not this chat's: the whole lane waits.
          pacer.holdFor(failure.retryAfterMs);
          await pacer.next();
          continue;
        }
        if (failure.kind === "blocked") {
          await this.deps.redis
            .sadd(keys.blockedBuyers(), target.buyer)
            .catch((markError: unknown) => this.deps.logger.warn({ buyer: target.buyer, err: markError }, "could not mark a buyer as blocked"));
          return "blocked";
        }
        if (failure.kind !== "unavailable") {
          this.deps.logger.warn({ buyer: target.buyer, err: error }, "broadcast message not sent");
        }
        return failure.kind === "unavailable" ? "unavailable" : "failed";
      }
    }
  }
}
