/**
 * One WhatsApp connection per number, across processes. Two processes logged in with the same
 * auth would kick each other off forever (each sees `connectionReplaced`) and corrupt the signal
 * sessions they share in Redis, so the connection is held under a Redis lock: SET NX PX with a
 * random token, renewed on a timer, released only by its holder (checked in Lua, atomically).
 */
import { randomBytes } from "node:crypto";
import { keys } from "../../store/keys.js";
import { releaseLock } from "../../store/lock-scripts.js";
import { defineScript, type Redis } from "../../store/redis.js";

/** The Redis key of the lock. */
export const lockKey = keys.whatsappLock();

/**
 * Extends the lock if we still hold it; takes it back if it lapsed and nobody else took it (a
 * long pause or a Redis blip must not end a healthy connection). 1 when held, 0 when lost.
 */
const renewScript = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
elseif not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
`;

/** Lifetime and renewal of a {@link ConnectionLock}, and who hears when it is lost. */
export interface ConnectionLockOptions {
  /** How long the lock lives without renewal (a crashed holder frees it after this). */
  ttlMs?: number;
  /** How often the holder renews (well under the TTL). */
  renewEveryMs?: number;
  /** Called when a renewal finds the lock taken by someone else. */
  onLost: () => void;
  /** Called when a renewal cannot reach Redis (the lock may still be ours; it is retried). */
  onRenewError?: (error: unknown) => void;
}

/** A single-holder lock with a renew timer. */
export class ConnectionLock {
  /** This holder's identity; a different process (or instance) has another. */
  readonly token = randomBytes(16).toString("hex");
  private timer: NodeJS.Timeout | undefined;
  private readonly ttlMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly options: ConnectionLockOptions,
  ) {
    this.ttlMs = options.ttlMs ?? 30_000;
  }

  /** True while this instance believes it holds the lock. */
  get held(): boolean {
    return this.timer !== undefined;
  }

  /** Takes the lock if free (or already ours) and starts renewing it; false when another holder has it. */
  async acquire(): Promise<boolean> {
    if (this.held) return true;
    const taken = await this.redis.set(lockKey, this.token, "PX", this.ttlMs, "NX");
    if (taken !== "OK") return false;
    this.timer = setInterval(() => void this.renew(), this.options.renewEveryMs ?? Math.floor(this.ttlMs / 3));
    this.timer.unref();
    return true;
  }

  /** Stops renewing and deletes the lock if it is still ours. */
  async release(): Promise<void> {
    this.stopRenewing();
    // Only if it is still ours: never release a successor's lock.
    await releaseLock(this.redis)(lockKey, this.token);
  }

  private stopRenewing(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async renew(): Promise<void> {
    try {
      const renew = defineScript<(key: string, token: string, ttlMs: number) => Promise<number>>(this.redis, "whatsappLockRenew", 1, renewScript);
      const held = await renew(lockKey, this.token, this.ttlMs);
      if (held === 1 || !this.held) return;
      this.stopRenewing();
      this.options.onLost();
    } catch (error) {
      this.options.onRenewError?.(error);
    }
  }
}
