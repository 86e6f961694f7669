/**
 * `/reconcile [provider] [today|7d]`: our orders against each provider's own records over the
 * period, and the mismatches — charged there with no order here, delivered here but failed
 * there, failed here but charged there, a cost differing from the one recorded. Providers whose
 * API keeps a history (capability `history`) are read in pages; the others are asked order by
 * order, at most a few, one after another. Answers order ids, references and amounts only.
 */
import { z } from "zod";
import { defaultReconcileOptions, reconcileProvider, type Mismatch, type ReconcileReport } from "../../commerce/reconcile.js";
import { msg, type Msg } from "../../core/message.js";
import { formatRupiah } from "../../core/money.js";
import type { ProviderRecord } from "../../providers/types.js";
import { periodStart } from "../stats.js";
import { answer } from "./answer.js";
import { keyword, provider, words } from "./args.js";
import { defineAdminCommand } from "./command.js";

const reconcilePeriods = ["today", "7d"] as const;
type ReconcilePeriod = (typeof reconcilePeriods)[number];
const period = keyword.pipe(z.enum(reconcilePeriods));

const periodNames: Record<ReconcilePeriod, Msg> = {
  today: msg("admin-stats-period-today"),
  "7d": msg("admin-stats-period-7d"),
};

const theirStatus: Record<ProviderRecord["status"], Msg> = {
  success: msg("admin-reconcile-their-success"),
  pending: msg("admin-reconcile-their-pending"),
  unpaid: msg("admin-reconcile-their-unpaid"),
  failed: msg("admin-reconcile-their-failed"),
};

/** Mismatch lines listed in one answer; the rest are counted. */
const maxListed = 30;
/** A provider's reference is outside text: shown at most this long (the admin bot escapes it too). */
const maxRefChars = 48;

export const reconcileCommand = defineAdminCommand({
  name: "reconcile",
  args: words.pipe(
    z.union([
      z.tuple([]).transform(() => ({ provider: null, period: "today" as const })),
      z.tuple([provider]).transform(([id]) => ({ provider: id, period: "today" as const })),
      z.tuple([period]).transform(([over]) => ({ provider: null, period: over })),
      z.tuple([provider, period]).transform(([id, over]) => ({ provider: id, period: over })),
    ]),
  ),
  usage: msg("admin-usage-reconcile"),
  run: async ({ provider: wanted, period: over }, { services }) => {
    const providers = wanted === null ? [...services.providers.values()] : [services.providers.get(wanted)].filter((p) => p !== undefined);
    if (providers.length === 0) return answer("not_enabled", msg("admin-reconcile-not-enabled", { provider: wanted ?? "-" }));
    const window = { from: periodStart(over), to: Date.now() };
    const reports: ReconcileReport[] = [];
    // One provider after another: the check is read-only but should not load every API at once.
    for (const provider of providers) reports.push(await reconcileProvider(provider, services.orders, window));

    const lines: Msg[] = [msg("admin-reconcile-title", { period: periodNames[over] })];
    let listed = 0;
    let total = 0;
    for (const report of reports) {
      if (!report.ok) {
        lines.push(msg("admin-reconcile-error", { provider: report.provider, code: report.code }));
        continue;
      }
      const counts = { provider: report.provider, checked: report.checked, orders: report.orders, count: report.mismatches.length };
      lines.push(report.method === "history" ? msg("admin-reconcile-provider", counts) : msg("admin-reconcile-provider-status", counts));
      if (report.method === "history" && !report.complete) lines.push(msg("admin-reconcile-incomplete", { provider: report.provider }));
      if (report.unchecked > 0) lines.push(msg("admin-reconcile-unchecked", { count: report.unchecked, max: defaultReconcileOptions.maxStatusChecks }));
      for (const mismatch of report.mismatches) {
        total++;
        if (listed < maxListed) {
          lines.push(mismatchLine(report.provider, mismatch));
          listed++;
        }
      }
    }
    if (total > listed) lines.push(msg("admin-reconcile-more", { count: total - listed }));
    const failed = reports.filter((report) => !report.ok).length;
    if (total === 0 && failed === 0) lines.push(msg("admin-reconcile-none"));
    return answer(total > 0 ? `mismatches ${total}` : failed > 0 ? `errors ${failed}` : "none", ...lines);
  },
});

function shortRef(ref: string): string {
  return ref.length > maxRefChars ? `${ref.slice(0, maxRefChars)}…` : ref;
}

function amount(value: number | null): string {
  return value === null ? "?" : formatRupiah(value);
}

function mismatchLine(provider: string, mismatch: Mismatch): Msg {
  switch (mismatch.kind) {
    case "charged-no-order":
      return msg("admin-reconcile-charged-no-order", {
        provider,
        ref: shortRef(mismatch.record.providerRef),
        amount: amount(mismatch.record.charged),
        status: theirStatus[mismatch.record.status],
      });
    case "delivered-but-failed-there":
      return msg("admin-reconcile-delivered-but-failed-there", {
        provider,
        order: mismatch.order.id,
        ref: shortRef(mismatch.record.providerRef),
        status: theirStatus[mismatch.record.status],
      });
    case "failed-here-but-charged-there":
      return msg("admin-reconcile-failed-here-but-charged-there", {
        provider,
        order: mismatch.order.id,
        ref: shortRef(mismatch.record.providerRef),
        ours: msg(`status-${mismatch.order.status}`),
        amount: amount(mismatch.record.charged),
      });
    case "cost-differs":
      return msg("admin-reconcile-cost-differs", {
        provider,
        order: mismatch.order.id,
        ref: shortRef(mismatch.record.providerRef),
        ours: formatRupiah(mismatch.order.cost),
        theirs: formatRupiah(mismatch.record.charged),
      });
    case "delivered-not-found-there":
      return msg("admin-reconcile-delivered-not-found-there", { provider, order: mismatch.order.id, ref: mismatch.order.refId });
  }
}
