/**
 * The shop itself as one more provider: the owner's uploaded stock (accounts, vouchers, codes),
 * one item per unit sold. Buying takes the items the order holds (reserved when it reached
 * payment; reserved on the spot when it did not, e.g. after a late payment); a paid order that
 * finds none fails and is refunded through fulfilment's normal path, once.
 *
 * Besides the {@link Provider} contract it carries what the admin commands (`/stock`, `/replace`)
 * and the buyer side ("Kabari saya") change, so every change of stock goes through one object
 * that refreshes the catalog's counts, raises the low-stock alert once and tells waiting buyers.
 *
 * @example
 * const stock = new OwnStockProvider({ store, alerts, outbox, logger, onChange: () => catalog.refreshProvider("stock") });
 * await stock.create({ code: "NETFLIX1", name: "Netflix 1 bulan", price: 25_000 });
 * await stock.upload("NETFLIX1", ["a@b.c:pw"]);
 */
import type { Logger } from "pino";
import type { AdminAlerts } from "../../core/alerts.js";
import type { Recipient, Outbox } from "../../core/outbox.js";
import { msg } from "../../core/message.js";
import { textReply } from "../../core/reply.js";
import type {
  DeliveryItem,
  OrderOutcome,
  PlaceOrderRequest,
  Provider,
  ProviderBalance,
  ProviderProduct,
  ReserveRequest,
  StatusRef,
} from "../types.js";
import {
  maxOrderQuantity,
  type AddResult,
  type StockProduct,
  type StockProductView,
  type StockStore,
} from "./stock-store.js";

export interface OwnStockDeps {
  store: StockStore;
  alerts: AdminAlerts;
  outbox: Outbox;
  logger: Logger;
  /**
   * The stock changed: the catalog should read the counts again. Awaited after an admin's change
   * (the next buyer sees it), not after a sale (coalesced by the caller).
   */
  onChange?: () => Promise<void>;
  /** How long a hold made at purchase time (no earlier reservation) lasts; default a day. */
  purchaseHoldMs?: number;
}

/** Our order id from our reference: the order store makes `WB…` from `ORD-…` (`commerce/orders.ts`). */
function orderIdOfRef(refId: string): string {
  return refId.startsWith("WB") ? `ORD-${refId.slice(2)}` : refId;
}

export class OwnStockProvider implements Provider {
  readonly id = "stock" as const;
  readonly hasBalance = false;
  private refreshing: Promise<void> | null = null;
  private refreshAgain = false;

  constructor(private readonly deps: OwnStockDeps) {}

  /** The store, for reads the admin commands show. */
  get store(): StockStore {
    return this.deps.store;
  }

  async listProducts(): Promise<ProviderProduct[]> {
    const products = await this.deps.store.products();
    return products.filter((product) => !product.off).map(asProviderProduct);
  }

  getBalance(): Promise<ProviderBalance> {
    return Promise.resolve({ amount: 0, currency: "IDR", idr: 0 });
  }

  async reserve(request: ReserveRequest): Promise<boolean> {
    const quantity = Math.max(1, Math.min(request.quantity, maxOrderQuantity));
    const held = await this.deps.store.reserve(request.orderId, request.product.sku, quantity, request.untilMs);
    if (held.ok) await this.afterSale(request.product.sku, held.available);
    return held.ok;
  }

  async release(orderId: string): Promise<void> {
    if ((await this.deps.store.release(orderId)) > 0) this.changedSoon();
  }

  dueReservations(now: number, limit: number): Promise<string[]> {
    return this.deps.store.dueReservations(now, limit);
  }

  extendReservation(orderId: string, untilMs: number): Promise<void> {
    return this.deps.store.extendReservation(orderId, untilMs);
  }

  /** Takes the order's held items, holding them first when the order reached here without a hold. */
  async placeOrder(request: PlaceOrderRequest): Promise<OrderOutcome> {
    const code = request.product.sku;
    let items = await this.deps.store.take(request.orderId, code);
    if (!items) {
      const quantity = Math.max(1, Math.min(request.quantity ?? 1, maxOrderQuantity));
      const held = await this.deps.store.reserve(request.orderId, code, quantity, Date.now() + (this.deps.purchaseHoldMs ?? 24 * 60 * 60_000));
      if (!held.ok) return { state: "failed", reason: "sold out" };
      await this.afterSale(code, held.available);
      items = await this.deps.store.take(request.orderId, code);
      if (!items) return { state: "failed", reason: "sold out" };
    }
    return { state: "success", providerRef: request.orderId, delivery: deliveryOf(items) };
  }

  /** The items an order was given (the same ones on every call); failed when it holds none. */
  async getStatus(ref: StatusRef): Promise<OrderOutcome> {
    const orderId = ref.providerRef.startsWith("ORD-") ? ref.providerRef : orderIdOfRef(ref.refId);
    const held = await this.deps.store.reservation(orderId);
    if (held?.state !== "taken") return { state: "failed", providerRef: orderId, reason: "no items taken" };
    const items = await this.deps.store.take(orderId, ref.product.sku);
    return items ? { state: "success", providerRef: orderId, delivery: deliveryOf(items) } : { state: "failed", providerRef: orderId, reason: "no items taken" };
  }

  /** An order whose answer was lost (a crash mid-take): its items when they were taken, else none. */
  async findOrder(refId: string, product: ProviderProduct): Promise<OrderOutcome | null> {
    const orderId = orderIdOfRef(refId);
    const held = await this.deps.store.reservation(orderId);
    if (held?.state !== "taken") return null;
    const items = await this.deps.store.take(orderId, product.sku);
    return items ? { state: "success", providerRef: orderId, delivery: deliveryOf(items) } : null;
  }

