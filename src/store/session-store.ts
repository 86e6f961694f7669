/**
 * Sessions in Redis. One read per message (`MGET` of the session, the chat's locale and, when
 * asked, the buyer's wallet) and one pipelined write, so a message costs two round trips.
 * Mid-checkout sessions are also put on a deadline list so the buyer can be told when the
 * checkout expired.
 */
import { isLocale, type Locale } from "../i18n.js";
import { isMidCheckout, parseSession, type Session } from "../bot/session.js";
import { claimDue } from "./deadlines.js";
import { keys } from "./keys.js";
import type { Redis } from "./redis.js";

/** What one message needs from Redis before it can be handled. */
export interface ChatState {
  session: Session | null;
  locale: Locale | null;
  /** Wallet balance, when a buyer key was given. */
  walletBalance?: number;
}

/** A chat whose checkout timed out, to be told so. */
export interface ExpiredCheckout {
  chat: string;
}

export class SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
  ) {}

  /** Loads a chat's session and locale (and a wallet balance) in one round trip. */
  async load(chat: string, buyer?: string): Promise<ChatState> {
    const wanted = [keys.session(chat), keys.locale(chat)];
    if (buyer) wanted.push(keys.wallet(buyer));
    const [session, locale, wallet] = await this.redis.mget(...wanted);
    const state: ChatState = {
      session: parseSession(session ?? null),
      locale: isLocale(locale) ? locale : null,
    };
    if (buyer) state.walletBalance = Number(wallet ?? 0);
    return state;
  }

  /** Saves a session (with its idle TTL), and notes the buyer, in one round trip. */
  async save(chat: string, session: Session, buyer?: string): Promise<void> {
    const pipeline = this.redis.pipeline();
    pipeline.set(keys.session(chat), JSON.stringify(session), "EX", this.ttlSeconds);
    if (isMidCheckout(session)) pipeline.zadd(keys.sessionDeadlines(), session.updatedAt + this.ttlSeconds * 1000, chat);
    else pipeline.zrem(keys.sessionDeadlines(), chat);
    if (buyer) {
      pipeline.sadd(keys.buyers(), buyer);
      // Writing to us means they no longer block us: broadcasts may reach them again.
      pipeline.srem(keys.blockedBuyers(), buyer);
    }
    await execOrThrow(pipeline);
  }

  /** Remembers a chat's language beyond the session. */
  async saveLocale(chat: string, locale: Locale): Promise<void> {
    await this.redis.set(keys.locale(chat), locale);
  }

  /**
   * Claims checkouts whose deadline has passed. Each is returned to exactly one caller (ZREM
   * decides), so several processes can sweep at once without telling a buyer twice.
   */
  async claimExpired(now = Date.now(), limit = 100): Promise<string[]> {
    return claimDue(this.redis, keys.sessionDeadlines(), now, limit);
  }
}

/** Runs a pipeline and throws the first command error (ioredis reports them per command). */
export async function execOrThrow(pipeline: ReturnType<Redis["pipeline"]>): Promise<unknown[]> {
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([error]) => error);
  if (failed?.[0]) throw failed[0];
  return results.map(([, value]) => value);
}
