/**
 * The Redis connection. With a target (`REDIS_URL`, or Redis Sentinel) it is a real ioredis
 * client; without one, the local demo runs on ioredis-mock, an in-memory Redis with the same API
 * (Lua included), so every store has exactly one implementation.
 *
 * Every real client of the shop — its own and BullMQ's — is made by {@link newRedisClient} from
 * one {@link RedisTarget}, so with Sentinel they all ask the sentinels for the master and follow
 * it after a failover.
 */
import { Redis, type RedisOptions } from "ioredis";
import { replicaWaitFor, type ReplicaWaitOptions, setupReplicaWait } from "./replica-wait.js";

export type { Redis } from "ioredis";

/** One sentinel's address. */
export interface SentinelAddress {
  host: string;
  port: number;
}

/**
 * Where Redis is: one server by URL, or a master group found through Redis Sentinel.
 *
 * @example
 * const direct: RedisTarget = { kind: "url", url: "redis://127.0.0.1:6379" };
 * const ha: RedisTarget = { kind: "sentinel", sentinels: [{ host: "10.0.0.1", port: 26379 }], name: "mymaster" };
 */
export type RedisTarget =
  | { kind: "url"; url: string }
  | {
      kind: "sentinel";
      sentinels: SentinelAddress[];
      /** The master group name the sentinels monitor (`sentinel monitor <name> …`). */
      name: string;
      sentinelPassword?: string;
      /** The Redis servers' own password (`requirepass`/ACL), not the sentinels'. */
      password?: string;
      username?: string;
      db?: number;
    };

/**
 * What a client is for. `shop`: the bot's own connection, failing fast while Redis is away (the
 * buyer is told "sedang gangguan" at once) instead of queueing commands. `jobs`: BullMQ's
 * connections, which must retry forever (`maxRetriesPerRequest: null`) so a Redis restart or
 * failover pauses jobs instead of failing them.
 */
export type RedisPurpose = "shop" | "jobs";

const failFast: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  commandTimeout: 5_000,
  connectTimeout: 5_000,
  retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
};

/**
 * A master demoted to replica (a failover while this client kept its connection, e.g. after a
 * network split) answers writes with READONLY: reconnect, which asks the sentinels again. The
 * failed command is not re-sent (1, not 2): its caller sees the error and retries idempotently.
 */
const reconnectOnReadonly = (error: Error): 1 | false => (error.message.startsWith("READONLY") ? 1 : false);

/**
 * The ioredis options for a target and purpose. For Sentinel: the sentinels, the group name and
 * role master. A lost master closes the connection; ioredis then asks the sentinels again (and
 * again, while they still name the dead one) until they name the new master. A master demoted
 * while alive closes its clients' connections itself, and a write that still reaches it gets
 * READONLY (see {@link reconnectOnReadonly}).
 *
 * `failoverDetector` is deliberately off: when its `+switch-master` message arrives while the
 * client is already reconnecting, ioredis 5.x abandons the connection for good (every command
 * then fails with "Connection is closed."); the sentinel fault test met exactly that.
 */
export function redisClientOptions(target: RedisTarget, purpose: RedisPurpose, extra: RedisOptions = {}): RedisOptions {
  const base: RedisOptions = purpose === "shop" ? { ...failFast } : { maxRetriesPerRequest: null };
  if (target.kind === "url") return { ...base, reconnectOnError: reconnectOnReadonly, ...extra };
  return {
    ...base,
    sentinels: target.sentinels,
    name: target.name,
    role: "master",
    // Sentinels are asked again after a short pause while none knows a master (mid-failover).
    sentinelRetryStrategy: (attempt) => Math.min(attempt * 200, 1_000),
    reconnectOnError: reconnectOnReadonly,
    ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
    ...(target.password ? { password: target.password } : {}),
    ...(target.username ? { username: target.username } : {}),
    ...(target.db !== undefined ? { db: target.db } : {}),
    ...extra,
  };
}

/** A new (not yet connected unless `lazyConnect` is false) client for a target and purpose. */
export function newRedisClient(target: RedisTarget, purpose: RedisPurpose, extra: RedisOptions = {}): Redis {
  const options = redisClientOptions(target, purpose, extra);
  return target.kind === "url" ? new Redis(target.url, options) : new Redis(options);
}

export interface RedisConnectOptions {
  /** Shorthand for a `{ kind: "url" }` target. */
  url?: string;
  target?: RedisTarget | null;
  /** Prefix for every key this client touches (tests use a fresh one per file). */
  keyPrefix?: string;
  /** Money writes wait for this many replicas (see `replica-wait.ts`); off when absent or 0 replicas. */
  replicaWait?: ReplicaWaitOptions;
}

/** The clients {@link connectRedis} made in memory. */
const inMemory = new WeakSet<Redis>();

/** Connects to Redis, or to an in-memory stand-in when no target is given. Resolves once ready. */
export async function connectRedis({ url, target, keyPrefix, replicaWait }: RedisConnectOptions): Promise<Redis> {
  const where = target ?? (url ? ({ kind: "url", url } as const) : null);
  if (!where) {
    // Imported only here: a production process with a real Redis should not carry the stand-in.
    const { default: RedisMock } = await import("ioredis-mock");
    const redis = new RedisMock({ keyPrefix }) as unknown as Redis;
    inMemory.add(redis);
    return redis;
  }
  const redis = newRedisClient(where, "shop", { ...(keyPrefix ? { keyPrefix } : {}), lazyConnect: true });
  // Without the offline queue, commands sent before "ready" fail; so wait for it, once.
  await redis.connect();
  if (replicaWait && replicaWait.replicas > 0) await setupReplicaWait(redis, replicaWait);
  return redis;
}

/** True when the client is an in-memory stand-in (no durability, single process only). */
export function isInMemory(redis: Redis): boolean {
  return inMemory.has(redis);
}

/** Options of {@link defineScript}. */
export interface ScriptOptions {
  /**
   * A write that must survive a failover — money (wallet, order, payment) or something a buyer
   * was shown or promised (a QR's total, a voucher use, a referral link; see each script's
   * one-line reason; sessions are not): when the client was connected with `replicaWait`,
   * the script runs on the client's money connection and resolves only after `WAIT` (or after
   * its timeout, which is reported). See `replica-wait.ts`.
   */
  durable?: boolean;
}

/**
 * Registers a Lua script as a command on the client (once per client) and returns it as a
 * typed function. Keys come first in the arguments, as `numberOfKeys` says.
 *
 * @example
 * const move = defineScript<MoveCommand>(redis, "walletMove", 3, moveScript, { durable: true });
 */
export function defineScript<F extends (...args: never[]) => Promise<unknown>>(redis: Redis, name: string, numberOfKeys: number, lua: string, options: ScriptOptions = {}): F {
  const bound = bindScript<F>(redis, name, numberOfKeys, lua);
  const wait = options.durable ? replicaWaitFor(redis) : null;
  if (!wait) return bound;
  const onMoneyConnection = bindScript<F>(wait.client, name, numberOfKeys, lua);
  return (async (...args: Parameters<F>) => {
    const result = await onMoneyConnection(...args);
    await wait.after(name);
    return result;
  }) as unknown as F;
}

function bindScript<F extends (...args: never[]) => Promise<unknown>>(redis: Redis, name: string, numberOfKeys: number, lua: string): F {
  if (!(name in redis)) redis.defineCommand(name, { numberOfKeys, lua });
  const command = (redis as unknown as Record<string, F>)[name]!;
  return command.bind(redis) as F;
}
