/**
 * Buyer and wallet commands: `/user` (wallet, ledger, last orders) and `/credit` (a manual
 * credit or debit with a reason, recorded in the ledger as `manual` by the admin).
 */
import { msg, type Msg } from "../core/message.js";
import { textReply } from "../core/reply.js";
import { formatRupiah, type Rupiah } from "../core/money.js";
import { ledgerIds } from "../commerce/ledger-ids.js";
import type { LedgerEntry, LedgerReason } from "../commerce/wallet.js";
import { keys } from "../store/keys.js";
import { buyerChat } from "./buyer-chat.js";
import { answer, type AdminServices, type CommandContext, type CommandHandler } from "./command-context.js";
import { formatDateTime, orderLine } from "./format.js";

const ledgerReasons: Record<LedgerReason, Msg> = {
  topup: msg("admin-ledger-topup"),
  purchase: msg("admin-ledger-purchase"),
  refund: msg("admin-ledger-refund"),
  manual: msg("admin-ledger-manual"),
  late_payment: msg("admin-ledger-late_payment"),
  overpayment: msg("admin-ledger-overpayment"),
  sandbox_topup: msg("admin-ledger-sandbox_topup"),
};

/** How much of a buyer `/user` shows. */
const ledgerShown = 10;
const ordersShown = 5;

/** `/user <id>`: each matching buyer's balance, newest ledger entries and orders. */
export const userCommand: CommandHandler<"user"> = async ({ user }, { services }) => {
  const found = await knownBuyers(services, user);
  if (found.length === 0) return answer("not_found", msg("admin-user-not-found", { user: user.join(" / ") }));
  const lines: Msg[] = [];
  for (const buyer of found) lines.push(...(await buyerLines(services, buyer)));
  return answer(`shown ${found.join(",")}`, ...lines);
};

/** `/credit <user> <amount> <reason>`: a manual credit (or, negative, a debit that never overdraws). */
export const creditCommand: CommandHandler<"credit"> = async ({ user, amount, reason }, context) => {
  const { services, actor } = context;
  const found = await knownBuyers(services, user);
  if (found.length === 0) return answer("not_found", msg("admin-user-not-found", { user: user.join(" / ") }));
  if (found.length > 1) return answer("ambiguous", msg("admin-user-ambiguous", { users: found.join(", ") }));
  const buyer = found[0]!;
  const result = await services.operations.credit(buyer, amount, { id: ledgerIds.manual(actor.messageKey), by: actor.id, reason });
  switch (result.kind) {
    case "applied":
      await tellBuyer(context, buyer, amount, result.balance);
      return answer("applied", msg("admin-credit-done", { buyer, amount: signedRupiah(amount), balance: formatRupiah(result.balance) }));
    case "duplicate":
      return answer("duplicate", msg("admin-credit-duplicate", { buyer, balance: formatRupiah(result.balance) }));
    case "insufficient":
      return answer("insufficient", msg("admin-credit-insufficient", { buyer, amount: signedRupiah(amount), balance: formatRupiah(result.balance) }));
  }
};

/** The buyer keys among `candidates` the shop knows: wrote to the bot, or has a wallet or orders. */
async function knownBuyers(services: AdminServices, candidates: readonly string[]): Promise<string[]> {
  const known = await Promise.all(
    candidates.map(async (buyer) => {
      const [member, traces] = await Promise.all([
        services.redis.sismember(keys.buyers(), buyer),
        services.redis.exists(keys.wallet(buyer), keys.ledger(buyer), keys.ordersOfBuyer(buyer)),
      ]);
      return member === 1 || traces > 0;
    }),
  );
  return candidates.filter((_, index) => known[index]);
}

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
  return msg("admin-user-ledger-line", { date: formatDateTime(entry.at), amount: signedRupiah(entry.amount), reason: ledgerReasons[entry.reason], detail: detail || "-" });
}

/** `+Rp 5.000` / `-Rp 5.000`: a ledger movement reads better with its sign. */
function signedRupiah(amount: Rupiah): string {
  return amount > 0 ? `+${formatRupiah(amount)}` : formatRupiah(amount);
}

/** Tells the buyer their balance changed (not the admin's reason: that is for the shop's books). */
async function tellBuyer({ services, locale }: CommandContext, buyer: string, amount: Rupiah, balance: Rupiah): Promise<void> {
  const chat = buyerChat(buyer);
  if (!chat) return;
  try {
    const saved = await services.sessions.load(`${chat.channel}:${chat.chatId}`);
    const line =
      amount > 0
        ? msg("admin-buyer-credited", { amount: formatRupiah(amount), balance: formatRupiah(balance) })
        : msg("admin-buyer-debited", { amount: formatRupiah(-amount), balance: formatRupiah(balance) });
    await services.outbox.send({ ...chat, locale: saved.locale ?? locale }, [textReply(line)]);
  } catch (error) {
    services.logger.warn({ buyer, err: error instanceof Error ? error.message : String(error) }, "could not tell the buyer about a manual credit");
  }
}
