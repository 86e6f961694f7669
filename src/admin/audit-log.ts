/**
 * The admin audit log: who did what, when, and what came of it — including refused attempts,
 * which are what an owner looks for after a leaked group invite. Kept in Redis as a capped list,
 * newest first, read back with `/audit`.
 */
import { keys } from "../store/keys.js";
import { z } from "zod";
import type { Redis } from "../store/redis.js";
import { safeJson } from "../core/safe-json.js";
import { sanitizeOutsideText } from "./sanitize.js";

/** One audit entry as stored (JSON in the list). */
export const auditEntrySchema = z.object({
  at: z.number(),
  /** `<channel>:<user id>` of the sender. */
  by: z.string(),
  /** The sender's display name when the platform gave one (for reading; `by` is what counts). */
  name: z.string().optional(),
  /** `<channel>:<chat id>` the command came from. */
  chat: z.string(),
  command: z.string(),
  args: z.string(),
  /** A short machine word: `refunded`, `already_refunded`, `refused`, `invalid`, `error`… */
  result: z.string(),
});
/** One admin action and its result. */
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** Arguments are kept short: the log is for reading back in a chat, not for archiving broadcasts. */
const maxArgsLength = 200;

/** Appends to and reads the audit log. */
export class AuditLog {
  constructor(
    private readonly redis: Redis,
    /** Entries kept; older ones drop off so a flood of refused attempts cannot grow Redis forever. */
    private readonly maxEntries = 5_000,
  ) {}

  /**
   * Appends an entry. Arguments and the sender's name are typed by whoever sent the command, so
   * they are stored escaped: a line break or a bidi override in them cannot forge another entry
   * when `/audit` shows the log.
   */
  async record(entry: Omit<AuditEntry, "at">, at = Date.now()): Promise<void> {
    const full: AuditEntry = {
      ...entry,
      ...(entry.name !== undefined ? { name: sanitizeOutsideText(entry.name) } : {}),
      args: sanitizeOutsideText(entry.args.slice(0, maxArgsLength)),
      at,
    };
    const results = await this.redis.pipeline().lpush(keys.adminAudit(), JSON.stringify(full)).ltrim(keys.adminAudit(), 0, this.maxEntries - 1).exec();
    const failure = results?.find(([error]) => error)?.[0];
    if (failure) throw failure;
  }

  /** The newest `limit` entries, newest first; an unreadable line is skipped, not fatal. */
  async recent(limit: number): Promise<AuditEntry[]> {
    const raw = await this.redis.lrange(keys.adminAudit(), 0, limit - 1);
    return raw.flatMap((line) => {
      const parsed = auditEntrySchema.safeParse(safeJson(line));
      return parsed.success ? [parsed.data] : [];
    });
  }
}
