/**
 * Two worker processes on the same queue and the same Redis prefix, started at the same time.
 *
 * Both run `src/main.ts` as ROLE=worker, both run the start-up sweep over the same 50 paid orders
 * (one may sweep while the other already has purchases on the wire), and 50 more orders arrive
 * through the ROLE=bot App while both work, against a slow ICS-Store fake. Each order must be
 * bought once (counted at the fake by refid), end delivered or refunded, and be announced once;
 * each worker must have done part of the work (its own /metrics), or the test proves nothing.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import type { Order } from "../../src/commerce/orders.js";
import {
  allEnded,
  expectEndedAsItsSkuSays,
  mixedSku,
  noticesAbout,
  random,
  seedPaidOrder,
  sleep,
  slowSupplier,
  startRig,
  textsTo,
  type Rig,
} from "./support.js";

describe("two workers on the same queue", () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig("wbfaults:pair:");
  });

  afterAll(async () => {
    await rig?.close();
  });

  it("buys each of 100 orders once and tells each buyer once", async () => {
    const { ics, bot, telegram } = rig;
    onTestFailed(() => console.error(rig.log.dump()));
    slowSupplier(ics, random(7), [100, 600], [50, 300]);

    let chat = 6_300_000;
    const seedOrder = (i: number) => seedPaidOrder(bot, { channel: "telegram", chatId: String(++chat) }, mixedSku(i));
    const orders: Order[] = [];
    for (let i = 0; i < 50; i++) orders.push(await seedOrder(i));

    const workers = [rig.spawn("workerA"), rig.spawn("workerB")];
    await Promise.all(workers.map((worker) => worker.ready));
    for (let batch = 0; batch < 5; batch++) {
      for (let i = 0; i < 10; i++) {
        const order = await seedOrder(orders.length);
        orders.push(order);
        await bot.fulfilment.enqueue(order);
      }
      await sleep(300);
    }

    const ended = await allEnded(bot.orders, orders.map((order) => order.id), 60_000);
    // A duplicate purchase or message from the other worker would show up within this.
    await sleep(1_500);

    for (const order of ended) {
      await expectEndedAsItsSkuSays(ics, bot.wallet, order);
      expect(noticesAbout(bot.translator, order, textsTo(telegram, order.chatId)), `${order.id} notices`).toEqual([order.status]);
    }
    for (const worker of workers) {
      expect(await worker.metric('warung_order_transitions_total{status="placing"}'), worker.name).toBeGreaterThan(0);
    }
  }, 120_000);
});
