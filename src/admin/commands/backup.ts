/**
 * `/backup`: an encrypted backup of the whole shop (orders, wallets and ledgers, payments,
 * settings, stock — sealed values stay sealed) made now, saved in `BACKUP_DIR` when set and sent
 * to the group as a file (up to 50 MB, Telegram's limit for bots). Without `BACKUP_KEY` it
 * refuses and says how to turn backups on.
 */
import { msg, type Msg } from "../../core/message.js";
import { documentReply, type Reply } from "../../core/reply.js";
import { formatWib } from "../../core/time.js";
import { maxSnapshotBytes, maxSnapshotKeys, SnapshotError } from "../../store/snapshot.js";
import type { MadeBackup } from "../backups.js";
import { answer } from "./answer.js";
import { nothing } from "./args.js";
import { defineAdminCommand } from "./command.js";

export const backupCommand = defineAdminCommand({
  name: "backup",
  args: nothing,
  usage: msg("admin-usage-backup"),
  run: async (_args, { services }) => {
    const { backups, logger } = services;
    if (!backups.enabled) return answer("off", msg("admin-backup-off"));
    let made: MadeBackup;
    try {
      made = await backups.make();
    } catch (error) {
      if (error instanceof SnapshotError && error.code === "in_memory") return answer("in_memory", msg("admin-backup-in-memory"));
      logger.error({ err: error }, "backup failed");
      if (error instanceof SnapshotError && error.code === "too_large") return answer("too_large", msg("admin-backup-too-large", { keys: maxSnapshotKeys, mb: maxSnapshotBytes / 1024 / 1024 }));
      return answer("failed", msg("admin-backup-failed"));
    }
    const result = `made ${made.keys} keys`;
    // Bot API: "Bots can currently send files of any type of up to 50 MB in size".
    if (made.bytes.length > maxSentBackupBytes) return answer(result, ...backupLines(made), msg("admin-backup-too-big-to-send", { mb: maxSentBackupBytes / 1024 / 1024 }));
    return { replies: [backupDocument(made)], result };
  },
});

/** The largest backup sent as a file; a larger one stays in `BACKUP_DIR` only. */
export const maxSentBackupBytes = 50 * 1024 * 1024;

/** A backup as a file in the chat, its caption saying what it is and where else it is. */
export function backupDocument(made: MadeBackup): Reply {
  return documentReply(made.fileName, made.bytes, "application/octet-stream", ...backupLines(made));
}

/** What the group is told about a backup (the caption of its file). */
export function backupLines(made: MadeBackup): Msg[] {
  return [
    msg("admin-backup-made", { file: made.fileName, keys: made.keys, kb: Math.ceil(made.bytes.length / 1024), date: formatWib(made.takenAt) }),
    made.savedTo === null ? msg("admin-backup-not-saved") : msg("admin-backup-saved", { path: made.savedTo, pruned: made.pruned }),
    msg("admin-backup-restore-hint"),
  ];
}
