/**
 * Walking keys by pattern with `SCAN`, under the client's key prefix. ioredis adds its `keyPrefix`
 * to key arguments but not to a SCAN pattern, and returns scanned names with the prefix on; this
 * adds it to the pattern and strips it from the names, so callers pass and get the shop's own names.
 *
 * @example
 * await scanKeys(redis, "ledger:*", (found) => { buyers.push(...found.map((key) => key.slice(7))); });
 */
import type { Redis } from "./redis.js";

/** `text` with Redis glob characters escaped, so a prefix matches only itself. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (char) => `\\${char}`);
}

/**
 * Calls `each` with every batch of keys matching `pattern` (without the prefix). `each` may
 * return false to stop early. A key may come twice (SCAN's guarantee is "at least once").
 */
export async function scanKeys(redis: Redis, pattern: string, each: (keys: string[]) => boolean | void | Promise<boolean | void>, count = 500): Promise<void> {
  const prefix = redis.options.keyPrefix ?? "";
  let cursor = "0";
  do {
    const [next, found] = await redis.scan(cursor, "MATCH", `${escapeGlob(prefix)}${pattern}`, "COUNT", count);
    cursor = next;
    if (found.length > 0 && (await each(found.map((key) => key.slice(prefix.length)))) === false) return;
  } while (cursor !== "0");
}
