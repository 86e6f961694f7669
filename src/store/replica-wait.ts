/**
 * Money writes that wait for a replica. With Redis Sentinel a failover promotes a replica; a
 * write the old primary acknowledged but had not yet sent to it is lost. So a money write
 * (a wallet move, an order transition, a payment move) is followed by `WAIT <replicas> <timeout>`
 * before its caller goes on to tell a buyer anything: once it returns with enough replicas, the
 * write survives the loss of the primary.
 *
 * `WAIT` blocks the connection it is sent on and covers the writes made on that connection, so
 * money scripts run on a connection of their own (a duplicate of the shop's client): the
 * sessions, menus and reads of everyone else never queue behind it.
 *
 * When fewer replicas answer within the timeout (the replica is down or lagging), the write
 * stands — it is applied on the primary — and the shortfall is reported (log + metric). Waiting
 * the full timeout on every later money write would make a shop with a dead replica crawl, so
 * after a shortfall writes do not wait ("skipped", counted) until `recheckMs` has passed; the
 * next write then waits again. A `WAIT` that fails (the connection dropped: the primary may be
 * gone) throws: the caller must not report the write as done, and retries it by its id.
 *
 * The server-side alternative is `min-replicas-to-write 1` + `min-replicas-max-lag 10` on the
 * primary (README, "Redis Sentinel"): writes are refused while no replica is in sync.
 *
 * @example
 * const redis = await connectRedis({ target, replicaWait: { replicas: 1, timeoutMs: 1000 } });
 * const move = defineScript(redis, "walletMove", 3, lua, { durable: true }); // now WAITs
 */
import type { Redis } from "ioredis";

/** How one money write's wait ended. */
export type ReplicaWaitOutcome = "acked" | "short" | "skipped";

export interface ReplicaWaitOptions {
  /** Replicas that must acknowledge a money write (0 = off). */
  replicas: number;
  /** How long `WAIT` may block, in ms (keep it below the client's 5 s command timeout). */
  timeoutMs: number;
  /** After a shortfall, money writes skip the wait for this long (default 5 s). */
  recheckMs?: number;
  /** Counts each outcome (a metric), with the script whose write it followed. */
  onOutcome?: (outcome: ReplicaWaitOutcome, script: string) => void;
  /** Told when waiting starts falling short and when replicas acknowledge again. */
  onChange?: (state: { degraded: boolean; acked: number; wanted: number; script: string }) => void;
  /** The clock (tests). */
  now?: () => number;
}

/** What a durable script needs: the connection to run on, and the wait after it. */
export interface ReplicaWaiter {
  readonly client: Redis;
  /** Waits for the replicas after a write of `script` on {@link client}; throws if `WAIT` itself fails. */
  after(script: string): Promise<ReplicaWaitOutcome>;
}

const waiters = new WeakMap<Redis, ReplicaWaiter>();

/** The waiter set up for `redis`, or null when money writes do not wait (the default). */
export function replicaWaitFor(redis: Redis): ReplicaWaiter | null {
  return waiters.get(redis) ?? null;
}

/**
 * Opens the money connection beside `redis` and makes durable scripts defined on `redis` from
 * now on wait for replicas. The money connection closes when `redis` ends.
 */
export async function setupReplicaWait(redis: Redis, options: ReplicaWaitOptions): Promise<ReplicaWaiter> {
  const client = redis.duplicate({ lazyConnect: true });
  await client.connect();
  redis.once("end", () => client.disconnect());
  const waiter = new Waiter(client, options);
  waiters.set(redis, waiter);
  return waiter;
}

class Waiter implements ReplicaWaiter {
  /** While set, money writes skip the wait until this time. */
  private skipUntil = 0;
  private degraded = false;

  constructor(
    readonly client: Redis,
    private readonly options: ReplicaWaitOptions,
  ) {}

  async after(script: string): Promise<ReplicaWaitOutcome> {
    const { replicas, timeoutMs, recheckMs = 5_000, onOutcome, onChange, now = Date.now } = this.options;
    if (now() < this.skipUntil) {
      onOutcome?.("skipped", script);
      return "skipped";
    }
    const acked = await this.client.wait(replicas, timeoutMs);
    if (acked >= replicas) {
      if (this.degraded) {
        this.degraded = false;
        onChange?.({ degraded: false, acked, wanted: replicas, script });
      }
      onOutcome?.("acked", script);
      return "acked";
    }
    this.skipUntil = now() + recheckMs;
    if (!this.degraded) {
      this.degraded = true;
      onChange?.({ degraded: true, acked, wanted: replicas, script });
    }
    onOutcome?.("short", script);
    return "short";
  }
}
