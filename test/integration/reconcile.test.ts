/**
 * Integration: reconciliation gathering both sides on real Redis. Our orders of a window (the
 * time-ranged read), a provider without history asked order by order (bounded, one call at a
 * time), a history record naming an order created before the window, and a provider error.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { OrderStore, type NewOrder, type Order } from "../../src/commerce/orders.js";
import { reconcileProvider } from "../../src/commerce/reconcile.js";
import { ProviderError } from "../../src/providers/errors.js";
import type { OrderOutcome, Provider, ProviderHistory, ProviderId, ProviderRecord } from "../../src/providers/types.js";
import { freshRedis } from "../helpers/redis.js";

const hour = 3_600_000;

function product(provider: ProviderId): Order["product"] {
  return { code: "P1", provider, sku: "P1", name: "Product 1", category: "game", group: "G", basePrice: 18_000, stock: null, input: "game_id", delivery: "serial" };
}

function newOrder(provider: ProviderId): NewOrder {
  return {
    buyer: "telegram:1001",
    channel: "telegram",
    chatId: "1001",
    locale: "id",
    product: product(provider),
    inputs: { userId: "12345678" },
    price: 19_000,
    cost: 18_000,
    payment: { method: "wallet", amount: 19_000 },
    status: "paid",
  };
}

/** A provider double: statuses by providerRef, counting calls and how many run at once. */
class StatusOnlyProvider implements Provider {
  readonly id: ProviderId = "odzreshop";
  calls: string[] = [];
  running = 0;
  mostAtOnce = 0;
  states = new Map<string, OrderOutcome>();
  failWith: ProviderError | null = null;
  async listProducts() {
    return [];
  }
  async getBalance() {
    return { amount: 0, currency: "IDR" as const, idr: 0 };
  }
  async placeOrder(): Promise<OrderOutcome> {
    throw new Error("reconciliation must never buy");
  }
  async getStatus(ref: { providerRef: string }): Promise<OrderOutcome> {
    this.calls.push(ref.providerRef);
    this.running++;
    this.mostAtOnce = Math.max(this.mostAtOnce, this.running);
    await new Promise((resolve) => setImmediate(resolve));
    this.running--;
    if (this.failWith) throw this.failWith;
    return this.states.get(ref.providerRef) ?? { state: "success", providerRef: ref.providerRef, delivery: [] };
  }
}

class HistoryProvider extends StatusOnlyProvider {
  override readonly id: ProviderId = "icsstore";
  records: ProviderRecord[] = [];
  async history(): Promise<ProviderHistory> {
    if (this.failWith) throw this.failWith;
    return { records: this.records, complete: true };
  }
}

describe("reconcileProvider on real Redis", () => {
  let redis: Redis;
  let cleanup: () => Promise<void>;
  let orders: OrderStore;

  beforeEach(async () => {
    ({ redis, cleanup } = await freshRedis("reconcile"));
    orders = new OrderStore(redis);
  });
  afterEach(async () => {
    await cleanup();
  });

  async function delivered(provider: ProviderId, providerRef: string, createdAt: number): Promise<Order> {
    const order = await orders.create(newOrder(provider), createdAt);
    await orders.transition(order.id, ["paid"], "placing");
    return (await orders.transition(order.id, ["placing"], "delivered", () => ({ providerRef })))!;
  }

  it("reads our orders of a window newest first, bounded", async () => {
    const now = Date.now();
    const before = await orders.create(newOrder("sandbox"), now - 3 * hour);
    const first = await orders.create(newOrder("sandbox"), now - 2 * hour);
    const second = await orders.create(newOrder("sandbox"), now - hour);
    expect((await orders.createdBetween(now - 2.5 * hour, now)).map((o) => o.id)).toEqual([second.id, first.id]);
    expect((await orders.createdBetween(now - 4 * hour, now, 1)).map((o) => o.id)).toEqual([second.id]);
    expect((await orders.createdBetween(now - 4 * hour, now)).map((o) => o.id)).toContain(before.id);
  });

  it("without history: getStatus per final order, at most the bound, one at a time, and lists what disagrees", async () => {
    const now = Date.now();
    const provider = new StatusOnlyProvider();
    for (let i = 0; i < 24; i++) await delivered("odzreshop", `INV-${i}`, now - (30 - i) * 60_000);
    await orders.create({ ...newOrder("odzreshop"), status: "awaiting_payment" }, now - 60_000);
    await delivered("sandbox", "SB-1", now - 60_000); // another provider's order
    provider.states.set("INV-23", { state: "failed", providerRef: "INV-23", reason: "refunded by supplier" });

    const report = await reconcileProvider(provider, orders, { from: now - hour, to: now }, { maxStatusChecks: 20, maxOrders: 2_000, maxLookups: 10 });
    expect(report).toMatchObject({ ok: true, method: "status", checked: 20, orders: 25, unchecked: 4, complete: false });
    expect(provider.calls).toHaveLength(20);
    expect(provider.mostAtOnce).toBe(1);
    expect(provider.calls[0]).toBe("INV-23"); // newest first
    if (!report.ok) throw new Error("not ok");
    expect(report.mismatches).toEqual([expect.objectContaining({ kind: "delivered-but-failed-there", order: expect.objectContaining({ status: "delivered" }) })]);
  });

  it("with history: a record naming an order created before the window is compared with that order, not called a stray charge", async () => {
    const now = Date.now();
    const provider = new HistoryProvider();
    const early = await orders.create(newOrder("icsstore"), now - 3 * hour);
    await orders.transition(early.id, ["paid"], "failed", () => ({ providerRef: early.refId }));
    provider.records = [
      { providerRef: early.refId, refId: early.refId, status: "success", charged: 18_000, at: now - 10 * 60_000 },
      { providerRef: "RSMANUAL1", refId: "RSMANUAL1", status: "success", charged: 5_000, at: now - 5 * 60_000 },
    ];
    const report = await reconcileProvider(provider, orders, { from: now - hour, to: now });
    if (!report.ok) throw new Error("not ok");
    expect(report.mismatches.map((m) => [m.kind, "order" in m ? m.order.id : m.record.providerRef])).toEqual([
      ["failed-here-but-charged-there", early.id],
      ["charged-no-order", "RSMANUAL1"],
    ]);
    expect(provider.calls).toEqual([]);
  });

  it("reports a provider error by its code instead of throwing", async () => {
    const provider = new HistoryProvider();
    provider.failWith = new ProviderError("upstream", "icsstore: HTTP 502", { provider: "icsstore" });
    expect(await reconcileProvider(provider, orders, { from: Date.now() - hour, to: Date.now() })).toEqual({ provider: "icsstore", ok: false, code: "upstream" });
  });
});
