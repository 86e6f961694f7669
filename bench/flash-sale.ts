/**
 * Benchmark 9: a flash sale of the shop's own stock — `BENCH_FLASH_BUYERS` buyers (1,000) walk
 * the checkout at once for `BENCH_FLASH_ITEMS` items (100), paying from their wallets — against
 * the same crowd buying a provider product (the sandbox's) in the same run. The real app in this
 * process (`buildApp`, ShopBot, in-process fulfilment) on real Redis under a fresh prefix, driven
 * through `shop.handle` like a channel would. Reported: items sold (must equal the items), items
 * delivered twice (must be 0), buyers told "habis" before paying, and the p99 latency of one
 * checkout message, stock against provider.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { buildApp, type App } from "../src/compose/app.js";
import { loadConfig } from "../src/config.js";
import { asList, type Reply } from "../src/core/reply.js";
import { silentLogger } from "../src/logger.js";
import { SandboxProvider } from "../src/providers/sandbox/adapter.js";
import { testRedisUrl } from "../test/helpers/redis.js";
import type { BenchConfig } from "./config.js";
import { fmt, row, type BenchResult } from "./report.js";
import { percentiles, sleep } from "./stats.js";

function keysOf(replies: Reply[]): string[] {
  return replies.flatMap((reply) => {
    if (reply.kind === "menu") return [...(reply.notices ?? []), ...asList(reply.title)].map((m) => m.key);
    return asList(reply.kind === "text" ? reply.text : reply.caption).map((m) => m.key);
  });
}

const soldOutKeys = new Set(["stock-sold-out", "product-out-of-stock"]);

/** One crowd buying `code`: every buyer answers "1" until paid or told it is gone. */
async function crowd(app: App, label: string, code: string, buyers: number): Promise<{ paid: string[]; soldOut: number; latencies: number[]; seconds: number }> {
  const ids = Array.from({ length: buyers }, (_, i) => `${label}${i}`);
  await Promise.all(ids.map((id) => app.wallet.credit(`console:${id}`, 1_000_000, { id: `sandbox:${label}:${id}`, reason: "sandbox_topup" })));
  const latencies: number[] = [];
  const say = async (id: string, text: string) => {
    const at = performance.now();
    const answer = await app.shop.handle({ channel: "console", chatId: id, userId: id, isGroup: false, text });
    latencies.push(performance.now() - at);
    return keysOf(answer.replies);
  };
  const paid: string[] = [];
  let soldOut = 0;
  const started = performance.now();
  await Promise.all(
    ids.map(async (id) => {
      let keys = await say(id, code);
      for (let step = 0; step < 5; step++) {
        if (keys.includes("order-paid")) return void paid.push(id);
        if (keys.some((key) => soldOutKeys.has(key))) return void soldOut++;
        keys = await say(id, "1");
      }
    }),
  );
  return { paid, soldOut, latencies, seconds: (performance.now() - started) / 1000 };
}

/** Waits until every paid buyer's order of `code` is delivered (or the time runs out); their delivered lines. */
async function deliveries(app: App, buyers: readonly string[], code: string, timeoutMs = 60_000): Promise<string[] | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const orders = (await Promise.all(buyers.map((id) => app.orders.ofBuyer(`console:${id}`, 3)))).flat().filter((o) => o.product.code === code && o.status !== "expired");
    if (orders.every((order) => order.status === "delivered")) {
      return orders.flatMap((order) => app.vault.open(order.delivered!, true).items.map((item) => item.value));
    }
    if (Date.now() > deadline) return null;
    await sleep(100);
  }
}

/** Runs benchmark 9. */
export async function flashSaleBench(config: BenchConfig): Promise<BenchResult> {
  const prefix = `wbbench:flash:${randomBytes(4).toString("hex")}:`;
  const redis = new Redis(testRedisUrl, { keyPrefix: prefix });
  const loaded = loadConfig({ CONSOLE: "off", DATA_ENCRYPTION_KEY: randomBytes(32).toString("hex"), SANDBOX: "on" });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const app = await buildApp({ config: loaded.config, logger: silentLogger, providers: [new SandboxProvider()], redis, httpPort: null });
  try {
    await app.start();
    const items = config.flashItems;
    await app.stock.create({ code: "FLASH", name: "Flash voucher", price: 10_000 });
    await app.stock.upload("FLASH", Array.from({ length: items }, (_, i) => `FLASH-ITEM-${i}`));

    const provider = await crowd(app, "prov", "SB-NFX1", config.flashBuyers);
    const stock = await crowd(app, "flash", "FLASH", config.flashBuyers);
    const delivered = (await deliveries(app, stock.paid, "FLASH")) ?? [];
    const duplicates = delivered.length - new Set(delivered).size;
    const stockP = percentiles(stock.latencies);
    const providerP = percentiles(provider.latencies);
    return {
      name: "flash-sale",
      summary: [
        row({ bench: "9 flash sale", metric: `items sold to ${config.flashBuyers} racing buyers`, value: stock.paid.length, unit: "items", target: `= ${items}`, met: stock.paid.length === items && delivered.length === items }),
        row({ bench: "9 flash sale", metric: "items delivered twice", value: duplicates, unit: "items", target: "0", met: duplicates === 0 }),
        row({
          bench: "9 flash sale",
          metric: "p99 latency of a checkout message, own stock",
          value: stockP.p99,
          unit: "ms",
          baseline: { label: "provider product", value: providerP.p99 },
        }),
      ],
      details: [
        {
          title: "Flash sale: own stock vs a provider product, same crowd, same run",
          header: ["crowd", "buyers", "paid", "told sold out", "messages", "p50 ms", "p95 ms", "p99 ms", "max ms", "wall s"],
          rows: [
            ["own stock", String(config.flashBuyers), String(stock.paid.length), String(stock.soldOut), String(stockP.n), fmt(stockP.p50), fmt(stockP.p95), fmt(stockP.p99), fmt(stockP.max), fmt(stock.seconds)],
            ["provider", String(config.flashBuyers), String(provider.paid.length), String(provider.soldOut), String(providerP.n), fmt(providerP.p50), fmt(providerP.p95), fmt(providerP.p99), fmt(providerP.max), fmt(provider.seconds)],
          ],
        },
      ],
      notes: [
        `Flash sale: ${items} items, ${config.flashBuyers} buyers at once; ${stock.soldOut} were told it was sold out before paying; ${delivered.length} items delivered, ${duplicates} twice.`,
      ],
      data: { items, buyers: config.flashBuyers, sold: stock.paid.length, soldOut: stock.soldOut, delivered: delivered.length, duplicates, stock: stockP, provider: providerP },
    };
  } finally {
    await app.stop().catch(() => undefined);
    const raw = new Redis(testRedisUrl);
    let cursor = "0";
    do {
      const [next, found] = await raw.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      cursor = next;
      if (found.length > 0) await raw.del(...found);
    } while (cursor !== "0");
    raw.disconnect();
  }
}
