/**
 * `npm run restore -- <file> [--force]`: puts a backup made by `/backup` (or the daily one) back
 * into Redis — `REDIS_URL`, under `REDIS_KEY_PREFIX`, opened with `BACKUP_KEY`. Stop the bot first.
 *
 * The file is checked completely (key, authentication, checksum), and every payload readable by
 * this Redis, before the shop's keys are touched. The target must hold no key under the prefix;
 * `--force` deletes what is there and replaces it with the backup. Prints what it restored; when
 * Redis refused some keys after writing began (a key written meanwhile), it says the target is now
 * partial and to restore again with `--force` into a stopped shop. Exit code 0 done, 1 refused,
 * partial or failed, 2 wrong usage.
 *
 * @example
 * REDIS_URL=redis://127.0.0.1:6379 BACKUP_KEY=… npm run restore -- warung-backup-20250131-030000.wbak
 */
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { formatConfigProblems, loadRestoreEnv } from "./config.js";
import { formatWib } from "./core/time.js";
import { restoreBackup } from "./store/backup.js";
import { BackupFileError } from "./store/backup-file.js";
import { Redis } from "ioredis";
import { SnapshotError } from "./store/snapshot.js";

const usage = "usage: npm run restore -- <backup file> [--force]";

const argsSchema = z
  .array(z.string())
  .transform((args) => ({ force: args.includes("--force"), rest: args.filter((arg) => arg !== "--force") }))
  .pipe(
    z.object({
      force: z.boolean(),
      rest: z.tuple([z.string().min(1).refine((path) => !path.startsWith("-"), { message: "unknown option" })], { message: "exactly one backup file" }),
    }),
  )
  .transform(({ force, rest }) => ({ force, file: rest[0] }));

/** What the tool writes and the environment it reads (tests pass their own). */
export interface RestoreIo {
  env: Record<string, string | undefined>;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Runs after the checks, right before the first write: tests play another writer racing the tool. */
  beforeWrite?: () => Promise<void>;
}

/** Failures named in the tool's answer; the rest are counted. */
const failuresShown = 5;

/** Runs the tool; returns the exit code. */
export async function runRestore(argv: readonly string[], io: RestoreIo): Promise<number> {
  const args = argsSchema.safeParse([...argv]);
  if (!args.success) {
    io.err(usage);
    return 2;
  }
  const loaded = loadRestoreEnv(io.env);
  if (!loaded.ok) {
    io.err(formatConfigProblems(loaded.problems));
    return 2;
  }
  const { env } = loaded;
  let file: Buffer;
  try {
    file = await readFile(args.data.file);
  } catch (error) {
    io.err(`cannot read ${args.data.file}: ${(error as NodeJS.ErrnoException).code ?? "error"}`);
    return 1;
  }
  // Not the bot's fail-fast client: a large restore is one transaction that may take longer than 5 s.
  const redis = new Redis(env.REDIS_URL, { keyPrefix: env.REDIS_KEY_PREFIX, maxRetriesPerRequest: 1, lazyConnect: true });
  await redis.connect();
  try {
    const report = await restoreBackup(redis, file, env.BACKUP_KEY, { force: args.data.force, ...(io.beforeWrite ? { beforeWrite: io.beforeWrite } : {}) });
    const { header } = report;
    if (report.failures.length > 0) {
      const named = report.failures.slice(0, failuresShown).map((failure) => `${failure.key}: ${failure.reason}`);
      const more = report.failures.length > failuresShown ? ` and ${report.failures.length - failuresShown} more` : "";
      const refusedKeys = `${report.failures.length} keys of the backup were refused by Redis (${named.join("; ")}${more})`;
      if (report.restored === 0 && report.deleted === 0) {
        io.err(`Restore refused: ${refusedKeys}; nothing was written.`);
        return 1;
      }
      io.err(`Restore incomplete: ${refusedKeys}. ${report.restored} keys were restored and ${report.deleted} existing keys deleted.`);
      io.err(`The target under prefix "${env.REDIS_KEY_PREFIX}" now holds a partial shop: do not start the bot on it.`);
      io.err(`Stop every process of the shop, then restore again, replacing everything: npm run restore -- ${args.data.file} --force`);
      return 1;
    }
    io.out(`Backup of ${formatWib(header.takenAt)} WIB (${header.keys} keys, from prefix "${header.prefix}") restored under prefix "${env.REDIS_KEY_PREFIX}".`);
    io.out(`Restored ${report.restored} keys; ${report.expired} had expired since the backup (sessions, claims) and were skipped; ${report.deleted} existing keys were replaced.`);
    io.out("Start the bot: it re-queues unfinished orders at start-up.");
    return 0;
  } catch (error) {
    if (error instanceof BackupFileError || error instanceof SnapshotError) {
      io.err(`Restore refused: ${error.message}`);
      return 1;
    }
    // Redis may have applied the transaction or not: say so rather than guess.
    io.err(`Restore failed: ${error instanceof Error ? error.message : String(error)}`);
    io.err(`The target under prefix "${env.REDIS_KEY_PREFIX}" may now hold part of the backup: stop every process of the shop, then restore again with --force.`);
    return 1;
  } finally {
    redis.disconnect();
  }
}

// Run as a program (not when a test imports it).
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const code = await runRestore(process.argv.slice(2), {
    env: process.env,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
  process.exit(code);
}
