/**
 * The Lua every token lock shares (a key set with SET NX PX to a random token): only the holder
 * may extend or delete it, checked atomically, so a lock that lapsed and was taken by another
 * process is never extended or released by the old holder.
 */
import { defineScript, type Redis } from "./redis.js";

const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

const extendScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

/** Deletes `key` if it still holds `token`; 1 when deleted. */
export type ReleaseLock = (key: string, token: string) => Promise<number>;
/** Sets `key`'s TTL to `ttlMs` if it still holds `token`; 1 when extended. */
export type ExtendLock = (key: string, token: string, ttlMs: number) => Promise<number>;

export function releaseLock(redis: Redis): ReleaseLock {
  return defineScript<ReleaseLock>(redis, "lockRelease", 1, releaseScript);
}

export function extendLock(redis: Redis): ExtendLock {
  return defineScript<ExtendLock>(redis, "lockExtend", 1, extendScript);
}
