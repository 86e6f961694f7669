/**
 * The payment method recipe, end to end: a throwaway module defined here (a "voucher" redeemed
 * through its own HTTP route) is handed to the real app as an `AppOptions` override beside the
 * registry's modules, and offered by `config.paymentMethods` like a built-in one. Nothing else is
 * wired by hand: the buyer bot offers it for the items it accepts, starts it when chosen, the root
 * serves its route, runs its chore with the sweep and its resume step at start-up, and the money
 * its route brings pays the order through `payFromWallet`, after which the order is delivered.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ledgerIds } from "../../src/commerce/ledger-ids.js";
import { payFromWallet } from "../../src/commerce/pay-from-wallet.js";
import { fail } from "../../src/core/http.js";
import { msg } from "../../src/core/message.js";
import { asList, textReply, type Reply } from "../../src/core/reply.js";
import { definePaymentMethod } from "../../src/payments/method.js";
import { paymentMethodModules } from "../../src/payments/methods/registry.js";
import { startTestApp, testConfig, type TestApp } from "../helpers/app.js";
import { consoleBuyer, keysOf } from "./support.js";

const calls = { chores: 0, resumed: 0 };

const voucherMethod = definePaymentMethod({
  id: "voucher",
  create: (deps) => ({
    offeredFor: (item) => item.category === "app",
    async start({ order }) {
      const created = await deps.orders.create(order);
      return [textReply(msg("order-pending", { order: created.id }))];
    },
    routes: [
      {
        method: "POST",
        path: "/payments/test-voucher",
        handler: async ({ rawBody }) => {
          const { order: id } = JSON.parse(rawBody) as { order: string };
          const order = await deps.orders.get(id);
          if (!order) return fail(404, "no such order");
          await deps.wallet.credit(order.buyer, order.price, { id: ledgerIds.manual(`voucher-${id}`), reason: "manual", orderId: id });
          const paid = await payFromWallet(deps, order, { amount: order.price });
          return { status: 200, body: { result: paid.kind } };
        },
      },
    ],
    chores: [{ name: "count voucher sweeps", run: async () => void calls.chores++ }],
    resume: async () => void calls.resumed++,
  }),
});

let shop: TestApp;
let baseUrl: string;

beforeAll(async () => {
  shop = await startTestApp(
    {},
    { config: { ...testConfig(), paymentMethods: ["wallet", "voucher"] }, paymentMethods: [...paymentMethodModules, voucherMethod] },
  );
  baseUrl = `http://127.0.0.1:${await shop.app.http.listen(0, "127.0.0.1")}`;
}, 30_000);

afterAll(async () => {
  await shop?.cleanup();
});

/** The labels of the payment menu among replies. */
function paymentLabels(replies: Reply[]): string[] {
  const menu = replies.find((reply): reply is Extract<Reply, { kind: "menu" }> => reply.kind === "menu" && keysOf(reply).includes("payment-title"));
  if (!menu) throw new Error(`no payment menu in ${JSON.stringify(replies.map(keysOf))}`);
  return menu.items.flatMap((item) => asList(item.label).map((m) => m.key));
}

describe("a payment method module plugged in through AppOptions", () => {
  it("is offered only for the items it accepts, in PAYMENT_METHODS order", async () => {
    const buyer = consoleBuyer(shop.app, "v1");
    await buyer.say("SB-NFX1");
    expect(paymentLabels((await buyer.say("1")).replies)).toEqual(["pay-method-wallet-balance", "pay-method-voucher", "menu-item-cancel"]);

    await buyer.say("SB-FF70");
    await buyer.say("12345678");
    expect(paymentLabels((await buyer.say("1")).replies)).toEqual(["pay-method-wallet-balance", "menu-item-cancel"]);
  });

  it("starts when chosen, is confirmed through its own route, and the order is delivered", async () => {
    const buyer = consoleBuyer(shop.app, "v2");
    await buyer.say("SB-NFX1");
    await buyer.say("1");
    const started = await buyer.say("2");
    const pending = started.replies.flatMap((reply) => (reply.kind === "text" ? asList(reply.text) : [])).find((m) => m.key === "order-pending");
    const orderId = String(pending?.args?.order);
    const order = await shop.app.orders.get(orderId);
    expect(order).toMatchObject({ status: "awaiting_payment", payment: { method: "voucher" } });

    const response = await fetch(`${baseUrl}/payments/test-voucher`, { method: "POST", body: JSON.stringify({ order: orderId }) });
    expect(await response.json()).toEqual({ result: "paid" });
    await shop.app.settled(buyer.key);
    expect((await shop.app.orders.get(orderId))?.status).toBe("delivered");
    // The voucher's credit paid exactly the order: the wallet is back where it was.
    expect(await shop.app.wallet.balance(buyer.key)).toBe(0);
  });

  it("has its chore run by the sweep and its resume step by start-up, and leaves the registry as it was", async () => {
    expect(calls.resumed).toBe(1);
    const before = calls.chores;
    await shop.app.sweep();
    expect(calls.chores).toBe(before + 1);
    expect(paymentMethodModules.map((module) => module.id)).toEqual(["wallet", "qris", "provider_qris"]);
  });
});
