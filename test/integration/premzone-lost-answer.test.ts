/**
 * Premzone cannot look a purchase up by our reference, so a buy whose answer was lost leaves the
 * order `placing` with no reference, for an admin. Its webhook names the transaction: the shop
 * asks premzone which plan it bought, and when exactly one lost order bought that plan, that
 * order takes the reference and is finished through the API (delivered once, never bought again).
 * Through the real app and HTTP server against premzone's fake.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { NewOrder } from "../../src/commerce/orders.js";
import { startPremzoneFake, type PremzoneFake } from "../fakes/premzone-server.js";
import { startTestApp, testProviders, type TestApp } from "../helpers/app.js";

const secret = "premzone-webhook-secret-lost";

let shop: TestApp | undefined;
let premzone: PremzoneFake | undefined;

afterEach(async () => {
  await shop?.cleanup();
  await premzone?.close();
  shop = undefined;
  premzone = undefined;
});

/** Looks come quickly; an order mid-purchase is looked at again after 50 ms. */
const quickFollowUps = { delayMs: () => 50, giveUpAfterMs: 24 * 60 * 60_000, maxTransientAttempts: 3, placingGraceMs: 50 };

async function start() {
  premzone = await startPremzoneFake();
  const env = {
    PREMZONE_BASE_URL: premzone.url,
    PREMZONE_API_KEY: premzone.apiKey,
    PREMZONE_EMAIL: premzone.email,
    PREMZONE_PLANS: "gold:90000,basic:50000",
    PREMZONE_WEBHOOK_SECRET: secret,
    PROVIDER_TIMEOUT_MS: "1000",
  };
  shop = await startTestApp(env, { providers: testProviders(env), followUpPlan: quickFollowUps });
  const port = await shop.app.http.listen(0, "127.0.0.1");
  const webhook = (reference: string, status = "success") =>
    fetch(`http://127.0.0.1:${port}/webhooks/premzone`, {
      method: "POST",
      body: JSON.stringify({ reference, status }),
      headers: { "content-type": "application/json", "x-api-secret": secret, "x-webhook-event": "TRX_STATUS_UPDATE" },
    });
  return { app: shop.app, fake: premzone, webhook };
}

function paidOrder(chat: string, plan: string, email: string): NewOrder {
  const price = plan === "gold" ? 90_000 : 50_000;
  return {
    buyer: `telegram:${chat}`,
    channel: "telegram",
    chatId: chat,
    locale: "id",
    product: { code: `PZ-${plan.toUpperCase()}`, provider: "premzone", sku: plan, name: `Premzone ${plan}`, category: "plan", group: "Premzone", basePrice: price, stock: null, input: "gmail", delivery: "plan", meta: { plan } },
    inputs: { email },
    price,
    cost: price,
    payment: { method: "wallet", amount: price, paidAt: Date.now() },
    status: "paid",
  };
}

/** Places the order while premzone takes the buy but its answer never arrives. */
async function lostBuy(app: TestApp["app"], fake: PremzoneFake, order: NewOrder) {
  fake.fault("/api/transactions/buy", { type: "timeout" });
  const created = await app.orders.create(order);
  await app.fulfilment.enqueue(created);
  await expect.poll(async () => (await app.orders.get(created.id))?.attention, { timeout: 10_000 }).toBeTruthy();
  const stuck = (await app.orders.get(created.id))!;
  expect(stuck).toMatchObject({ status: "placing" });
  expect(stuck.providerRef).toBeUndefined();
  return stuck;
}

describe("a premzone buy whose answer was lost", () => {
  it("is finished by its webhook: matched by plan, confirmed through the API, delivered once", async () => {
    const { app, fake, webhook } = await start();
    const order = await lostBuy(app, fake, paidOrder("6001", "gold", "budi.santoso@gmail.com"));
    const [transaction] = [...fake.transactions.values()];
    expect(transaction).toBeDefined();

    const answer = await webhook(transaction!.reference);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ matched: true });
    await expect.poll(async () => (await app.orders.get(order.id))?.status, { timeout: 10_000 }).toBe("delivered");
    const done = await app.orders.get(order.id);
    expect(done?.providerRef).toBe(transaction!.reference);
    expect(fake.requestsTo("/api/transactions/buy")).toHaveLength(1);
    // A repeated webhook now finds the order by its reference and changes nothing.
    expect((await webhook(transaction!.reference)).status).toBe(200);
    expect(fake.requestsTo("/api/transactions/buy")).toHaveLength(1);
  });

  it("is not guessed between two lost orders of the same plan: both stay with the admins", async () => {
    const { app, fake, webhook } = await start();
    const first = await lostBuy(app, fake, paidOrder("6002", "gold", "ani.wijaya@gmail.com"));
    const second = await lostBuy(app, fake, paidOrder("6003", "gold", "rudi.hartono@gmail.com"));
    const [transaction] = [...fake.transactions.values()];

    const answer = await webhook(transaction!.reference);
    expect(answer.status).toBe(202);
    for (const order of [first, second]) {
      const now = await app.orders.get(order.id);
      expect(now).toMatchObject({ status: "placing" });
      expect(now?.providerRef).toBeUndefined();
    }
  });

  it("is not matched to a lost order of another plan", async () => {
    const { app, fake, webhook } = await start();
    const order = await lostBuy(app, fake, paidOrder("6004", "basic", "sari.dewi@gmail.com"));
    // The webhook's transaction turns out to be a gold plan (bought elsewhere): not this order's.
    const lostReference = [...fake.transactions.values()][0]!.reference;
    fake.transactions.get(lostReference)!.plan = "gold";

    expect((await webhook(lostReference)).status).toBe(202);
    expect((await app.orders.get(order.id))?.providerRef).toBeUndefined();
  });
});
