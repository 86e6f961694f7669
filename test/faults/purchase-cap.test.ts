/**
 * Issue 14, item 1: one owner of "never buy twice". A provider that never answers a purchase
 * (every `createTransaction` hangs until our client times out, and the supplier never records
 * it, so every lookup says "not found") must not be hammered: the order gets at most
 * `PURCHASE_MAX_ATTEMPTS` (3) purchase calls over its whole life, is then set aside for a person
 * (never refunded on a guess), and the admins are told exactly once.
 *
 * Before the fix fulfilment wrapped the adapter's own lookup-and-retry in a second one and moved
 * a "not found" order back to `paid` with no cap: dozens of purchases in a few seconds.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AdminAlerts } from "../../src/core/alerts.js";
import type { Msg } from "../../src/core/message.js";
import type { FollowUpPlan } from "../../src/commerce/fulfilment.js";
import { IcsstoreProvider } from "../../src/providers/icsstore/adapter.js";
import { IcsstoreFake } from "../fakes/icsstore-server.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { purchasesOf, seedPaidOrder, sleep, waitFor } from "./support.js";

/** Very short timers: the faster the loop, the more a missing cap shows. */
const plan: FollowUpPlan = { delayMs: () => 10, giveUpAfterMs: 60_000, maxTransientAttempts: 6, placingGraceMs: 200 };

let ics: IcsstoreFake;
let test: TestApp;
let alerts: { message: Msg; orderId?: string }[];

beforeEach(async () => {
  ics = await IcsstoreFake.start();
  ics.balance = 10_000_000;
  // Every purchase hangs (the fake never answers and records nothing): timeouts forever.
  ics.inject("createTransaction", { kind: "timeout" }, 1_000);
  const provider = new IcsstoreProvider({ baseUrl: ics.url, apiKey: ics.apiKey, timeoutMs: 150, retryDelaysMs: [5, 5] });
  alerts = [];
  const recorder: AdminAlerts = {
    alert: async (message, orderId) => {
      alerts.push(orderId === undefined ? { message } : { message, orderId });
    },
  };
  test = await startTestApp({ SANDBOX: "off" }, { providers: [provider], followUpPlan: plan, alerts: recorder });
});

afterEach(async () => {
  await test?.cleanup();
  await ics?.close();
});

describe("a provider that times out forever", () => {
  it("gets at most 3 purchase calls per order, the order waits for a person (not refunded), and the admins get one alert", async () => {
    const { app } = test;
    const order = await seedPaidOrder(app, { channel: "console", chatId: "720001" }, "XLA10");
    await app.fulfilment.enqueue(order);

    // Either the order is set aside, or the provider got more purchases than the cap allows.
    await waitFor(
      "the order to be set aside (or over-bought)",
      async () => (await app.orders.get(order.id))?.attention !== undefined || purchasesOf(ics, order.refId) > 3,
      { timeoutMs: 20_000, intervalMs: 10 },
    );
    // Several more lookup rounds' worth of time: nothing else may be bought or alerted.
    await sleep(1_000);

    const now = (await app.orders.get(order.id))!;
    expect(purchasesOf(ics, order.refId)).toBeLessThanOrEqual(3);
    expect(now.purchaseAttempts).toBe(purchasesOf(ics, order.refId));
    expect(now.attention).toMatch(/^purchase-cap/);
    expect(now.status).toBe("placing");
    expect(await app.wallet.balance(order.buyer)).toBe(0);
    const aboutOrder = alerts.filter((alert) => alert.orderId === order.id);
    expect(aboutOrder).toHaveLength(1);
    expect(aboutOrder[0]!.message.key).toBe("admin-alert-attention");
  });
});
