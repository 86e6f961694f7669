/**
 * Provider commands: `/balance` (reseller balances, flagged below LOW_BALANCE_IDR) and
 * `/deposit` (a QRIS to top the reseller balance up, posted in the group as an image).
 */
import { msg, type Msg } from "../core/message.js";
import { formatRupiah } from "../core/money.js";
import { renderQrPng } from "../payments/qr-image.js";
import { ProviderError } from "../providers/errors.js";
import type { ProviderBalance } from "../providers/types.js";
import { answer, type CommandHandler } from "./command-context.js";
import type { BalanceReport } from "./provider-watch.js";

/** `/balance`: every enabled provider's balance, in its currency and in rupiah. */
export const balanceCommand: CommandHandler<"balance"> = async (_command, { services }) => {
  const reports = await services.watch.balances();
  const lines: Msg[] = [msg("admin-balance-title")];
  for (const report of reports) lines.push(...balanceLines(report, services.lowBalance));
  const low = reports.filter((report) => report.ok && report.low).length;
  return answer(low > 0 ? `low ${low}` : "ok", ...lines);
};

/** `/deposit <provider> <amount>`: creates a deposit at the provider and shows its QRIS. */
export const depositCommand: CommandHandler<"deposit"> = async ({ provider: id, amount }, { services }) => {
  const provider = services.providers.get(id);
  if (!provider?.deposit) return answer("unsupported", msg("admin-deposit-unsupported", { provider: id }));
  try {
    const deposit = await provider.deposit(amount);
    return {
      replies: [
        {
          kind: "photo",
          png: await renderQrPng(deposit.qrisPayload),
          caption: msg("admin-deposit-caption", { provider: id, id: deposit.depositId, amount: formatRupiah(deposit.amount) }),
        },
      ],
      result: `created ${deposit.depositId}`,
    };
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    // The code only: a provider's message may quote the request.
    return answer(`failed ${error.code}`, msg("admin-deposit-failed", { provider: id, code: error.code }));
  }
};

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
