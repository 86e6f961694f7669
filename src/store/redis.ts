/**
 * The Redis connection. With `REDIS_URL` set it is a real ioredis client; without it, the local
 * demo runs on ioredis-mock, an in-memory Redis with the same API (Lua included), so every store
 * has exactly one implementation.
 */
import { Redis, type RedisOptions } from "ioredis";

export type { Redis } from "ioredis";

export interface RedisConnectOptions {
  url?: string;
  /** Prefix for every key this client touches (tests use a fresh one per file). */
  keyPrefix?: string;
}

/**
 * Options for the bot's own connection: fail fast while Redis is away (the buyer is told
 * "sedang gangguan" at once) instead of queueing commands, and reconnect forever in the background.
 */
const failFast: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  commandTimeout: 5_000,
  connectTimeout: 5_000,
  retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
};

/** The clients {@link connectRedis} made in memory. */
const inMemory = new WeakSet<Redis>();

/** Connects to Redis, or to an in-memory stand-in when no URL is given. Resolves once ready. */
export async function connectRedis({ url, keyPrefix }: RedisConnectOptions): Promise<Redis> {
  if (!url) {
    // Imported only here: a production process with a real Redis should not carry the stand-in.
    const { default: RedisMock } = await import("ioredis-mock");
    const redis = new RedisMock({ keyPrefix }) as unknown as Redis;
    inMemory.add(redis);
    return redis;
  }
  const redis = new Redis(url, { ...failFast, keyPrefix, lazyConnect: true });
  // Without the offline queue, commands sent before "ready" fail; so wait for it, once.
  await redis.connect();
  return redis;
}

/** True when the client is an in-memory stand-in (no durability, single process only). */
export function isInMemory(redis: Redis): boolean {
  return inMemory.has(redis);
}

/**
 * Registers a Lua script as a command on the client (once per client) and returns it as a
 * typed function. Keys come first in the arguments, as `numberOfKeys` says.
 */
export function defineScript<F extends (...args: never[]) => Promise<unknown>>(redis: Redis, name: string, numberOfKeys: number, lua: string): F {
  if (!(name in redis)) redis.defineCommand(name, { numberOfKeys, lua });
  const command = (redis as unknown as Record<string, F>)[name]!;
  return command.bind(redis) as F;
}
