/**
 * Order commands through the real bot in the admin group: `/paid`, `/refund`, `/retry`,
 * `/orders`, `/order` — each done twice where it moves money, to show it happens once — and the
 * rule that delivered credentials never reach the group.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AdminOperations } from "../../src/admin/operations.js";
import { startFakeTelegram, type FakeTelegram } from "../fakes/telegram-api.js";
import { formatRupiah } from "../../src/core/money.js";
import { msg } from "../../src/core/message.js";
import { adminGroup, buyer, eventually, openTopup, owner, person, placeOrder, postedTo, says, secondAdmin, startAdminShop, type AdminShop } from "./support.js";

let telegram: FakeTelegram;
let shop: AdminShop;

beforeEach(async () => {
  telegram = await startFakeTelegram();
  shop = await startAdminShop(telegram);
});
afterEach(async () => {
  await shop.cleanup();
  await telegram.close();
});

const admin = () => person(telegram, adminGroup, owner);

async function ledgerIds(buyerKey: string): Promise<string[]> {
  return (await shop.app.wallet.ledger(buyerKey, 100)).map((entry) => entry.id);
}

describe("/paid", () => {
  it("confirms a QRIS order once: the second /paid changes nothing", async () => {
    const order = await placeOrder(shop, 1201, "SB-TSEL10", "qris", { phone: "081234567890" });
    await admin().ask(`/paid ${order.id.toLowerCase()}`, says("admin-paid-confirmed", { id: order.id, buyer: "telegram:1201" }));
    await eventually(async () => expect((await shop.app.orders.get(order.id))?.status).toBe("delivered"));

    await person(telegram, adminGroup, secondAdmin).ask(`/paid ${order.id}`, says("admin-paid-already", { id: order.id }));
    const ids = await ledgerIds("telegram:1201");
    expect(ids.filter((id) => id === `qris:${order.id}`)).toHaveLength(1);
    expect(ids.filter((id) => id === `pay:${order.id}`)).toHaveLength(1);
    expect(shop.provider.placed.filter((id) => id === order.id)).toHaveLength(1);
    expect(await shop.app.wallet.verify("telegram:1201")).toMatchObject({ consistent: true });
  });

  it("confirms a top-up by its TOP- id once, and says when a payment is unknown", async () => {
    const topup = await openTopup(shop, 1202, 50_000);
    await admin().ask(`/paid ${topup}`, says("admin-paid-confirmed", { id: topup }));
    const balance = await shop.app.wallet.balance("telegram:1202");
    expect(balance).toBeGreaterThanOrEqual(50_000);
    await admin().ask(`/paid ${topup}`, says("admin-paid-already", { id: topup }));
    expect(await shop.app.wallet.balance("telegram:1202")).toBe(balance);
    await admin().ask("/paid TOP-DOESNOTEXIST", says("admin-paid-not-found", { id: "TOP-DOESNOTEXIST" }));
  });
});

describe("/refund", () => {
  it("returns a failed order's money to the buyer once", async () => {
    const order = await placeOrder(shop, 1203, "SB-NFX1", "wallet");
    await shop.app.orders.transition(order.id, ["paid"], "failed", () => ({ failureReason: "provider-error-timeout" }));
    expect(await shop.app.wallet.balance("telegram:1203")).toBe(0);

    await admin().ask(`/refund ${order.id} provider said no`, says("admin-refund-done", { order: order.id, amount: formatRupiah(order.price) }));
    await buyer(telegram, 1203).expect(says("admin-refund-buyer", { order: order.id }));
    expect((await shop.app.orders.get(order.id))?.status).toBe("refunded");

    await person(telegram, adminGroup, secondAdmin).ask(`/refund ${order.id}`, says("admin-refund-already", { order: order.id }));
    const refunds = (await shop.app.wallet.ledger("telegram:1203")).filter((entry) => entry.id === `refund:${order.id}`);
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({ reason: "refund", by: "telegram:501", note: "provider said no", amount: order.price });
    expect(await shop.app.wallet.verify("telegram:1203")).toEqual({ balance: order.price, ledgerSum: order.price, consistent: true });
  });

  it("is exactly once even when two admins refund at the same instant", async () => {
    const order = await placeOrder(shop, 1204, "SB-NFX1", "wallet");
    await shop.app.orders.transition(order.id, ["paid"], "failed");
    const operations = new AdminOperations({ orders: shop.app.orders, wallet: shop.app.wallet, fulfilment: shop.app.fulfilment });
    const results = await Promise.all([operations.refund(order.id, "telegram:501", null), operations.refund(order.id, "telegram:502", null)]);
    expect(results.map((result) => result.kind).sort()).toEqual(["already_refunded", "refunded"]);
    expect(await shop.app.wallet.balance("telegram:1204")).toBe(order.price);
  });

  it("refuses orders never paid, and delivered ones without a reason", async () => {
    const unpaid = await placeOrder(shop, 1205, "SB-NFX1", "qris");
    await admin().ask(`/refund ${unpaid.id}`, says("admin-refund-not-allowed", { order: unpaid.id, status: msg("status-awaiting_payment") }));
    const delivered = await placeOrder(shop, 1205, "SB-TSEL10", "wallet", { phone: "081234567890" });
    await shop.app.fulfilment.enqueue(delivered);
    await eventually(async () => expect((await shop.app.orders.get(delivered.id))?.status).toBe("delivered"));
    await admin().ask(`/refund ${delivered.id}`, says("admin-refund-delivered-needs-reason", { order: delivered.id }));
    // `/resolve … failed` is for orders in doubt: it never takes back delivered goods.
    await admin().ask(`/resolve ${delivered.id} failed gone`, says("admin-resolve-not-allowed", { order: delivered.id, status: msg("status-delivered") }));
    await admin().ask("/refund ORD-NOSUCHORDER", says("admin-order-not-found", { order: "ORD-NOSUCHORDER" }));
    expect(await shop.app.wallet.balance("telegram:1205")).toBe(0);
  });
});

describe("/retry", () => {
  it("runs a failed, unrefunded order again, buying it once at the provider", async () => {
    const order = await placeOrder(shop, 1206, "SB-TSEL10", "wallet", { phone: "081234567890" });
    await shop.app.orders.transition(order.id, ["paid"], "failed", () => ({ failureReason: "provider-error-unavailable" }));
    await admin().ask(`/retry ${order.id}`, says("admin-retry-queued", { order: order.id }));
    await eventually(async () => expect((await shop.app.orders.get(order.id))?.status).toBe("delivered"));
    expect(shop.provider.placed.filter((id) => id === order.id)).toHaveLength(1);
    await admin().ask(`/retry ${order.id}`, says("admin-retry-not-allowed", { order: order.id, status: msg("status-delivered") }));
    expect(await shop.app.wallet.ledger("telegram:1206")).not.toContainEqual(expect.objectContaining({ id: `refund:${order.id}` }));
  });

  it("never re-orders what was refunded, and clears an order's attention flag", async () => {
    const refunded = await placeOrder(shop, 1207, "SB-NFX1", "wallet");
    await shop.app.orders.transition(refunded.id, ["paid"], "failed");
    await admin().ask(`/refund ${refunded.id}`, says("admin-refund-done", { order: refunded.id }));
    await admin().ask(`/retry ${refunded.id}`, says("admin-retry-refunded", { order: refunded.id }));
    expect(shop.provider.placed).not.toContain(refunded.id);

    const stuck = await placeOrder(shop, 1207, "SB-TSEL10", "wallet", { phone: "081234567890" });
    await shop.app.orders.update(stuck.id, () => ({ attention: "gave up polling" }));
    await admin().ask(`/retry ${stuck.id}`, says("admin-retry-queued", { order: stuck.id }));
    await eventually(async () => expect((await shop.app.orders.get(stuck.id))?.status).toBe("delivered"));
    expect((await shop.app.orders.get(stuck.id))?.attention).toBeUndefined();
  });
});

describe("/orders and /order", () => {
  it("list orders and show one in full, never with delivered credentials", async () => {
    const customer = buyer(telegram, 1208);
    await customer.ask("/topup 100000", says("topup-sandbox-done", { amount: formatRupiah(100_000) }));
    await customer.ask("SB-NFX1", says("confirm-title"));
    await customer.ask("1", says("payment-title"));
    customer.say("1");
    const passwordLine = says("delivery-password", { value: /(\S+)/ });
    const delivery = await customer.expect(passwordLine);
    const password = passwordLine.exec(delivery)![1]!;
    const email = says("delivery-email", { value: /(\S+)/ }).exec(delivery)![1]!;
    const orderId = /ORD-[A-Z0-9]{8,}/.exec(delivery)![0];

    const list = await admin().ask("/orders", says("admin-orders-title", { count: 1 }));
    expect(list).toContain(orderId);
    expect(list).toContain("Netflix Premium 1 bulan");
    expect(await admin().ask("/orders delivered 5", says("admin-orders-title"))).toContain(orderId);
    await admin().ask("/orders failed", says("admin-orders-empty"));

    const detail = await admin().ask(`/order ${orderId}`, says("admin-order-buyer", { buyer: "telegram:1208" }));
    for (const part of ["Netflix Premium 1 bulan", "SB-NFX1"]) expect(detail).toContain(part);
    expect(detail).toMatch(says("admin-order-head", { order: orderId, status: msg("status-delivered") }));
    expect(detail).toMatch(says("admin-order-money", { cost: formatRupiah(30_000) }));
    expect(detail).toMatch(says("admin-order-payment", { method: msg("pay-method-wallet") }));
    expect(detail).toMatch(says("admin-order-refs", { ref: /WB\w+/, providerRef: /SBX-\S+/ }));
    expect(detail).toMatch(says("admin-order-history-title"));
    expect(detail).toMatch(says("admin-order-secrets-hidden"));
    await eventually(() => expect(postedTo(telegram, adminGroup.id).join("\n")).toMatch(says("admin-notify-delivered", { order: orderId, product: /Netflix.*/ })));
    const everything = postedTo(telegram, adminGroup.id).join("\n");
    expect(everything).not.toContain(password);
    expect(everything).not.toContain(email);
  });
});
