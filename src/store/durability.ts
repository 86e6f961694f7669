/**
 * Paid orders and wallets live in Redis: it must keep them across restarts and never evict them.
 * Warns when `CONFIG GET` shows otherwise (managed Redis may forbid CONFIG: then silent).
 *
 * @example
 * await checkRedisDurability(redis, logger); // at start-up
 */
import type { Logger } from "pino";
import { isInMemory, type Redis } from "./redis.js";

/** The problems found (also logged as warnings); empty when Redis is durable or cannot tell. */
export async function checkRedisDurability(redis: Redis, logger: Logger): Promise<string[]> {
  if (isInMemory(redis)) return [];
  const problems: string[] = [];
  try {
    const [, appendonly] = (await redis.config("GET", "appendonly")) as string[];
    const [, policy] = (await redis.config("GET", "maxmemory-policy")) as string[];
    if (appendonly !== "yes") problems.push("appendonly is not yes: a Redis restart loses orders and wallets");
    if (policy !== "noeviction") problems.push(`maxmemory-policy is ${policy}, not noeviction: Redis may evict orders`);
  } catch {
    return [];
  }
  for (const problem of problems) logger.warn({ problem }, "Redis is not configured for durable data");
  return problems;
}
