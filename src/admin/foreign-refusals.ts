/**
 * Refusals in groups that are not the admin group. Anyone can add the bot to a group and type
 * `/credit` there in a loop: answering each would let them make the bot spam their group (and
 * spend the bot's Telegram send budget), and auditing each would push real admin actions out of
 * the capped audit log. So such refusals are only counted (a metric), never audited, and each
 * group gets at most one refusal a minute — a claim in Redis, so it holds across processes.
 */
import { keys } from "../store/keys.js";
import type { Redis } from "../store/redis.js";
import type { Channel } from "../core/inbound.js";
import type { Metrics } from "../core/metrics.js";

/** How long a group waits for its next refusal. */
export const foreignRefusalQuietSeconds = 60;

/** Counts refusals outside the admin group and says which ones get an answer. */
export class ForeignRefusals {
  constructor(
    private readonly redis: Redis,
    private readonly metrics: Metrics,
    private readonly quietSeconds = foreignRefusalQuietSeconds,
  ) {}

  /** Counts one refusal in `chat`; true when the group has not been answered within the quiet period. */
  async shouldAnswer(channel: Channel, chat: string): Promise<boolean> {
    this.metrics.foreignGroupRefusal(channel);
    const claimed = await this.redis.set(keys.adminRefusalQuiet(`${channel}:${chat}`), "1", "EX", this.quietSeconds, "NX");
    return claimed === "OK";
  }
}
