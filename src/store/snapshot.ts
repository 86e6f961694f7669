/**
 * A point-in-time copy of every key of the shop (everything under the client's key prefix), in
 * Redis's own `DUMP` format, and its way back with `RESTORE`. Values are copied byte for byte, so
 * whatever is sealed at rest (stock items, delivered credentials, the WhatsApp login) stays sealed.
 *
 * Why one Lua script: a snapshot must be one moment, or it can hold an order's id in `orders:all`
 * without the order, or a ledger entry without its balance. Reading in batches (SCAN, then `DUMP`
 * in pipelines or several MULTIs) sees writes that land between batches; even one MULTI after a
 * SCAN misses keys created between the two. A script runs alone — no other command runs until it
 * returns — so listing the keys (`KEYS <prefix>*`), the clock (`TIME`) and every `DUMP`/`PTTL`
 * happen at one instant. The cost: Redis serves nobody else while it runs — measured on a 2-core
 * machine, 40,000 keys and 32 MB of dumps held other clients for about 0.5 s (it grows with both
 * the key count and the bytes; `KEYS` walks the whole database once) — and the whole reply is held
 * in memory on both sides. Limits: {@link maxSnapshotKeys} keys (counted first with SCAN, which
 * does not block) and {@link maxSnapshotBytes}, i.e. a stall of a few seconds at most; a shop past
 * them should rely on a replica's RDB/AOF (see README "Production checklist") rather than this copy.
 *
 * Left out: BullMQ's queue (`bull:`) and locks. A restored shop re-queues its unfinished orders at
 * start (`Recovery.resume`), and a lock copied from a running process would only block the new one.
 *
 * @example
 * const snapshot = await takeSnapshot(redis);            // { takenAt, entries: [{ key, expiresAt, dump }] }
 * const bytes = encodeSnapshot(snapshot);                // binary, for backup-file.ts to seal
 * await restoreSnapshot(freshRedis, decodeSnapshot(bytes), { replace: false });
 */
import { randomUUID } from "node:crypto";
import { keys } from "./keys.js";
import { escapeGlob, scanKeys } from "./scan.js";
import { isInMemory, type Redis } from "./redis.js";

/** One key as it was: its name without the prefix, when it expires (epoch ms, or null), its `DUMP`. */
export interface SnapshotEntry {
  key: string;
  expiresAt: number | null;
  dump: Buffer;
}

/** Every key of the shop at one moment (`takenAt`, Redis's clock, epoch ms). */
export interface Snapshot {
  takenAt: number;
  entries: SnapshotEntry[];
}

/** Above this many bytes of dumps a snapshot is refused (the script would stall Redis for seconds). */
export const maxSnapshotBytes = 256 * 1024 * 1024;

/** Above this many keys a snapshot is refused before it starts (about 4 s of stall, measured as above). */
export const maxSnapshotKeys = 300_000;

/** Key name beginnings (after the prefix) that a snapshot leaves out; see the module comment. */
export const excludedFromSnapshot: readonly string[] = ["bull:", keys.chatLock(""), keys.whatsappLock()];

/** Thrown when a snapshot or restore cannot be done; the message is safe to show an admin. */
export class SnapshotError extends Error {
  override readonly name = "SnapshotError";
  constructor(
    readonly code: "in_memory" | "too_large" | "corrupt" | "busy_key" | "unreadable" | "aborted",
    message: string,
  ) {
    super(message);
  }
}

// ARGV[1]: the KEYS pattern (prefix, glob-escaped, then *); ARGV[2]: prefix length;
// ARGV[3..]: excluded beginnings (after the prefix). Returns {sec, usec, key, pttl, dump, …}.
const snapshotScript = `
local found = redis.call('KEYS', ARGV[1])
local time = redis.call('TIME')
local out = {time[1], time[2]}
local skip = tonumber(ARGV[2])
for _, key in ipairs(found) do
  local rest = string.sub(key, skip + 1)
  local excluded = false
  for i = 3, #ARGV do
    if string.sub(rest, 1, #ARGV[i]) == ARGV[i] then excluded = true break end
  end
  if not excluded then
    out[#out + 1] = key
    out[#out + 1] = redis.call('PTTL', key)
    out[#out + 1] = redis.call('DUMP', key)
  end
end
return out
`;

/** The key prefix the client adds to every command (tests use one per file; production `REDIS_KEY_PREFIX`). */
export function keyPrefixOf(redis: Redis): string {
  return redis.options.keyPrefix ?? "";
}

