/**
 * The pure comparison behind `/reconcile`: our orders of one provider against the provider's own
 * records, each kind of mismatch, and what is not a mismatch.
 */
import { describe, expect, it } from "vitest";
import { compareWithProvider, type Mismatch } from "../../src/commerce/reconcile.js";
import type { Order, OrderStatus } from "../../src/commerce/orders.js";
import type { ProviderRecord } from "../../src/providers/types.js";

const hour = 3_600_000;
const from = Date.UTC(2026, 11, 1, 17, 0); // 00:00 WIB
const to = from + 24 * hour;
const window = { from, to };

let seq = 0;
function order(status: OrderStatus, overrides: Partial<Order> = {}): Order {
  const id = `ORD-TEST${String(++seq).padStart(6, "0")}`;
  return {
    id,
    buyer: "telegram:1",
    channel: "telegram",
    chatId: "1",
    locale: "id",
    product: { code: "XLA10", provider: "icsstore", sku: "XLA10", name: "XL AXIS 10GB", category: "data", group: "XLA", basePrice: 20_000, stock: null, input: "phone", delivery: "serial" },
    inputs: { phone: "081234567890" },
    price: 22_000,
    cost: 20_000,
    payment: { method: "wallet", amount: 22_000 },
    status,
    refId: `WB${id.slice(4)}`,
    providerRef: `WB${id.slice(4)}`,
    attempts: 1,
    purchaseAttempts: 1,
    history: [],
    createdAt: from + hour,
    updatedAt: from + hour,
    ...overrides,
  };
}

function record(overrides: Partial<ProviderRecord> & { providerRef: string }): ProviderRecord {
  return { status: "success", charged: 20_000, at: from + hour, ...overrides };
}

const kinds = (mismatches: Mismatch[]) => mismatches.map((m) => m.kind);

