/**
 * Reconciliation: our orders of one provider over a time window against the provider's own
 * records, and the mismatches between them (`/reconcile`).
 *
 * - `compareWithProvider` is the pure comparison.
 * - `reconcileProvider` gathers both sides: the provider's history where its API keeps one
 *   (`Provider.history`: ICS-Store getHistory, aluy GET /orders), else a bounded, sequential
 *   `getStatus` per final order of ours (so a provider is never hammered). Read-only throughout.
 *
 * A mismatch carries order ids, references, statuses and amounts only: never buyer targets,
 * delivered details or anything else from the order.
 */
import type { Rupiah } from "../core/money.js";
import { isProviderError } from "../providers/errors.js";
import type { Provider, ProviderId, ProviderRecord } from "../providers/types.js";
import type { Order, OrderStatus, OrderStore } from "./orders.js";

/** What a mismatch says about one of our orders. */
export interface OrderBrief {
  id: string;
  refId: string;
  status: OrderStatus;
  /** The provider cost recorded on the order, in rupiah. */
  cost: Rupiah;
}

export type Mismatch =
  /** The provider took money (done or under way) for something no order of ours accounts for. */
  | { kind: "charged-no-order"; record: ProviderRecord }
  /** We delivered; the provider's record says it failed or was never paid. */
  | { kind: "delivered-but-failed-there"; order: OrderBrief; record: ProviderRecord }
  /** Failed, refunded or never paid here, yet the provider charged for it. */
  | { kind: "failed-here-but-charged-there"; order: OrderBrief; record: ProviderRecord }
  /** The provider charged a different amount than the cost recorded on the order. */
  | { kind: "cost-differs"; order: OrderBrief; record: ProviderRecord & { charged: Rupiah } }
  /** Delivered here, and a complete history of the window has no record of it. */
  | { kind: "delivered-not-found-there"; order: OrderBrief };

export type MismatchKind = Mismatch["kind"];

export interface ComparisonInput {
  /** Epoch ms, inclusive. */
  window: { from: number; to: number };
  /** Our orders of this provider: those created in the window, plus any a record named. */
  orders: readonly Order[];
  /** The provider's records (some may lie a little outside the window). */
  records: readonly ProviderRecord[];
  /** True when `records` hold every record of the window (see `ProviderHistory.complete`). */
  complete: boolean;
}

/** Our states in which the provider should not have kept money: the order failed or was never paid. */
const notBoughtHere: ReadonlySet<OrderStatus> = new Set(["failed", "refunded", "expired", "awaiting_payment"]);

/** The provider took money for the record (done, or under way). */
export function isCharged(record: ProviderRecord): boolean {
  return record.status === "success" || record.status === "pending";
}

/** Compares both sides; mismatches in the order of the records, then orders missing there. */
export function compareWithProvider(input: ComparisonInput): Mismatch[] {
  const { window, orders, records, complete } = input;
  const byRefId = new Map(orders.map((order) => [order.refId, order]));
  const byProviderRef = new Map(orders.flatMap((order) => (order.providerRef ? [[order.providerRef, order] as const] : [])));
  const seen = new Set<string>();
  const chargedFor = new Set<string>();
  const mismatches: Mismatch[] = [];
  // Only the start bounds a stray charge: one stamped after the end (a clock or a time zone read
  // differently) is still money taken, and the window always ends now.
  const inWindow = (at: number | null) => at === null || at >= window.from;

  for (const record of records) {
    const order = (record.refId !== undefined ? byRefId.get(record.refId) : undefined) ?? byProviderRef.get(record.providerRef);
    if (!order) {
      if (isCharged(record) && inWindow(record.at)) mismatches.push({ kind: "charged-no-order", record });
      continue;
    }
    seen.add(order.id);
    const brief = briefOf(order);
    if (isCharged(record)) {
      // One order, one purchase: a second charge for it is money no order accounts for.
      if (chargedFor.has(order.id)) {
        mismatches.push({ kind: "charged-no-order", record });
        continue;
      }
      chargedFor.add(order.id);
      if (notBoughtHere.has(order.status)) mismatches.push({ kind: "failed-here-but-charged-there", order: brief, record });
      else if (record.charged !== null && record.charged !== order.cost) {
        mismatches.push({ kind: "cost-differs", order: brief, record: { ...record, charged: record.charged } });
      }
    } else if (order.status === "delivered") {
      mismatches.push({ kind: "delivered-but-failed-there", order: brief, record });
    }
  }

  if (complete) {
    for (const order of orders) {
      if (order.status === "delivered" && !seen.has(order.id) && order.createdAt >= window.from && order.createdAt <= window.to) {
        mismatches.push({ kind: "delivered-not-found-there", order: briefOf(order) });
      }
    }
  }
  return mismatches;
}

