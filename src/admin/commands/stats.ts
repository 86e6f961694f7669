/**
 * `/stats [today|7d|30d]`: orders and money over the period.
 */
import { z } from "zod";
import { msg, type Msg } from "../../core/message.js";
import { formatRupiah } from "../../core/money.js";
import { keys } from "../../store/keys.js";
import { computeStats, periodStart, statsPeriods, type Stats, type StatsPeriod } from "../stats.js";
import { answer } from "./answer.js";
import { keyword, words } from "./args.js";
import { defineAdminCommand } from "./command.js";

const periods: Record<StatsPeriod, Msg> = {
  today: msg("admin-stats-period-today"),
  "7d": msg("admin-stats-period-7d"),
  "30d": msg("admin-stats-period-30d"),
};

export const statsCommand = defineAdminCommand({
  name: "stats",
  args: words
    .pipe(z.union([z.tuple([]), z.tuple([keyword.pipe(z.enum(statsPeriods))])]))
    .transform((parts) => ({ period: parts[0] ?? ("today" as const) })),
  usage: msg("admin-usage-stats"),
  run: async ({ period }, { services }) => {
    const since = periodStart(period);
    // The index is scored by creation time: count the period, then load exactly that many newest.
    const count = await services.redis.zcount(keys.ordersAll(), since, "+inf");
    const stats = computeStats(count > 0 ? await services.orders.recent(count) : [], since);
    // Gateway fees the shop bore (QRIS_FEE_PAYER=shop, or a gateway that charges the merchant).
    const fees = await services.payments.gatewayFeesSince(since);
    const lines = statsLines(stats, periods[period]);
    if (fees > 0) lines.splice(3, 0, msg("admin-stats-gateway-fees", { fees: formatRupiah(fees), profit: formatRupiah(stats.sales.profit - fees) }));
    return answer("shown", ...lines);
  },
});

function statsLines(stats: Stats, period: Msg): Msg[] {
  const money = (totals: { revenue: number; cost: number; profit: number }) => ({
    revenue: formatRupiah(totals.revenue),
    cost: formatRupiah(totals.cost),
    profit: formatRupiah(totals.profit),
  });
  const lines: Msg[] = [msg("admin-stats-title", { period }), msg("admin-stats-orders", { ...stats.orders }), msg("admin-stats-money", money(stats.sales))];
  // Discounts as their own lines (issue 17); the profit above is already after them.
  const { discounts } = stats;
  lines.push(msg("admin-stats-discount-voucher", { amount: formatRupiah(discounts.voucher), count: discounts.voucherOrders }));
  lines.push(msg("admin-stats-discount-tier", { amount: formatRupiah(discounts.tier), count: discounts.tierOrders }));
  // Referral rewards as their own line (issue 17); the profit above is already after them.
  lines.push(msg("admin-stats-referral", { amount: formatRupiah(stats.referral.amount), count: stats.referral.orders }));
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
