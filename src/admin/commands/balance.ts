/**
 * `/balance`: every enabled provider's reseller balance, in its currency and in rupiah, flagged
 * below LOW_BALANCE_IDR.
 */
import { msg, type Msg } from "../../core/message.js";
import { formatRupiah } from "../../core/money.js";
import type { ProviderBalance } from "../../providers/types.js";
import type { BalanceReport } from "../provider-watch.js";
import { answer } from "./answer.js";
import { nothing } from "./args.js";
import { defineAdminCommand } from "./command.js";

export const balanceCommand = defineAdminCommand({
  name: "balance",
  args: nothing,
  usage: msg("admin-usage-balance"),
  run: async (_args, { services }) => {
    const reports = await services.watch.balances();
    const lines: Msg[] = [msg("admin-balance-title")];
    for (const report of reports) lines.push(...balanceLines(report, services.lowBalance));
    const low = reports.filter((report) => report.ok && report.low).length;
    return answer(low > 0 ? `low ${low}` : "ok", ...lines);
  },
});

function balanceLines(report: BalanceReport, lowBalance: number): Msg[] {
  if (!report.ok) return [msg("admin-balance-error", { provider: report.provider, code: report.code })];
  const { balance } = report;
  const line =
    balance.currency === "IDR"
      ? msg("admin-balance-line-idr", { provider: report.provider, idr: formatRupiah(balance.idr) })
      : msg("admin-balance-line", { provider: report.provider, amount: inOwnCurrency(balance), idr: formatRupiah(balance.idr) });
  return report.low ? [line, msg("admin-balance-low", { threshold: formatRupiah(lowBalance) })] : [line];
}

/** A foreign balance as the provider keeps it; EUR arrives in cents (aluy). */
function inOwnCurrency(balance: ProviderBalance): string {
  return `€${(balance.amount / 100).toFixed(2)}`;
}
