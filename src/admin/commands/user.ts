/**
 * `/user <id>`: each matching buyer's balance, newest ledger entries and orders.
 */
import { z } from "zod";
import { msg, type Msg } from "../../core/message.js";
import { formatRupiah } from "../../core/money.js";
import type { LedgerEntry, LedgerReason } from "../../commerce/wallet.js";
import { formatDateTime, formatSignedRupiah, orderLine } from "../format.js";
import { answer } from "./answer.js";
import { userRef, words } from "./args.js";
import { defineAdminCommand } from "./command.js";
import type { AdminServices } from "./context.js";
import { knownBuyers } from "./known-buyers.js";

const ledgerReasons: Record<LedgerReason, Msg> = {
  topup: msg("admin-ledger-topup"),
  purchase: msg("admin-ledger-purchase"),
  refund: msg("admin-ledger-refund"),
  manual: msg("admin-ledger-manual"),
  late_payment: msg("admin-ledger-late_payment"),
  overpayment: msg("admin-ledger-overpayment"),
  sandbox_topup: msg("admin-ledger-sandbox_topup"),
  referral: msg("admin-ledger-referral"),
  referral_reversal: msg("admin-ledger-referral_reversal"),
};

/** How much of a buyer `/user` shows. */
const ledgerShown = 10;
const ordersShown = 5;

export const userCommand = defineAdminCommand({
  name: "user",
  args: words.pipe(z.tuple([userRef])).transform(([user]) => ({ user })),
  usage: msg("admin-usage-user"),
  run: async ({ user }, { services }) => {
    const found = await knownBuyers(services, user);
    if (found.length === 0) return answer("not_found", msg("admin-user-not-found", { user: user.join(" / ") }));
    const lines: Msg[] = [];
    for (const buyer of found) lines.push(...(await buyerLines(services, buyer)));
    return answer(`shown ${found.join(",")}`, ...lines);
  },
});

async function buyerLines(services: AdminServices, buyer: string): Promise<Msg[]> {
  const [balance, ledger, orders] = await Promise.all([services.wallet.balance(buyer), services.wallet.ledger(buyer, ledgerShown), services.orders.ofBuyer(buyer, ordersShown)]);
  return [
    msg("admin-user-head", { buyer, balance: formatRupiah(balance) }),
    ...(ledger.length > 0 ? [msg("admin-user-ledger-title"), ...ledger.map(ledgerLine)] : [msg("admin-user-ledger-empty")]),
    ...(orders.length > 0 ? [msg("admin-user-orders-title"), ...orders.map(orderLine)] : [msg("admin-user-orders-empty")]),
  ];
}

function ledgerLine(entry: LedgerEntry): Msg {
  const detail = [entry.orderId, entry.note, entry.by].filter((part) => part !== undefined && part !== "").join(" · ");
  return msg("admin-user-ledger-line", { date: formatDateTime(entry.at), amount: formatSignedRupiah(entry.amount), reason: ledgerReasons[entry.reason], detail: detail || "-" });
}
