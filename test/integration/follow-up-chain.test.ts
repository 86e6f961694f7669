/**
 * One follow-up chain per order: a pending order is looked at by one run at a time, and provider
 * webhooks (hints) and an admin's /retry move that run earlier instead of starting another
 * status-polling loop beside it. Through the real app and HTTP server, ICS-Store's fake, with
 * BullMQ on real Redis and with the in-process scheduler.
 */
import { afterEach, describe, expect, it } from "vitest";
import { AdminOperations } from "../../src/admin/operations.js";
import type { Order } from "../../src/commerce/orders.js";
import type { QueuedRun } from "../../src/jobs/scheduler.js";
import { IcsstoreFake } from "../fakes/icsstore-server.js";
import { startTestApp, testProviders, type TestApp } from "../helpers/app.js";

const webhookSecret = "ics-webhook-secret-chain-0123";

let shop: TestApp | undefined;
let ics: IcsstoreFake | undefined;

afterEach(async () => {
  await shop?.cleanup();
  await ics?.close();
  shop = undefined;
  ics = undefined;
});

/** The next look is a minute away: nothing moves unless a hint or a retry brings it forward. */
const slowFollowUps = { delayMs: () => 60_000, giveUpAfterMs: 24 * 60 * 60_000, maxTransientAttempts: 3, placingGraceMs: 1_000 };

async function pendingOrder(scheduler: "bullmq" | "in-process") {
  ics = await IcsstoreFake.start();
  ics.scenario = { kind: "pending", checks: 1_000_000, note: "SN 1" };
  const env = { ICSSTORE_BASE_URL: ics.url, ICSSTORE_API_KEY: ics.apiKey, ICSSTORE_WEBHOOK_SECRET: webhookSecret };
  shop = await startTestApp(env, {
    providers: testProviders(env),
    followUpPlan: slowFollowUps,
    ...(scheduler === "in-process" ? { bullmq: undefined } : {}),
  });
  const { app } = shop;
  const port = await app.http.listen(0, "127.0.0.1");
  const order = await app.orders.create({
    buyer: "telegram:5001",
    channel: "telegram",
    chatId: "5001",
    locale: "id",
    product: { code: "XLA10", provider: "icsstore", sku: "XLA10", name: "XL AXIS 10GB", category: "data", group: "XLA", basePrice: 20_000, stock: 50, input: "phone", delivery: "serial" },
    inputs: { phone: "081234567890" },
    price: 21_000,
    cost: 20_000,
    payment: { method: "wallet", amount: 21_000, paidAt: Date.now() },
    status: "paid",
  });
  await app.fulfilment.enqueue(order);
  await expect.poll(async () => (await app.orders.get(order.id))?.status, { timeout: 10_000 }).toBe("pending");
  const hint = () =>
    fetch(`http://127.0.0.1:${port}/webhooks/icsstore/${webhookSecret}`, {
      method: "POST",
      body: JSON.stringify({ refid: order.refId, status: "success" }),
      headers: { "content-type": "application/json" },
    });
  return { app, order, hint, ics };
}

/**
 * Waits until the order's runs are all waiting for their time (none due or running), and returns
 * them as seen then. A run moving between states can be missed by one look, so an empty look
 * does not count as settled.
 */
async function settledRuns(app: TestApp["app"], order: Order): Promise<QueuedRun[]> {
  let seen: QueuedRun[] = [];
  await expect
    .poll(
      async () => {
        seen = await app.jobs.runs(order.id);
        return seen.length > 0 && seen.every((run) => run.state === "delayed");
      },
      { timeout: 10_000 },
    )
    .toBe(true);
  return seen;
}

describe.each(["bullmq", "in-process"] as const)("follow-ups with the %s scheduler", (scheduler) => {
  it("keeps one chain through 30 webhook hints and an admin /retry, each moving it earlier", async () => {
    const { app, order, hint, ics } = await pendingOrder(scheduler);
    expect(await settledRuns(app, order)).toHaveLength(1);

    const answers = await Promise.all(Array.from({ length: 30 }, hint));
    expect(answers.map((answer) => answer.status)).toEqual(Array(30).fill(200));
    const operations = new AdminOperations({ orders: app.orders, wallet: app.wallet, fulfilment: app.fulfilment });
    expect(await operations.retry(order.id, "telegram:1")).toMatchObject({ kind: "queued" });

    const runs = await settledRuns(app, order);
    expect(runs.map((run) => run.id)).toEqual([`${order.id}_follow`]);

    // The one chain still answers a hint at once, not a minute later, and stays one.
    const checks = ics.count("checkTransaction");
    expect((await hint()).status).toBe(200);
    await expect.poll(() => ics.count("checkTransaction"), { timeout: 10_000 }).toBe(checks + 1);
    expect(await settledRuns(app, order)).toHaveLength(1);
    expect((await app.orders.get(order.id))?.status).toBe("pending");
  });
});
