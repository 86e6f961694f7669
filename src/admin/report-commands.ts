/**
 * Reading commands: `/help`, `/stats`, `/audit`.
 */
import { msg, type Msg } from "../core/message.js";
import { formatRupiah } from "../core/money.js";
import { keys } from "../store/keys.js";
import type { AuditEntry } from "./audit-log.js";
import { adminCommandNames, usages } from "./commands.js";
import { answer, type CommandHandler } from "./command-context.js";
import { formatDateTime } from "./format.js";
import { computeStats, periodStart, type Stats, type StatsPeriod } from "./stats.js";

const periods: Record<StatsPeriod, Msg> = {
  today: msg("admin-stats-period-today"),
  "7d": msg("admin-stats-period-7d"),
  "30d": msg("admin-stats-period-30d"),
};

/** `/help`: every admin command with its one-line usage. */
export const helpCommand: CommandHandler<"help"> = async () => answer("shown", msg("admin-help-title"), ...adminCommandNames.map((name) => usages[name]));

/** `/stats [today|7d|30d]`: orders and money over the period. */
export const statsCommand: CommandHandler<"stats"> = async ({ period }, { services }) => {
  const since = periodStart(period);
  // The index is scored by creation time: count the period, then load exactly that many newest.
  const count = await services.redis.zcount(keys.ordersAll(), since, "+inf");
  const stats = computeStats(count > 0 ? await services.orders.recent(count) : [], since);
  return answer("shown", ...statsLines(stats, periods[period]));
};

/** `/audit [n]`: the newest admin actions. */
export const auditCommand: CommandHandler<"audit"> = async ({ limit }, { services }) => {
  const entries = await services.audit.recent(limit);
  if (entries.length === 0) return answer("empty", msg("admin-audit-empty"));
  return answer(`listed ${entries.length}`, msg("admin-audit-title", { count: entries.length }), ...entries.map(auditLine));
};

function statsLines(stats: Stats, period: Msg): Msg[] {
  const money = (totals: { revenue: number; cost: number; profit: number }) => ({
    revenue: formatRupiah(totals.revenue),
    cost: formatRupiah(totals.cost),
    profit: formatRupiah(totals.profit),
  });
  const lines: Msg[] = [msg("admin-stats-title", { period }), msg("admin-stats-orders", { ...stats.orders }), msg("admin-stats-money", money(stats.sales))];
  if (stats.providers.length > 0) {
    lines.push(msg("admin-stats-providers-title"));
    for (const provider of stats.providers) lines.push(msg("admin-stats-provider", { provider: provider.provider, count: provider.count, ...money(provider) }));
  }
  if (stats.top.length > 0) {
    lines.push(msg("admin-stats-top-title"));
    for (const product of stats.top) lines.push(msg("admin-stats-top", { product: product.name, code: product.code, count: product.count, revenue: formatRupiah(product.revenue) }));
  }
  return lines;
}

function auditLine(entry: AuditEntry): Msg {
  return msg("admin-audit-line", {
    date: formatDateTime(entry.at),
    who: entry.name ? `${entry.by} (${entry.name})` : entry.by,
    command: entry.command,
    args: entry.args || "-",
    result: entry.result,
  });
}