/** Takes the snapshot (one atomic script; see the module comment). Needs a real Redis. */
export async function takeSnapshot(redis: Redis): Promise<Snapshot> {
  // The in-memory stand-in has no DUMP/RESTORE (and nothing durable to back up).
  if (isInMemory(redis)) throw new SnapshotError("in_memory", "backups need a real Redis (REDIS_URL)");
  if ((await countShopKeys(redis, maxSnapshotKeys + 1)) > maxSnapshotKeys) {
    throw new SnapshotError("too_large", `the shop has over ${maxSnapshotKeys} keys: use Redis replication and RDB copies instead`);
  }
  const prefix = keyPrefixOf(redis);
  // Buffers, not strings: a DUMP payload is binary. ARGV is never prefixed by the client.
  const raw: unknown = await redis.callBuffer("EVAL", snapshotScript, 0, `${escapeGlob(prefix)}*`, String(Buffer.byteLength(prefix)), ...excludedFromSnapshot);
  if (!Array.isArray(raw) || raw.length < 2 || (raw.length - 2) % 3 !== 0) throw new SnapshotError("corrupt", "Redis answered the snapshot with an unexpected shape");
  const [seconds, micros] = [Number(String(raw[0])), Number(String(raw[1]))];
  const takenAt = seconds * 1000 + Math.floor(micros / 1000);
  const entries: SnapshotEntry[] = [];
  const prefixBytes = Buffer.byteLength(prefix);
  let total = 0;
  for (let i = 2; i < raw.length; i += 3) {
    const name = raw[i] as Buffer;
    const pttl = Number(raw[i + 1]);
    const dump = raw[i + 2];
    // A key cannot vanish inside the script, but a wrong type must not become a silent gap.
    if (!Buffer.isBuffer(dump)) throw new SnapshotError("corrupt", "Redis answered a DUMP without a payload");
    total += dump.length;
    if (total > maxSnapshotBytes) throw new SnapshotError("too_large", `the shop's data is over ${maxSnapshotBytes / 1024 / 1024} MB: use Redis replication and RDB copies instead`);
    entries.push({ key: name.subarray(prefixBytes).toString("utf8"), expiresAt: pttl >= 0 ? takenAt + pttl : null, dump });
  }
  entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { takenAt, entries };
}

/** The same snapshot as bytes: per key `u32 key length, key, i64 expiresAt (-1 none), u32 dump length, dump`. */
export function encodeSnapshot(snapshot: Snapshot): Buffer {
  const parts: Buffer[] = [];
  const head = Buffer.alloc(12);
  head.writeBigInt64BE(BigInt(snapshot.takenAt), 0);
  head.writeUInt32BE(snapshot.entries.length, 8);
  parts.push(head);
  for (const entry of snapshot.entries) {
    const key = Buffer.from(entry.key, "utf8");
    const frame = Buffer.alloc(16);
    frame.writeUInt32BE(key.length, 0);
    frame.writeBigInt64BE(BigInt(entry.expiresAt ?? -1), 4);
    frame.writeUInt32BE(entry.dump.length, 12);
    parts.push(frame.subarray(0, 4), key, frame.subarray(4, 16), entry.dump);
  }
  return Buffer.concat(parts);
}

/** Reads {@link encodeSnapshot}'s bytes; throws a `corrupt` SnapshotError on anything malformed. */
export function decodeSnapshot(bytes: Buffer): Snapshot {
  const corrupt = () => new SnapshotError("corrupt", "the snapshot inside the backup is malformed");
  if (bytes.length < 12) throw corrupt();
  const takenAt = Number(bytes.readBigInt64BE(0));
  const count = bytes.readUInt32BE(8);
  const entries: SnapshotEntry[] = [];
  let at = 12;
  const need = (length: number) => {
    if (at + length > bytes.length) throw corrupt();
  };
  for (let i = 0; i < count; i++) {
    need(4);
    const keyLength = bytes.readUInt32BE(at);
    at += 4;
    need(keyLength + 12);
    const key = bytes.subarray(at, at + keyLength).toString("utf8");
    at += keyLength;
    const expires = Number(bytes.readBigInt64BE(at));
    const dumpLength = bytes.readUInt32BE(at + 8);
    at += 12;
    need(dumpLength);
    entries.push({ key, expiresAt: expires < 0 ? null : expires, dump: Buffer.from(bytes.subarray(at, at + dumpLength)) });
    at += dumpLength;
  }
  if (at !== bytes.length) throw corrupt();
  return { takenAt, entries };
}

/** How many keys the shop has (under the client's prefix), up to `stopAt` (a cheap emptiness check). */
export async function countShopKeys(redis: Redis, stopAt = Number.POSITIVE_INFINITY): Promise<number> {
  let count = 0;
  await scanKeys(redis, "*", (found) => {
    count += found.length;
    return count < stopAt;
  });
  return count;
}

