/**
 * Redis for tests: a real connection to REDIS_URL (default 127.0.0.1:6379) with a fresh key
 * prefix per call, so test files never see each other's data and need no cleanup order.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";

export const testRedisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** A new client whose keys all live under a prefix unique to this call. */
export async function freshRedis(label = "test"): Promise<{ redis: Redis; prefix: string; cleanup: () => Promise<void> }> {
  const prefix = `wbtest:${label}:${randomBytes(6).toString("hex")}:`;
  const redis = new Redis(testRedisUrl, { keyPrefix: prefix, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const cleanup = async () => {
    // keyPrefix is not applied to SCAN patterns, so match on the full prefix and delete raw keys.
    const raw = new Redis(testRedisUrl);
    let cursor = "0";
    do {
      const [next, found] = await raw.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      cursor = next;
      if (found.length > 0) await raw.del(...found);
    } while (cursor !== "0");
    raw.disconnect();
    redis.disconnect();
  };
  return { redis, prefix, cleanup };
}
