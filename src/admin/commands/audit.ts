/**
 * `/audit [n]`: the newest admin actions.
 */
import { z } from "zod";
import { msg, type Msg } from "../../core/message.js";
import type { AuditEntry } from "../audit-log.js";
import { formatDateTime } from "../format.js";
import { answer } from "./answer.js";
import { count, words } from "./args.js";
import { defineAdminCommand } from "./command.js";

export const auditCommand = defineAdminCommand({
  name: "audit",
  args: words.pipe(z.union([z.tuple([]), z.tuple([count(50)])])).transform((parts) => ({ limit: parts[0] ?? 10 })),
  usage: msg("admin-usage-audit"),
  run: async ({ limit }, { services }) => {
    const entries = await services.audit.recent(limit);
    if (entries.length === 0) return answer("empty", msg("admin-audit-empty"));
    return answer(`listed ${entries.length}`, msg("admin-audit-title", { count: entries.length }), ...entries.map(auditLine));
  },
});

function auditLine(entry: AuditEntry): Msg {
  return msg("admin-audit-line", {
    date: formatDateTime(entry.at),
    who: entry.name ? `${entry.by} (${entry.name})` : entry.by,
    command: entry.command,
    args: entry.args || "-",
    result: entry.result,
  });
}