function briefOf(order: Order): OrderBrief {
  return { id: order.id, refId: order.refId, status: order.status, cost: order.cost };
}

// ---------------------------------------------------------------------------------------------

/** What one provider's reconciliation found. */
export type ReconcileReport =
  | {
      provider: ProviderId;
      ok: true;
      /** `history`: the provider's records; `status`: our orders checked one by one. */
      method: "history" | "status";
      /** Records read (history) or orders checked (status). */
      checked: number;
      /** Orders of ours in the window. */
      orders: number;
      /** Orders that could have been checked one by one but were left out by the bound. */
      unchecked: number;
      /** History read in full over the window (always false for `status`). */
      complete: boolean;
      mismatches: Mismatch[];
    }
  | { provider: ProviderId; ok: false; code: string };

export interface ReconcileOptions {
  /** At most this many `getStatus` calls for a provider without history (sequential). */
  maxStatusChecks: number;
  /** At most this many of our orders read for the window. */
  maxOrders: number;
  /** At most this many orders looked up because a record named them (refId or reference). */
  maxLookups: number;
}

export const defaultReconcileOptions: ReconcileOptions = { maxStatusChecks: 20, maxOrders: 2_000, maxLookups: 200 };

/** Our refIds are `WB` + the order id's tail (`orders.ts`), so a record naming one names its order. */
const ourRefId = /^WB[A-Z0-9]{8,}$/;

/** States whose order a per-order check is worth asking about: the provider's word is final by then. */
const checkedOneByOne: ReadonlySet<OrderStatus> = new Set(["delivered", "failed", "refunded"]);

/**
 * Reconciles one provider over `window`. Never throws on a provider error: the report says which.
 */
export async function reconcileProvider(
  provider: Provider,
  orders: Pick<OrderStore, "createdBetween" | "get" | "findByProviderRef">,
  window: { from: number; to: number },
  options: ReconcileOptions = defaultReconcileOptions,
): Promise<ReconcileReport> {
  const ours = (await orders.createdBetween(window.from, window.to, options.maxOrders)).filter((order) => order.product.provider === provider.id);
  try {
    if (provider.history) {
      const history = await provider.history(window);
      const all = [...ours, ...(await ordersNamedBy(provider.id, history.records, ours, orders, options.maxLookups))];
      return {
        provider: provider.id,
        ok: true,
        method: "history",
        checked: history.records.length,
        orders: ours.length,
        unchecked: 0,
        complete: history.complete,
        mismatches: compareWithProvider({ window, orders: all, records: history.records, complete: history.complete }),
      };
    }
    const candidates = ours.filter((order) => order.providerRef && checkedOneByOne.has(order.status));
    const checked = candidates.slice(0, options.maxStatusChecks);
    const records: ProviderRecord[] = [];
    for (const order of checked) {
      const outcome = await provider.getStatus({ providerRef: order.providerRef!, refId: order.refId, product: { ...order.product } });
      records.push({
        providerRef: order.providerRef!,
        refId: order.refId,
        // A VPS whose provisioning is stuck is charged there and not delivered yet: pending.
        status: outcome.state === "stuck" ? "pending" : outcome.state,
        charged: null,
        at: null,
      });
    }
    return {
      provider: provider.id,
      ok: true,
      method: "status",
      checked: checked.length,
      orders: ours.length,
      unchecked: candidates.length - checked.length,
      complete: false,
      mismatches: compareWithProvider({ window, orders: ours, records, complete: false }),
    };
  } catch (error) {
    if (!isProviderError(error)) throw error;
    return { provider: provider.id, ok: false, code: error.code };
  }
}

/**
 * Orders outside the window that a charged record names (an order created just before the
 * window, bought just after it): found by our refId, or by the provider's reference index.
 */
async function ordersNamedBy(
  provider: ProviderId,
  records: readonly ProviderRecord[],
  known: readonly Order[],
  orders: Pick<OrderStore, "get" | "findByProviderRef">,
  max: number,
): Promise<Order[]> {
  const knownRefs = new Set(known.flatMap((order) => [order.refId, ...(order.providerRef ? [order.providerRef] : [])]));
  const found = new Map<string, Order>();
  let lookups = 0;
  for (const record of records) {
    if (!isCharged(record) && record.status !== "failed") continue;
    if ((record.refId && knownRefs.has(record.refId)) || knownRefs.has(record.providerRef)) continue;
    if (lookups >= max) break;
    lookups++;
    const id = record.refId && ourRefId.test(record.refId) ? `ORD-${record.refId.slice(2)}` : await orders.findByProviderRef(provider, record.providerRef);
    if (!id || found.has(id)) continue;
    const order = await orders.get(id);
    if (order && order.product.provider === provider) {
      found.set(id, order);
      knownRefs.add(order.refId);
      if (order.providerRef) knownRefs.add(order.providerRef);
    }
  }
  return [...found.values()];
}
