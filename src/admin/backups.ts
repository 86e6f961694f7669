/**
 * Making backups for the admins: `/backup` in the admin group and the daily one at `BACKUP_AT`.
 * A backup is the sealed snapshot of `store/backup.ts`; here it gets a file name, is written to
 * `BACKUP_DIR` (keeping the newest `BACKUP_KEEP` of this shop there), and the daily one is posted
 * to the Telegram admin group. Without `BACKUP_KEY` nothing is made: an unsealed copy of wallets
 * and logins must never leave Redis. Contents are never logged; only names, sizes and counts.
 *
 * @example
 * const backups = new Backups({ redis, key: config.BACKUP_KEY ?? null, dir: config.BACKUP_DIR ?? null, keep: 7, logger, postDaily });
 * const made = await backups.make(); // { fileName, bytes, keys, savedTo, pruned }
 */
import { mkdir, readdir, rename, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import { formatWibSeconds } from "../core/time.js";
import type { Redis } from "../store/redis.js";
import { makeBackup } from "../store/backup.js";
import { isInMemory } from "../store/redis.js";
import { keyPrefixOf, SnapshotError } from "../store/snapshot.js";

/** What a backup made. */
export interface MadeBackup {
  fileName: string;
  bytes: Buffer;
  keys: number;
  /** The moment of the snapshot (epoch ms). */
  takenAt: number;
  /** Full path in `BACKUP_DIR`, or null without one. */
  savedTo: string | null;
  /** Older files of this shop deleted from `BACKUP_DIR` to keep `BACKUP_KEEP`. */
  pruned: number;
}

export interface BackupsDeps {
  redis: Redis;
  /** `BACKUP_KEY`; null = backups are off (`/backup` says how to turn them on). */
  key: string | null;
  dir: string | null;
  keep: number;
  logger: Logger;
  /**
   * Posts the daily backup (and a failure) to the admin group; absent = the daily one only goes
   * to `BACKUP_DIR`.
   */
  postDaily?: (made: MadeBackup | { failed: true }) => Promise<void>;
}

const extension = ".wbak";

/** `shop1:` → `shop1-`; no prefix → "" (file names of two shops sharing a directory never collide). */
function shopTag(prefix: string): string {
  const tag = prefix.replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "");
  return tag ? `${tag}-` : "";
}

/** Makes, keeps and rotates backups. */
export class Backups {
  constructor(private readonly deps: BackupsDeps) {}

  /** True when `BACKUP_KEY` is set. */
  get enabled(): boolean {
    return this.deps.key !== null;
  }

  /** Where the files go, if anywhere. */
  get dir(): string | null {
    return this.deps.dir;
  }

  /** `warung-backup-shop1-20250131-030000.wbak` (WIB time of the snapshot; sorts by time). */
  fileName(takenAt: number): string {
    const stamp = formatWibSeconds(takenAt).replace(/[-:]/g, "").replace(" ", "-");
    return `warung-backup-${shopTag(keyPrefixOf(this.deps.redis))}${stamp}${extension}`;
  }

  /** Takes a backup; writes and rotates it in `BACKUP_DIR` when set. Throws when off or on failure. */
  async make(): Promise<MadeBackup> {
    const { key, dir, logger } = this.deps;
    if (key === null) throw new Error("BACKUP_KEY is not set");
    if (isInMemory(this.deps.redis)) throw new SnapshotError("in_memory", "backups need a real Redis (REDIS_URL)");
    // Its own connection: the bot's fails commands after 5 s, and a large snapshot may take longer.
    const redis = this.deps.redis.duplicate({ commandTimeout: 120_000, enableOfflineQueue: true });
    let made: { file: Buffer; header: { keys: number; takenAt: number } };
    try {
      made = await makeBackup(redis, key);
    } finally {
      redis.disconnect();
    }
    const fileName = this.fileName(made.header.takenAt);
    let savedTo: string | null = null;
    let pruned = 0;
    if (dir) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      savedTo = join(dir, fileName);
      // Written whole, then renamed: a crash never leaves half a file under a backup's name.
      const partial = `${savedTo}.partial`;
      await writeFile(partial, made.file, { mode: 0o600 });
      await rename(partial, savedTo);
      pruned = await this.prune(dir);
    }
    logger.info({ fileName, keys: made.header.keys, size: made.file.length, savedTo, pruned }, "backup made");
    return { fileName, bytes: made.file, keys: made.header.keys, takenAt: made.header.takenAt, savedTo, pruned };
  }

  /** The daily backup: made, saved, posted; a failure is logged and posted, never thrown. */
  async daily(): Promise<void> {
    try {
      const made = await this.make();
      await this.deps.postDaily?.(made);
    } catch (error) {
      this.deps.logger.error({ err: error }, "daily backup failed");
      await this.deps.postDaily?.({ failed: true }).catch(() => undefined);
    }
  }

  /** Deletes this shop's oldest backups in `dir` beyond `keep`; returns how many. */
  private async prune(dir: string): Promise<number> {
    const prefix = `warung-backup-${shopTag(keyPrefixOf(this.deps.redis))}`;
    const ours = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\d{8}-\\d{6}\\${extension}$`);
    const files = (await readdir(dir)).filter((name) => ours.test(name)).sort();
    const old = files.slice(0, Math.max(0, files.length - this.deps.keep));
    for (const name of old) await unlink(join(dir, name)).catch(() => undefined);
    return old.length;
  }
}
