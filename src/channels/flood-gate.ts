/**
 * Per-chat flood limit, shared by the Telegram and WhatsApp channels. It sits in front of the
 * per-chat ordering queue, so an update it drops never waits for a handling slot: one chat that
 * sends thousands of messages costs the shop a map lookup per message, not a slot per message.
 *
 * A chat may send a short burst, then about one message a second; beyond that messages are
 * dropped unread, and the chat is told to slow down at most once per notice period. A chat also
 * never has more than a few messages waiting or being handled, so a reply stuck behind a long
 * 429 of that chat cannot pile up handlers that other chats need.
 *
 * All state is per chat and expires with its window (rate-limiter-flexible deletes idle keys), so
 * memory stays flat however many messages or chats come in.
 */
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";

export interface FloodGateOptions {
  /** Messages handled per second per chat, sustained. */
  perSecond?: number | undefined;
  /** Extra messages a chat may send at once before the sustained rate applies. */
  burst?: number | undefined;
  /** How long the burst allowance takes to come back. */
  burstWindowSeconds?: number;
  /** At most one slow-down notice per chat in this period. */
  noticeEverySeconds?: number;
  /** Messages of one chat waiting or being handled at once; more are dropped. */
  maxPending?: number;
}

/** What to do with one incoming message. */
export type FloodVerdict = "handle" | "drop" | "notify";

export const floodDefaults = {
  perSecond: 1,
  // Ten quick taps through a checkout are normal; sustained, this allows about 1.3 messages a second.
  burst: 10,
  burstWindowSeconds: 30,
  noticeEverySeconds: 10,
  maxPending: 4,
} as const satisfies Required<FloodGateOptions>;

export class FloodGate {
  private readonly rate: BurstyRateLimiter;
  private readonly notices: RateLimiterMemory;
  private readonly maxPending: number;
  /** Messages admitted and not yet finished, per chat; a chat leaves the map at zero. */
  private readonly pending = new Map<string, number>();
  /**
   * Admissions are decided one after another: the limiter answers through promises that take a
   * different number of steps when the burst is used, and without this chain a later message of a
   * chat could be admitted, and so queued, before an earlier one.
   */
  private admissions: Promise<unknown> = Promise.resolve();

  constructor(options: FloodGateOptions = {}) {
    // Field by field, so an option given as undefined keeps its default.
    const settings = {
      perSecond: options.perSecond ?? floodDefaults.perSecond,
      burst: options.burst ?? floodDefaults.burst,
      burstWindowSeconds: options.burstWindowSeconds ?? floodDefaults.burstWindowSeconds,
      noticeEverySeconds: options.noticeEverySeconds ?? floodDefaults.noticeEverySeconds,
      maxPending: options.maxPending ?? floodDefaults.maxPending,
    };
    this.rate = new BurstyRateLimiter(
      new RateLimiterMemory({ keyPrefix: "rate", points: settings.perSecond, duration: 1 }),
      new RateLimiterMemory({ keyPrefix: "burst", points: settings.burst, duration: settings.burstWindowSeconds }),
    );
    this.notices = new RateLimiterMemory({ keyPrefix: "notice", points: 1, duration: settings.noticeEverySeconds });
    this.maxPending = settings.maxPending;
  }

  /**
   * Handles `task` when the chat is within its limits, holding a pending place until it settles;
   * otherwise drops it and calls `notify` (not awaited: a slow notice must hold nothing) when the
   * chat has not been told within the notice period.
   */
  async guard(chat: string, task: () => Promise<void>, notify: () => void): Promise<FloodVerdict> {
    const decided = this.admissions.then(() => this.admit(chat));
    this.admissions = decided.catch(() => undefined);
    const verdict = await decided;
    if (verdict === "notify") notify();
    if (verdict !== "handle") return verdict;
    try {
      await task();
    } finally {
      this.release(chat);
    }
    return verdict;
  }

  /** Chats with a message waiting or being handled (for tests and health: it returns to 0). */
  get busyChats(): number {
    return this.pending.size;
  }

  private async admit(chat: string): Promise<FloodVerdict> {
    // Checked before the rate (a full chat spends no rate point) and again after its await, when
    // another message of the chat may have taken the last place.
    const full = () => (this.pending.get(chat) ?? 0) >= this.maxPending;
    if (!full() && (await consumed(this.rate.consume(chat))) && !full()) {
      this.pending.set(chat, (this.pending.get(chat) ?? 0) + 1);
      return "handle";
    }
    return (await consumed(this.notices.consume(chat))) ? "notify" : "drop";
  }

  private release(chat: string): void {
    const left = (this.pending.get(chat) ?? 1) - 1;
    if (left > 0) this.pending.set(chat, left);
    else this.pending.delete(chat);
  }
}

/** True when the limiter granted the point; false when it refused (any other error is thrown). */
async function consumed(attempt: Promise<RateLimiterRes>): Promise<boolean> {
  try {
    await attempt;
    return true;
  } catch (refusal) {
    if (refusal instanceof RateLimiterRes) return false;
    throw refusal;
  }
}
