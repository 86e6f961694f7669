/**
 * "Perpanjang": a buyer renews a subscription (aluy VPS) from the wallet. The debit's ledger id
 * names the paid-until date it extends (`ledgerIds.renewal`), so a repeated or retried renewal of
 * the same period pays once; the new date is then set by compare-and-set from that same date, and
 * the provider is asked to line its renewal up (`Provider.syncSubscription`: aluy resumes renewal
 * now and cancels it again once the new period has started). A sync that fails is left to the
 * subscriptions sweep. A month costs the normal monthly price at the buyer's tier now, floored
 * at the month's cost (issue 17; {@link renewalMonthly}).
 *
 * Paid by QRIS (`renewPaid`): the payment is a top-up of the renewal price that names the order
 * and the paid-until date it extends; once its money is credited, the same debit and the same
 * compare-and-set apply it. A repeated confirmation finds that debit applied and the date moved
 * on, and changes nothing; a VPS renewed meanwhile (that debit taken by the wallet path) or
 * lapsed keeps the money in the wallet.
 */
import type { Logger } from "pino";
import type { RenewalQuote, RenewalResult, Renewals } from "../core/buyer-feature.js";
import { bareError } from "../core/bare-error.js";
import { orderUnits } from "../providers/inputs.js";
import type { Provider, ProviderId } from "../providers/types.js";
import { ledgerIds } from "./ledger-ids.js";
import type { Order, OrderStore } from "./orders.js";
import { tierUnitPrice, type PriceTier } from "./price-quote.js";
import type { Wallet } from "./wallet.js";

export interface RenewalsDeps {
  orders: Pick<OrderStore, "get" | "update">;
  wallet: Pick<Wallet, "debit" | "balance" | "hasEntry">;
  providers: ReadonlyMap<ProviderId, Provider>;
  logger: Logger;
  /**
   * The buyer's price tier now (issue 17: every price a buyer sees is their tier's); absent or
   * null: the normal monthly price.
   */
  tierOf?: (buyer: string) => Promise<PriceTier | null>;
}

/** `at` plus `months` calendar months (UTC). */
function addMonths(at: number, months: number): number {
  const date = new Date(at);
  date.setUTCMonth(date.getUTCMonth() + months);
  return date.getTime();
}

export class WalletRenewals implements Renewals {
  constructor(private readonly deps: RenewalsDeps) {}

  /** A month's renewal at the buyer's tier (see {@link renewalMonthly}). */
  async quote(buyer: string, orderId: string): Promise<RenewalQuote> {
    const order = await this.renewable(buyer, orderId);
    if ("kind" in order) return order;
    return { kind: "quote", monthly: await this.monthly(order), expiresAt: order.expiresAt! };
  }

  async renew(buyer: string, orderId: string, months: number): Promise<RenewalResult> {
    if (!Number.isInteger(months) || months < 1 || months > 12) throw new RangeError(`renewal months must be 1-12, got ${months}`);
    const order = await this.renewable(buyer, orderId);
    if ("kind" in order) return order;
    const from = order.expiresAt!;
    const price = (await this.monthly(order)) * months;
    const paid = await this.deps.wallet.debit(buyer, price, { id: ledgerIds.renewal(order.id, from), reason: "purchase", orderId: order.id, note: `renewal: ${months} month(s)` });
    if (!paid.ok) return { kind: "insufficient", price, balance: paid.balance };
    const expiresAt = await this.extend(order, from, months, price);
    return { kind: "renewed", price, balance: paid.balance, expiresAt };
  }

  /**
   * Applies a renewal already paid into the wallet (a confirmed QRIS payment): extends the period
   * that ended at `from` by `months` for `price`, once. `applied` is true when this call took the
   * money. "kept" (the money stays in the wallet) when the order is not the buyer's delivered
   * subscription any more, its paid-until date moved on (renewed meanwhile, or by an earlier
   * call), it lapsed before the money was taken, or the balance no longer covers the price.
   */
  async renewPaid(buyer: string, orderId: string, renewal: { from: number; months: number; price: number }): Promise<{ kind: "renewed"; applied: boolean; expiresAt: number; balance: number } | { kind: "kept"; balance: number }> {
    const { from, months, price } = renewal;
    const kept = async () => ({ kind: "kept" as const, balance: await this.deps.wallet.balance(buyer) });
    const order = await this.deps.orders.get(orderId);
    if (!order || order.buyer !== buyer || order.status !== "delivered" || !order.providerRef || order.expiresAt !== from) return kept();
    const debitId = ledgerIds.renewal(order.id, from);
    // Taken already (a crash before the date moved): finish it even if the period has ended since.
    const taken = await this.deps.wallet.hasEntry(buyer, debitId);
    if (!taken && from <= Date.now()) return kept();
    const paid = await this.deps.wallet.debit(buyer, price, { id: debitId, reason: "purchase", orderId: order.id, note: `renewal: ${months} month(s), QRIS` });
    if (!paid.ok) return kept();
    const expiresAt = await this.extend(order, from, months, price);
    return { kind: "renewed", applied: paid.applied, expiresAt, balance: paid.balance };
  }