/** A key of the backup Redis would not take, and Redis's reason (`BUSYKEY …`, `ERR DUMP payload …`). */
export interface RestoreFailure {
  key: string;
  reason: string;
}

/** What a restore did. */
export interface RestoreOutcome {
  restored: number;
  /** Keys whose time to live ran out between the snapshot and now: not restored. */
  expired: number;
  /** Keys that were there before and were deleted first (`replace` only). */
  deleted: number;
  /**
   * Keys not restored because Redis refused them. Not empty means the target now holds part of the
   * backup (unless nothing was restored or deleted): it must not serve as the shop.
   */
  failures: RestoreFailure[];
}

/** Payloads checked per round trip by {@link checkPayloads}. */
const payloadCheckBatch = 200;

/**
 * Which entries' `DUMP` payloads this Redis cannot read (damaged, or from a newer Redis), found
 * before a restore writes anything: each is restored under a scratch name
 * ({@link keys.restoreCheck}, expiring in a minute should the check die) and deleted again. A
 * transaction does not roll back a failed `RESTORE`, so this is what keeps `--force` from deleting
 * a shop to put back only part of a backup.
 */
export async function checkPayloads(redis: Redis, snapshot: Snapshot): Promise<RestoreFailure[]> {
  const run = randomUUID();
  const failures: RestoreFailure[] = [];
  for (let start = 0; start < snapshot.entries.length; start += payloadCheckBatch) {
    const batch = snapshot.entries.slice(start, start + payloadCheckBatch);
    const pipeline = redis.pipeline();
    batch.forEach((entry, i) => pipeline.call("RESTORE", keys.restoreCheck(run, start + i), 60_000, entry.dump));
    const results = (await pipeline.exec()) ?? [];
    const written: string[] = [];
    batch.forEach((entry, i) => {
      const error = results[i]?.[0];
      if (error) failures.push({ key: entry.key, reason: error.message });
      else written.push(keys.restoreCheck(run, start + i));
    });
    if (written.length > 0) await redis.del(...written);
  }
  return failures;
}

/**
 * Writes the snapshot into the client's prefix, in one transaction. Without `replace` the target
 * must hold no key of the shop (the caller checks first) and `RESTORE` runs without `REPLACE`, so a
 * key written meanwhile is refused by Redis (BUSYKEY) and left as that writer made it. With
 * `replace` every key already under the prefix is deleted first, in the same transaction, so the
 * shop is exactly the snapshot afterwards. Expiry is restored as the absolute time it was
 * (`ABSTTL`), so a session keeps its deadline.
 *
 * A transaction does not undo the commands before a failing one: every result is checked, and
 * each key Redis refused is in `failures` (the caller must say the target is partial). A
 * transaction Redis discarded (`EXECABORT`) wrote nothing and throws a `SnapshotError`.
 */
export async function restoreSnapshot(redis: Redis, snapshot: Snapshot, { replace, now = Date.now() }: { replace: boolean; now?: number }): Promise<RestoreOutcome> {
  const existing: string[] = [];
  if (replace) await scanKeys(redis, "*", (found) => void existing.push(...found));
  const unique = [...new Set(existing)];
  const live = snapshot.entries.filter((entry) => entry.expiresAt === null || entry.expiresAt > now);
  const transaction = redis.multi();
  let deletions = 0;
  for (let i = 0; i < unique.length; i += 500) {
    transaction.del(...unique.slice(i, i + 500));
    deletions++;
  }
  for (const entry of live) {
    const args: (string | number | Buffer)[] = [entry.key, entry.expiresAt ?? 0, entry.dump];
    if (entry.expiresAt !== null) args.push("ABSTTL");
    if (replace) args.push("REPLACE");
    transaction.call("RESTORE", ...args);
  }
  let results: [Error | null, unknown][];
  try {
    results = (await transaction.exec()) ?? [];
  } catch (error) {
    if (error instanceof Error && /EXECABORT/.test(error.message)) {
      throw new SnapshotError("aborted", `Redis discarded the restore, nothing was written (${error.message})`);
    }
    throw error;
  }
  let deleted = 0;
  const deleteFailures: RestoreFailure[] = [];
  const restoreFailures: RestoreFailure[] = [];
  results.forEach(([error, value], i) => {
    if (i < deletions) {
      // DEL does not fail on a key's content; listed all the same, so nothing is ever hidden.
      if (error) deleteFailures.push({ key: "(the existing keys)", reason: error.message });
      else deleted += Number(value);
    } else if (error) {
      restoreFailures.push({ key: live[i - deletions]!.key, reason: error.message });
    }
  });
  return { restored: live.length - restoreFailures.length, expired: snapshot.entries.length - live.length, deleted, failures: [...deleteFailures, ...restoreFailures] };
}
