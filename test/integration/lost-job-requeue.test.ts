/**
 * A paid order whose fulfilment job was lost (a Sentinel failover can drop a BullMQ add, which
 * does not WAIT for a replica, while the durable `paid` survives) is queued again by the periodic
 * sweep — not only at start-up — and still ends in exactly one purchase and one delivery. The
 * loss is made real: the queue is paused so no worker takes the job, the job is removed from
 * BullMQ, then the queue resumes. Real app, real BullMQ on real Redis, sandbox provider.
 */
import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import type { FollowUpPlan } from "../../src/commerce/fulfilment.js";
import { Recovery } from "../../src/commerce/recovery.js";
import { payFromWallet } from "../../src/commerce/pay-from-wallet.js";
import type { Order } from "../../src/commerce/orders.js";
import { runId } from "../../src/jobs/scheduler.js";
import { silentLogger } from "../../src/logger.js";
import { SandboxProvider } from "../../src/providers/sandbox/adapter.js";
import type { OrderOutcome, PlaceOrderRequest } from "../../src/providers/types.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { testRedisUrl } from "../helpers/redis.js";

/** The sandbox, counting purchase calls per order reference. */
class CountingSandbox extends SandboxProvider {
  readonly purchases = new Map<string, number>();
  override async placeOrder(request: PlaceOrderRequest): Promise<OrderOutcome> {
    this.purchases.set(request.refId, (this.purchases.get(request.refId) ?? 0) + 1);
    return super.placeOrder(request);
  }
}

let shop: TestApp | undefined;
let queue: Queue | undefined;
let queueRedis: Redis | undefined;

afterEach(async () => {
  await queue?.close();
  queueRedis?.disconnect();
  await shop?.cleanup();
  shop = undefined;
  queue = undefined;
  queueRedis = undefined;
});

/** The sandbox's clock: its game top-up stays pending until the test moves this past `pendingMs`. */
let providerNow = 0;

async function setUp(paidRequeueMs: number, followUpPlan?: FollowUpPlan) {
  const prefix = `wbtest:lostjob:${randomBytes(6).toString("hex")}:bull`;
  providerNow = Date.now();
  const provider = new CountingSandbox({ pendingMs: 50, now: () => providerNow });
  // No timer sweeps: only the sweeps the test runs happen.
  shop = await startTestApp({}, {
    providers: [provider],
    bullmq: { url: testRedisUrl, prefix },
    paidRequeueMs,
    expirySweepMs: 3_600_000,
    ...(followUpPlan ? { followUpPlan } : {}),
  });
  queueRedis = new Redis(testRedisUrl, { maxRetriesPerRequest: null });
  queue = new Queue("fulfilment", { connection: queueRedis, prefix });
  return { app: shop.app, provider, queue };
}

/** A wallet order paid the way checkout pays it (debit, paid, placement queued). */
async function paidOrder(app: TestApp["app"]): Promise<Order> {
  const buyer = `telegram:${Date.now() % 1_000_000}`;
  await app.wallet.credit(buyer, 50_000, { id: `seed:${buyer}`, reason: "manual" });
  // The game top-up: pending first, then delivered by a follow-up run.
  const item = app.catalog.view().find("SB-FF70");
  if (!item) throw new Error("no sandbox product to buy");
  const { code, provider, sku, name, category, group, basePrice, stock, input, delivery } = item;
  const order = await app.orders.create({
    buyer,
    channel: "telegram",
    chatId: buyer.split(":")[1]!,
    locale: "id",
    product: { code, provider, sku, name, category, group, basePrice, stock, input, delivery },
    inputs: { game_id: "12345678" },
    price: item.price,
    cost: item.cost,
    payment: { method: "wallet", amount: item.price },
  });
  const result = await payFromWallet(app, order, { amount: order.payment.amount });
  if (result.kind !== "paid") throw new Error(`not paid: ${result.kind}`);
  return result.order;
}