describe("compareWithProvider", () => {
  it("finds nothing when every charge is an order here at the recorded cost", () => {
    const delivered = order("delivered");
    const pending = order("pending");
    const mismatches = compareWithProvider({
      window,
      orders: [delivered, pending],
      records: [record({ providerRef: delivered.refId, refId: delivered.refId }), record({ providerRef: pending.refId, refId: pending.refId, status: "pending" })],
      complete: true,
    });
    expect(mismatches).toEqual([]);
  });

  it("charged-no-order: a charge there that no order here explains", () => {
    const mismatches = compareWithProvider({ window, orders: [], records: [record({ providerRef: "RSX1", refId: "RSX1", charged: 35_000 })], complete: true });
    expect(mismatches).toEqual([{ kind: "charged-no-order", record: expect.objectContaining({ providerRef: "RSX1", charged: 35_000 }) }]);
  });

  it("charged-no-order: a pending charge counts, an unpaid or failed one does not, nor one before the window (one stamped after it does)", () => {
    const mismatches = compareWithProvider({
      window,
      orders: [],
      records: [
        record({ providerRef: "P", status: "pending" }),
        record({ providerRef: "U", status: "unpaid" }),
        record({ providerRef: "F", status: "failed" }),
        record({ providerRef: "OLD", at: from - hour }),
        record({ providerRef: "SKEWED", at: to + hour }),
      ],
      complete: true,
    });
    expect(mismatches.map((m) => (m.kind === "charged-no-order" ? m.record.providerRef : m.kind))).toEqual(["P", "SKEWED"]);
  });

  it("charged-no-order: a second charge for one order (a refid bought twice) is a charge with no order", () => {
    const delivered = order("delivered");
    const mismatches = compareWithProvider({
      window,
      orders: [delivered],
      records: [record({ providerRef: delivered.refId, refId: delivered.refId }), record({ providerRef: delivered.refId, refId: delivered.refId })],
      complete: true,
    });
    expect(kinds(mismatches)).toEqual(["charged-no-order"]);
  });

  it("matches by the provider's reference when the record does not carry our refId", () => {
    const delivered = order("delivered", { providerRef: "clxord1" });
    expect(compareWithProvider({ window, orders: [delivered], records: [record({ providerRef: "clxord1" })], complete: true })).toEqual([]);
  });

  it("delivered-but-failed-there: delivered here, failed (or never paid) there", () => {
    const a = order("delivered");
    const b = order("delivered");
    const mismatches = compareWithProvider({
      window,
      orders: [a, b],
      records: [record({ providerRef: a.refId, refId: a.refId, status: "failed" }), record({ providerRef: b.refId, refId: b.refId, status: "unpaid" })],
      complete: true,
    });
    expect(mismatches).toEqual([
      { kind: "delivered-but-failed-there", order: expect.objectContaining({ id: a.id, refId: a.refId }), record: expect.objectContaining({ status: "failed" }) },
      { kind: "delivered-but-failed-there", order: expect.objectContaining({ id: b.id }), record: expect.objectContaining({ status: "unpaid" }) },
    ]);
  });

  it("failed-here-but-charged-there: failed, refunded or expired here, charged there", () => {
    const failed = order("failed");
    const refunded = order("refunded");
    const expired = order("expired");
    const mismatches = compareWithProvider({
      window,
      orders: [failed, refunded, expired],
      records: [
        record({ providerRef: failed.refId, refId: failed.refId }),
        record({ providerRef: refunded.refId, refId: refunded.refId, status: "pending" }),
        record({ providerRef: expired.refId, refId: expired.refId, charged: 99_000 }),
      ],
      complete: true,
    });
    expect(mismatches.map((m) => [m.kind, "order" in m ? m.order.id : null])).toEqual([
      ["failed-here-but-charged-there", failed.id],
      ["failed-here-but-charged-there", refunded.id],
      ["failed-here-but-charged-there", expired.id],
    ]);
  });

  it("a refunded order whose charge failed there too is no mismatch", () => {
    const refunded = order("refunded");
    expect(compareWithProvider({ window, orders: [refunded], records: [record({ providerRef: refunded.refId, refId: refunded.refId, status: "failed" })], complete: true })).toEqual([]);
  });

  it("cost-differs: charged a different amount than the cost recorded on the order", () => {
    const delivered = order("delivered", { cost: 20_000 });
    const mismatches = compareWithProvider({
      window,
      orders: [delivered],
      records: [record({ providerRef: delivered.refId, refId: delivered.refId, charged: 21_500 })],
      complete: true,
    });
    expect(mismatches).toEqual([{ kind: "cost-differs", order: expect.objectContaining({ id: delivered.id, cost: 20_000 }), record: expect.objectContaining({ charged: 21_500 }) }]);
  });

  it("cost-differs is not claimed when the provider does not say what it charged", () => {
    const delivered = order("delivered");
    expect(compareWithProvider({ window, orders: [delivered], records: [record({ providerRef: delivered.refId, refId: delivered.refId, charged: null })], complete: true })).toEqual([]);
  });

  it("delivered-not-found-there: a delivered order of the window missing from a complete history", () => {
    const delivered = order("delivered");
    const before = order("delivered", { createdAt: from - hour });
    const complete = compareWithProvider({ window, orders: [delivered, before], records: [], complete: true });
    expect(complete).toEqual([{ kind: "delivered-not-found-there", order: expect.objectContaining({ id: delivered.id }) }]);
    // A history cut short by its page bound proves nothing.
    expect(compareWithProvider({ window, orders: [delivered], records: [], complete: false })).toEqual([]);
  });

  it("never carries buyer data or delivered details in a mismatch", () => {
    const delivered = order("delivered", { delivered: "secret-sealed-delivery", inputs: { phone: "081299998888" } });
    const mismatches = compareWithProvider({ window, orders: [delivered], records: [record({ providerRef: delivered.refId, refId: delivered.refId, status: "failed" })], complete: true });
    expect(JSON.stringify(mismatches)).not.toMatch(/secret-sealed|081299998888|telegram:1/);
  });
});
