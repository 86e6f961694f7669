/**
 * Deadlines in a Redis sorted set (member → time), claimed by whichever process sweeps first.
 * A member is claimed only while its deadline has passed, in one Lua step, so a deadline moved
 * later in the meantime (a buyer who answered) is never claimed, and no two sweepers ever get
 * the same member.
 */
import { defineScript, type Redis } from "./redis.js";

// KEYS: deadline set. ARGV: member, now. Removes the member only while its deadline has passed.
const claimScript = `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) <= tonumber(ARGV[2]) then return redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0
`;

type ClaimCommand = (set: string, member: string, now: number) => Promise<number>;

/** Claims up to `limit` members of `set` whose deadline is at or before `now`. */
export async function claimDue(redis: Redis, set: string, now: number, limit: number): Promise<string[]> {
  const claimIfDue = defineScript<ClaimCommand>(redis, "claimIfDue", 1, claimScript);
  const due = await redis.zrangebyscore(set, 0, now, "LIMIT", 0, limit);
  const claimed: string[] = [];
  for (const member of due) if ((await claimIfDue(set, member, now)) === 1) claimed.push(member);
  return claimed;
}