describe("a paid order whose job was lost", () => {
  it("is re-queued by the periodic sweep and delivered with exactly one purchase", async () => {
    const { app, provider, queue } = await setUp(0);
    await queue.pause();
    const order = await paidOrder(app);
    const job = await queue.getJob(runId(order.id, "paid-0"));
    expect(job).toBeDefined();
    await job!.remove();
    expect(await queue.getJob(runId(order.id, "paid-0"))).toBeUndefined();
    await queue.resume();

    // Two sweeps at once (two processes, or a sweep overlapping a slow one): one purchase.
    await Promise.all([app.sweep(), app.sweep()]);
    await expect.poll(async () => (await app.orders.get(order.id))?.status, { timeout: 10_000 }).toBe("pending");
    providerNow += 1_000; // the provider finishes the top-up
    await expect.poll(async () => (await app.orders.get(order.id))?.status, { timeout: 10_000 }).toBe("delivered");
    // Sweeping again after delivery changes nothing.
    await app.sweep();
    expect(provider.purchases.get(order.refId)).toBe(1);
    const delivered = await app.orders.get(order.id);
    expect(delivered?.purchaseAttempts).toBe(1);
    expect(delivered?.history.filter((step) => step.status === "delivered")).toHaveLength(1);
    expect(await app.wallet.verify(order.buyer)).toMatchObject({ balance: 50_000 - order.payment.amount, consistent: true });
  });

  it("is left alone while it is younger than the threshold", async () => {
    const { app, queue } = await setUp(0);
    await queue.pause();
    const order = await paidOrder(app);
    await (await queue.getJob(runId(order.id, "paid-0")))!.remove();
    // The default threshold (2 min): an order paid just now is not yet presumed lost.
    const recovery = new Recovery({ orders: app.orders, wallet: app.wallet, fulfilment: app.fulfilment, redis: app.redis, logger: silentLogger });
    expect(await recovery.requeueStalled(await app.orders.active())).toBe(0);
    expect(await queue.getJob(runId(order.id, "paid-0"))).toBeUndefined();
    expect((await app.orders.get(order.id))?.status).toBe("paid");
  });

  it("does not hurry a job that is still queued (a turned-away purchase waiting to be retried)", async () => {
    const { app, queue } = await setUp(0);
    await queue.pause();
    const order = await paidOrder(app);
    await (await queue.getJob(runId(order.id, "paid-0")))!.remove();
    // As after a 429: the placement is queued again, a while from now.
    await app.fulfilment.enqueue(order, 60_000);
    await queue.resume();
    await app.sweep();
    const job = await queue.getJob(runId(order.id, "paid-0"));
    expect(await job?.getState()).toBe("delayed");
    expect(await queue.getJobCounts("waiting", "active", "delayed")).toMatchObject({ waiting: 0, active: 0, delayed: 1 });
    expect((await app.orders.get(order.id))?.status).toBe("paid");
  });

  it("a pending order whose follow-up job was lost is looked at again by the sweep", async () => {
    // The next look is a minute away: only the sweep can bring the lost one back sooner.
    const slow: FollowUpPlan = { delayMs: () => 60_000, giveUpAfterMs: 24 * 60 * 60_000, maxTransientAttempts: 3, placingGraceMs: 1_000 };
    const { app, provider, queue } = await setUp(0, slow);
    const order = await paidOrder(app);
    await expect.poll(async () => (await app.orders.get(order.id))?.status, { timeout: 10_000 }).toBe("pending");
    const follow = await queue.getJob(runId(order.id, "follow"));
    expect(await follow?.getState()).toBe("delayed");
    await follow!.remove();
    providerNow += 1_000; // the provider has it ready now
    await app.sweep();
    await expect.poll(async () => (await app.orders.get(order.id))?.status, { timeout: 10_000 }).toBe("delivered");
    expect(provider.purchases.get(order.refId)).toBe(1);
  });
});
