/**
 * Test-only process for the own-stock crash test: on `REDIS_URL` under `REDIS_KEY_PREFIX`, it
 * keeps creating orders for product `CRASH` (each creation holds one item through the real
 * `OrderStore` + `Reservations`) and buying half of them (the provider's purchase takes the
 * hold), 16 at a time, until it is SIGKILLed. It prints `busy` once it has started.
 */
import { Redis } from "ioredis";
import { Reservations } from "../../src/commerce/reservations.js";
import { OrderStore, SoldOutError } from "../../src/commerce/orders.js";
import { silentLogger } from "../../src/logger.js";
import { ownStockModule } from "../../src/providers/ownstock/module.js";
import { asProviderProduct } from "../../src/providers/ownstock/adapter.js";

const redis = new Redis(process.env.REDIS_URL!, { keyPrefix: process.env.REDIS_KEY_PREFIX! });
const stock = ownStockModule.build({ redis, dataKey: Buffer.from(process.env.KEY_HEX!, "hex"), alerts: { alert: async () => {} }, outbox: { send: async () => {} }, logger: silentLogger });
const reservations = new Reservations({ providers: new Map([["stock", stock]]), holdMs: 60_000, logger: silentLogger });
const orders = new OrderStore(redis, [reservations.onTransition], reservations);
const [view] = (await stock.list()).filter((product) => product.code === "CRASH");
const product = asProviderProduct(view!);
const { meta: _meta, fixedPrice: _price, multiUnit: _multi, ...snapshot } = product;

let n = 0;
async function lane(): Promise<void> {
  for (;;) {
    n++;
    try {
      const order = await orders.create({
        buyer: `console:crash${n}`,
        channel: "console",
        chatId: `crash${n}`,
        locale: "id",
        product: { ...snapshot, code: "CRASH" },
        inputs: {},
        price: 1_000,
        cost: 0,
        payment: { method: "wallet", amount: 1_000 },
      });
      if (n % 2 === 0) await stock.placeOrder({ orderId: order.id, refId: order.refId, product, inputs: {}, payment: "direct" });
    } catch (error) {
      if (!(error instanceof SoldOutError)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    if (n === 20) process.stdout.write("busy\n");
  }
}
await Promise.all(Array.from({ length: 16 }, () => lane()));
