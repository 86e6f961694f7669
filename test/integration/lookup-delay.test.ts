/**
 * Issue 14, item 1: after a purchase whose answer was lost, fulfilment (not the adapter) looks
 * the order up, and only once the provider has had time to record it: aluy provisions inside
 * POST /orders, so its contract says "fetch GET /orders before retrying", and the module waits
 * `lookupDelayMs` (15 s in production, shortened here) after the timeout before that fetch.
 * Before the fix the adapter looked the order up at once, inside the same call.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FollowUpPlan } from "../../src/commerce/fulfilment.js";
import { AluyProvider } from "../../src/providers/aluy/adapter.js";
import type { OrderOutcome, PlaceOrderRequest, ProviderProduct } from "../../src/providers/types.js";
import { aluyFakeCookie, startAluyFake, type AluyFake } from "../fakes/aluy-server.js";
import { startTestApp, type TestApp } from "../helpers/app.js";

const lookupDelayMs = 400;
const plan: FollowUpPlan = { delayMs: () => 10, giveUpAfterMs: 60_000, maxTransientAttempts: 3, placingGraceMs: 20 };

/** The aluy adapter, noting when a purchase ended without an answer and when a lookup began. */
class TimedAluy extends AluyProvider {
  readonly unknownAt: number[] = [];
  readonly lookupAt: number[] = [];

  override async placeOrder(request: PlaceOrderRequest): Promise<OrderOutcome> {
    try {
      return await super.placeOrder(request);
    } catch (error) {
      this.unknownAt.push(Date.now());
      throw error;
    }
  }

  override findOrder(refId: string): Promise<OrderOutcome | null> {
    this.lookupAt.push(Date.now());
    return super.findOrder(refId);
  }
}

let fake: AluyFake;
let test: TestApp;
let aluy: TimedAluy;

beforeEach(async () => {
  fake = await startAluyFake();
  aluy = new TimedAluy({ baseUrl: fake.url, sessionCookie: aluyFakeCookie, eurToIdr: 17_321, timeoutMs: 150, retryDelaysMs: [5], lookupDelayMs });
  test = await startTestApp({ SANDBOX: "off" }, { providers: [aluy], followUpPlan: plan });
});

afterEach(async () => {
  await test?.cleanup();
  await fake?.close();
});

describe("a lost answer to POST /orders", () => {
  it("is looked up with GET /orders only lookupDelayMs after the timeout, and never posted again when the order exists", async () => {
    const { app } = test;
    const product: ProviderProduct = (await aluy.listProducts())[0]!;
    // aluy creates the order, the answer is lost.
    fake.fail({ method: "POST", path: "/orders", fault: { kind: "timeout" }, afterEffect: true });
    const price = product.basePrice + 1_000;
    const buyer = "console:730001";
    await app.wallet.credit(buyer, price, { id: "seed:730001", reason: "manual" });
    const created = await app.orders.create({
      buyer,
      channel: "console",
      chatId: "730001",
      locale: "en",
      product: { ...product, code: product.code ?? "VPS-1" },
      inputs: {},
      price,
      cost: product.basePrice,
      payment: { method: "wallet", amount: price, paidAt: Date.now() },
      status: "paid",
    });
    await app.wallet.debit(buyer, price, { id: `pay:${created.id}`, reason: "purchase", orderId: created.id });
    await app.fulfilment.enqueue(created);

    const deadline = Date.now() + 10_000;
    while ((await app.orders.get(created.id))?.status !== "pending" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));

    const order = (await app.orders.get(created.id))!;
    expect(order.status).toBe("pending");
    expect(order.providerRef).toBe(fake.orders[0]?.id);
    expect(fake.count("POST", "/orders")).toBe(1);
    expect(aluy.unknownAt).toHaveLength(1);
    expect(aluy.lookupAt.length).toBeGreaterThanOrEqual(1);
    // A lower bound only (timers never run early by more than a clock tick): no flakiness.
    expect(aluy.lookupAt[0]! - aluy.unknownAt[0]!).toBeGreaterThanOrEqual(lookupDelayMs - 2);
    expect(order.purchaseAttempts).toBe(1);
  });
});
