/**
 * `/stats`: orders, revenue, cost and profit (after referral rewards) over a period, per
 * provider, and the best-selling products. Read from the orders index by creation time; only delivered orders count as revenue
 * (a refunded or failed order earned nothing, an open one has not yet).
 */
import type { Rupiah } from "../core/money.js";
import type { Order, OrderStatus } from "../commerce/orders.js";
import type { ProviderId } from "../providers/types.js";

/** The periods `/stats` knows. */
export const statsPeriods = ["today", "7d", "30d"] as const;
/** A `/stats` period. */
export type StatsPeriod = (typeof statsPeriods)[number];

/** Jakarta is UTC+7 all year (no daylight saving), so "today" is a fixed offset away. */
const jakartaOffsetMs = 7 * 60 * 60_000;
const dayMs = 24 * 60 * 60_000;

/** When a period starts: midnight in Jakarta for `today`, else 7 or 30 days back. */
export function periodStart(period: StatsPeriod, now = Date.now()): number {
  if (period === "today") return Math.floor((now + jakartaOffsetMs) / dayMs) * dayMs - jakartaOffsetMs;
  return now - (period === "7d" ? 7 : 30) * dayMs;
}

/** Units sold and their money. */
export interface MoneyTotals {
  count: number;
  revenue: Rupiah;
  cost: Rupiah;
  profit: Rupiah;
}

/** The figures `/stats` shows. */
export interface Stats {
  /** Orders created in the period, by what became of them. */
  orders: { total: number; delivered: number; failed: number; open: number; unpaid: number };
  /** Delivered orders only. */
  sales: MoneyTotals;
  providers: ({ provider: ProviderId } & MoneyTotals)[];
  top: ({ code: string; name: string } & MoneyTotals)[];
  /**
   * What delivered orders gave away (issue 17): tier and voucher discounts, each with the orders
   * that had one. Revenue and profit are already after them (an order's price is what was paid);
   * these lines say how much of the normal price was not charged.
   */
  discounts: { tier: Rupiah; tierOrders: number; voucher: Rupiah; voucherOrders: number };
  /**
   * Referral rewards earned by delivered orders (issue 17), with the orders that earned one.
   * Profit (in every total) is after them: the reward is money the shop gave away.
   */
  referral: { amount: Rupiah; orders: number };
}

const failedStatuses: ReadonlySet<OrderStatus> = new Set(["failed", "refunded"]);
const openStatuses: ReadonlySet<OrderStatus> = new Set(["paid", "placing", "pending"]);

/** Sums orders created at or after `since`; `topCount` best sellers by units, then revenue. */
export function computeStats(orders: readonly Order[], since: number, topCount = 5): Stats {
  const inPeriod = orders.filter((order) => order.createdAt >= since);
  const delivered = inPeriod.filter((order) => order.status === "delivered");
  const byProvider = new Map<ProviderId, MoneyTotals>();
  const byProduct = new Map<string, { code: string; name: string } & MoneyTotals>();
  const sales = empty();
  const discounts = { tier: 0, tierOrders: 0, voucher: 0, voucherOrders: 0 };
  const referral = { amount: 0, orders: 0 };
  for (const order of delivered) {
    if (order.pricing && order.pricing.tierDiscount !== 0) {
      discounts.tier += order.pricing.tierDiscount;
      discounts.tierOrders += 1;
    }
    if (order.pricing?.voucher) {
      discounts.voucher += order.pricing.voucher.discount;
      discounts.voucherOrders += 1;
    }
    if (order.referral && order.referral.reward > 0) {
      referral.amount += order.referral.reward;
      referral.orders += 1;
    }
    add(sales, order);
    add(byProvider.get(order.product.provider) ?? setNew(byProvider, order.product.provider, empty()), order);
    const product = byProduct.get(order.product.code) ?? setNew(byProduct, order.product.code, { code: order.product.code, name: order.product.name, ...empty() });
    add(product, order);
  }
  return {
    orders: {
      total: inPeriod.length,
      delivered: delivered.length,
      failed: inPeriod.filter((order) => failedStatuses.has(order.status)).length,
      open: inPeriod.filter((order) => openStatuses.has(order.status)).length,
      unpaid: inPeriod.filter((order) => order.status === "awaiting_payment" || order.status === "expired").length,
    },
    sales,
    providers: [...byProvider].map(([provider, totals]) => ({ provider, ...totals })).sort((a, b) => b.revenue - a.revenue),
    top: [...byProduct.values()].sort((a, b) => b.count - a.count || b.revenue - a.revenue).slice(0, topCount),
    discounts,
    referral,
  };
}

function empty(): MoneyTotals {
  return { count: 0, revenue: 0, cost: 0, profit: 0 };
}

function add(totals: MoneyTotals, order: Order): void {
  totals.count += 1;
  totals.revenue += order.price;
  totals.cost += order.cost;
  totals.profit += order.price - order.cost - (order.referral?.reward ?? 0);
}

function setNew<K, V>(map: Map<K, V>, key: K, value: V): V {
  map.set(key, value);
  return value;
}
