/**
 * Sessions in Redis. One read per message (`MGET` of the session, the chat's locale and, when
 * asked, the buyer's wallet) and one scripted write, so a message costs two round trips.
 * Mid-checkout sessions are also put on a deadline list so the buyer can be told when the
 * checkout expired.
 */
import { isLocale, type Locale } from "../core/message.js";
import { isMidCheckout, parseSession, type Session } from "./session.js";
import { claimDue } from "../store/deadlines.js";
import { keys } from "../store/keys.js";
import { defineScript, type Redis } from "../store/redis.js";

// KEYS: session, checkout deadlines, buyers, blocked buyers. ARGV: session JSON, TTL seconds,
// chat, deadline (ms; "" when not mid-checkout), buyer ("" when none).
// One script instead of a pipeline of four: one command for Redis to parse and for ioredis to
// build, on every message.
const saveScript = `
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
if ARGV[4] ~= '' then redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3]) else redis.call('ZREM', KEYS[2], ARGV[3]) end
if ARGV[5] ~= '' then
  redis.call('SADD', KEYS[3], ARGV[5])
  redis.call('SREM', KEYS[4], ARGV[5])
end
return 1
`;

type SaveCommand = (session: string, deadlines: string, buyers: string, blocked: string, json: string, ttlSeconds: number, chat: string, deadline: number | "", buyer: string) => Promise<number>;

/** What one message needs from Redis before it can be handled. */
export interface ChatState {
  session: Session | null;
  locale: Locale | null;
  /** Wallet balance, when a buyer key was given. */
  walletBalance?: number;
  /** The buyer's price tier name as stored (null: the default tier), when a buyer key was given. */
  tierName?: string | null;
  /** True when the shop has a voucher not switched off (the confirm step then offers one), when a buyer key was given. */
  vouchersOn?: boolean;
}

/** A chat whose checkout timed out, to be told so. */
export interface ExpiredCheckout {
  chat: string;
}

export class SessionStore {
  private readonly saveCommand: SaveCommand;

  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
  ) {
    this.saveCommand = defineScript<SaveCommand>(redis, "saveSession", 4, saveScript);
  }

  /** Loads a chat's session and locale (and a wallet balance and price tier) in one round trip. */
  async load(chat: string, buyer?: string): Promise<ChatState> {
    const wanted = [keys.session(chat), keys.locale(chat)];
    if (buyer) wanted.push(keys.wallet(buyer), keys.buyerTier(buyer), keys.vouchersOn());
    const [session, locale, wallet, tier, vouchersOn] = await this.redis.mget(...wanted);
    const state: ChatState = {
      session: parseSession(session ?? null),
      locale: isLocale(locale) ? locale : null,
    };
    if (buyer) {
      state.walletBalance = Number(wallet ?? 0);
      state.tierName = tier ?? null;
      state.vouchersOn = Number(vouchersOn ?? 0) > 0;
    }
    return state;
  }

  /**
   * Saves a session (with its idle TTL), puts a mid-checkout chat on the deadline list (or takes
   * it off), and notes the buyer, in one round trip. A buyer who writes to us no longer blocks
   * us, so broadcasts may reach them again.
   */
  async save(chat: string, session: Session, buyer?: string): Promise<void> {
    const deadline = isMidCheckout(session) ? session.updatedAt + this.ttlSeconds * 1000 : "";
    await this.saveCommand(keys.session(chat), keys.sessionDeadlines(), keys.buyers(), keys.blockedBuyers(), JSON.stringify(session), this.ttlSeconds, chat, deadline, buyer ?? "");
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