  private async monthly(order: Order): Promise<number> {
    return renewalMonthly(order, (await this.deps.tierOf?.(order.buyer)) ?? null);
  }

  /**
   * Moves the paid-until date from `from` by `months` (compare-and-set) and lines the provider up;
   * the new date. The order's price, cost and months grow by the renewal's; when the renewal was
   * at a tier price (or the order already had pricing lines), its normal price and tier discount
   * join the order's `pricing`, so `/stats` keeps showing the discount as its own line.
   */
  private async extend(order: Order, from: number, months: number, price: number): Promise<number> {
    const renewed = await this.deps.orders.update(order.id, (current) => {
      if (current.expiresAt !== from) return {};
      const { list, cost } = monthlyTerms(current);
      const renewalList = list * months;
      const pricing =
        current.pricing || renewalList !== price
          ? { pricing: { ...(current.pricing ?? { list: current.price, tierDiscount: 0 }), list: (current.pricing?.list ?? current.price) + renewalList, tierDiscount: (current.pricing?.tierDiscount ?? 0) + renewalList - price } }
          : {};
      return {
        expiresAt: addMonths(from, months),
        price: current.price + price,
        cost: current.cost + cost * months,
        renewedMonths: (current.renewedMonths ?? 0) + months,
        ...pricing,
      };
    });
    const expiresAt = renewed?.expiresAt ?? addMonths(from, months);
    await this.syncProvider(renewed ?? order, expiresAt);
    return expiresAt;
  }

  /** The buyer's delivered subscription order that has not lapsed, or why not. */
  private async renewable(buyer: string, orderId: string): Promise<Order | { kind: "not_found" } | { kind: "lapsed" }> {
    const order = await this.deps.orders.get(orderId);
    if (!order || order.buyer !== buyer || order.status !== "delivered" || order.expiresAt === undefined || !order.providerRef) return { kind: "not_found" };
    if (order.expiresAt <= Date.now()) return { kind: "lapsed" };
    return order;
  }

  private async syncProvider(order: Order, paidUntil: number): Promise<void> {
    const provider = this.deps.providers.get(order.product.provider);
    if (!provider?.syncSubscription || !order.providerRef) return;
    try {
      await provider.syncSubscription({ providerRef: order.providerRef, paidUntil });
    } catch (error) {
      this.deps.logger.warn({ orderId: order.id, err: bareError(error) }, "renewal paid, provider not synced yet; the subscriptions sweep tries again");
    }
  }
}

/**
 * A month of the subscription at its normal price and its cost, from the order: the normal price
 * (`pricing.list`, or the price when the order never had a discount) and the cost over every month
 * paid so far (ordered + renewed). The first order's voucher was for that order only, so it is not
 * carried into renewals. Whole rupiah.
 */
export function monthlyTerms(order: Pick<Order, "price" | "cost" | "pricing" | "inputs" | "renewedMonths">): { list: number; cost: number } {
  const months = orderUnits(order.inputs) + (order.renewedMonths ?? 0);
  const list = order.pricing?.list ?? order.price;
  return { list: Math.round(list / months), cost: Math.round(order.cost / months) };
}

/**
 * A month's renewal price at `tier` (issue 17): the normal monthly price adjusted by the tier,
 * never below the monthly cost (unless the normal price already is).
 *
 * @example
 * renewalMonthly(order, { name: "vip", percent: -5 }); // 100.000 normal, 90.000 cost → 95.000
 */
export function renewalMonthly(order: Pick<Order, "price" | "cost" | "pricing" | "inputs" | "renewedMonths">, tier: PriceTier | null): number {
  const { list, cost } = monthlyTerms(order);
  return tierUnitPrice(list, cost, tier);
}
