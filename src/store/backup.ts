/**
 * A whole backup in one call each way: snapshot → encode → seal, and open → decode → restore.
 * The pieces are `snapshot.ts` (one instant of Redis) and `backup-file.ts` (the sealed file).
 *
 * @example
 * const { file, header } = await makeBackup(redis, process.env.BACKUP_KEY!);
 * const outcome = await restoreBackup(emptyRedis, file, process.env.BACKUP_KEY!, { force: false });
 */
import { openBackup, readBackupHeader, sealBackup, type BackupHeader } from "./backup-file.js";
import type { Redis } from "./redis.js";
import { checkPayloads, countShopKeys, decodeSnapshot, encodeSnapshot, keyPrefixOf, restoreSnapshot, SnapshotError, takeSnapshot, type RestoreOutcome } from "./snapshot.js";

/** Snapshots the shop under the client's prefix and seals it with `key` (a `BACKUP_KEY`). */
export async function makeBackup(redis: Redis, key: string, now = new Date()): Promise<{ file: Buffer; header: BackupHeader }> {
  const snapshot = await takeSnapshot(redis);
  const file = await sealBackup(encodeSnapshot(snapshot), { key, keys: snapshot.entries.length, prefix: keyPrefixOf(redis), takenAt: snapshot.takenAt, now });
  return { file, header: readBackupHeader(file).header };
}

/** What {@link restoreBackup} found and did. */
export interface RestoreReport extends RestoreOutcome {
  header: BackupHeader;
}

/**
 * Checks the file with `key` (wrong key, damage: `BackupFileError`) before touching Redis, then
 * restores it under the client's prefix. The target must hold no key of the shop unless `force`,
 * which deletes what is there first (`SnapshotError` "busy_key" otherwise). Every payload is
 * checked readable by this Redis before the first write (`SnapshotError` "unreadable"). Whatever
 * Redis refused after that is in the report's `failures`: the target is then partial.
 * `beforeWrite` runs after the checks, right before the first write (tests play a racing writer).
 */
export async function restoreBackup(
  redis: Redis,
  file: Buffer,
  key: string,
  { force, beforeWrite }: { force: boolean; beforeWrite?: () => Promise<void> },
): Promise<RestoreReport> {
  const { header, plaintext } = await openBackup(file, key);
  const snapshot = decodeSnapshot(plaintext);
  if (snapshot.entries.length !== header.keys || snapshot.takenAt !== header.takenAt) {
    throw new SnapshotError("corrupt", "the backup's contents do not match its header");
  }
  if (!force && (await countShopKeys(redis, 1)) > 0) {
    throw new SnapshotError("busy_key", `the target Redis already has keys under the prefix "${keyPrefixOf(redis)}": restore into an empty one, or pass --force to replace them`);
  }
  const unreadable = await checkPayloads(redis, snapshot);
  if (unreadable.length > 0) {
    const first = unreadable[0]!;
    throw new SnapshotError(
      "unreadable",
      `${unreadable.length} of the backup's keys cannot be read by this Redis (first: ${first.key}: ${first.reason}); nothing was written. The target Redis must be the source's version or newer.`,
    );
  }
  await beforeWrite?.();
  const outcome = await restoreSnapshot(redis, snapshot, { replace: force });
  return { ...outcome, header };
}