  // ── the owner's changes ────────────────────────────────────────────────────────────────

  /** Creates a product; false when the code is taken. */
  async create(product: Pick<StockProduct, "code" | "name" | "price">): Promise<boolean> {
    const created = await this.deps.store.createProduct(product);
    if (created) await this.changed();
    return created;
  }

  /** Changes a product; null when there is none. */
  async update(code: string, patch: Parameters<StockStore["updateProduct"]>[1]): Promise<StockProduct | null> {
    const updated = await this.deps.store.updateProduct(code, patch);
    if (updated) await this.changed();
    return updated;
  }

  /**
   * Adds items; when the product was sold out and now has stock, every waiting buyer is told once
   * (through the outbox) and the list is cleared; above the low-stock threshold the alert re-arms.
   */
  async upload(code: string, items: readonly string[]): Promise<AddResult & { notified: number }> {
    const result = await this.deps.store.addItems(code, items);
    const product = await this.deps.store.product(code);
    if (product && result.available > product.alert) await this.deps.store.clearLowAlert(code);
    await this.changed();
    let notified = 0;
    if (product && result.before === 0 && result.available > 0 && !product.off) notified = await this.tellWaiters(product);
    return { ...result, notified };
  }

  /** Removes available items (the newest first). */
  async remove(code: string, count: number | "all"): Promise<{ removed: number; available: number }> {
    const result = await this.deps.store.removeItems(code, count);
    await this.changed();
    return result;
  }

  /** Products with counts, for `/stock`. */
  list(): Promise<StockProductView[]> {
    return this.deps.store.products();
  }

  /** Puts a buyer on the list told when `code` is back in stock. */
  async notifyWhenBack(code: string, recipient: Recipient): Promise<boolean> {
    const product = await this.deps.store.product(code);
    if (!product) return false;
    await this.deps.store.addWaiter(code, { channel: recipient.channel, chatId: recipient.chatId, locale: recipient.locale });
    return true;
  }

  /**
   * One more item for a sold order at no charge (`/replace`): taken like a sale, under a hold
   * named by the admin message that asked (`replace:<order>:<request>`). Holding and taking are
   * idempotent, so the same request again — after a crash, a redelivered update — gets the same
   * item back, never a second one; another request takes the next item. A hold never taken (a
   * crash in between) is released by the reservations sweep. Null when none is left.
   *
   * @example
   * await stock.replacement("ORD-…", "NETFLIX1", "telegram:-100…:42"); // { item: "a@b.c:pw" }
   */
  async replacement(orderId: string, code: string, request: string): Promise<{ item: string } | null> {
    const holdId = `replace:${orderId}:${request}`;
    const held = await this.deps.store.reserve(holdId, code, 1, Date.now() + 60_000);
    if (!held.ok) return null;
    const items = await this.deps.store.take(holdId, code);
    await this.afterSale(code, held.available);
    return items?.[0] !== undefined ? { item: items[0] } : null;
  }

  // ── internals ──────────────────────────────────────────────────────────────────────────

  private async tellWaiters(product: StockProduct): Promise<number> {
    const waiters = await this.deps.store.takeWaiters(product.code);
    let told = 0;
    for (const waiter of waiters) {
      try {
        await this.deps.outbox.send({ channel: waiter.channel as Recipient["channel"], chatId: waiter.chatId, locale: waiter.locale as Recipient["locale"] }, [
          textReply(msg("stock-restocked", { name: product.name, code: product.code })),
        ]);
        told++;
      } catch (error) {
        this.deps.logger.warn({ code: product.code, err: error }, "could not tell a waiting buyer about a restock");
      }
    }
    return told;
  }

  /** After units left: the low-stock alert (once per crossing), and the catalog's counts soon. */
  private async afterSale(code: string, available: number): Promise<void> {
    this.changedSoon();
    const product = await this.deps.store.product(code);
    if (product && product.alert > 0 && available <= product.alert && (await this.deps.store.claimLowAlert(code))) {
      await this.deps.alerts.alert(msg("admin-stock-low", { code, name: product.name, available }));
    }
  }

  private async changed(): Promise<void> {
    await this.deps.onChange?.().catch((error: unknown) => this.deps.logger.warn({ err: error }, "could not refresh the catalog after a stock change"));
  }

  /**
   * Refreshes the catalog's counts after a sale without holding the buyer up: one refresh at a
   * time, and one more after it when sales came in meanwhile (a flash sale costs at most two).
   */
  private changedSoon(): void {
    if (!this.deps.onChange) return;
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = this.changed().finally(() => {
      this.refreshing = null;
      if (this.refreshAgain) {
        this.refreshAgain = false;
        this.changedSoon();
      }
    });
  }
}

/** An owner product as the catalog shows it. */
export function asProviderProduct(product: StockProductView): ProviderProduct {
  return {
    provider: "stock",
    sku: product.code,
    code: product.code,
    category: product.category,
    group: product.group,
    name: product.name,
    ...(product.description ? { description: product.description } : {}),
    basePrice: product.cost,
    fixedPrice: product.price,
    stock: product.available,
    multiUnit: true,
    input: "none",
    delivery: "serial",
    ...(product.warrantyDays > 0 ? { meta: { warrantyDays: product.warrantyDays } } : {}),
  };
}

/** One secret line per item: sealed in the delivery vault, never shown in a group. */
function deliveryOf(items: readonly string[]): DeliveryItem[] {
  return items.map((value) => ({ label: "serial", value, secret: true }));
}
