/**
 * Own stock survives SIGKILL mid-allocation: a process holding and buying items 16 at a time is
 * killed at random moments, five times over. Holds are one Lua script each, so no kill can split
 * one; what a kill leaves is orders awaiting payment with held items, or held items whose order
 * never got its purchase. After the sweep runs past the holds' deadline, every item is either
 * available again or sold to exactly one order: none lost, none twice.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OrderStore } from "../../src/commerce/orders.js";
import { Reservations } from "../../src/commerce/reservations.js";
import { silentLogger } from "../../src/logger.js";
import { ownStockModule } from "../../src/providers/ownstock/module.js";
import { keys } from "../../src/store/keys.js";
import { exited } from "../helpers/private-redis.js";
import { freshRedis, testRedisUrl } from "../helpers/redis.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const keyHex = randomBytes(32).toString("hex");
let fresh: Awaited<ReturnType<typeof freshRedis>>;

beforeAll(async () => {
  fresh = await freshRedis("stock-crash");
});
afterAll(async () => fresh.cleanup());

/** Runs the allocating process until it is busy, then SIGKILLs it after `afterMs`. */
async function runAndKill(afterMs: number): Promise<void> {
  const child = spawn(process.execPath, ["--import", "tsx", "test/faults/stock-alloc-entry.ts"], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", REDIS_URL: testRedisUrl, REDIS_KEY_PREFIX: fresh.prefix, KEY_HEX: keyHex },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => line === "busy" && resolve());
    child.once("exit", (code) => reject(new Error(`allocator exited (${code}) before it was busy`)));
  });
  await new Promise((resolve) => setTimeout(resolve, afterMs));
  child.kill("SIGKILL");
  await exited(child);
}

describe("own stock under SIGKILL", () => {
  it("loses no item and sells none twice across five kills mid-allocation", async () => {
    const { redis } = fresh;
    const stock = ownStockModule.build({ redis, dataKey: Buffer.from(keyHex, "hex"), alerts: { alert: async () => {} }, outbox: { send: async () => {} }, logger: silentLogger });
    await stock.create({ code: "CRASH", name: "Crash", price: 1_000 });
    const total = 3_000;
    await stock.upload("CRASH", Array.from({ length: total }, (_, i) => `ITEM-${i}`));

    for (let round = 0; round < 5; round++) await runAndKill(20 + Math.floor(Math.random() * 300));

    // Orders the killed process left awaiting payment expire with their payment; the sweep then
    // returns every hold not taken (missing order, unpaid past its deadline).
    const reservations = new Reservations({ providers: new Map([["stock", stock]]), holdMs: 60_000, logger: silentLogger });
    const orders = new OrderStore(redis, [], reservations);
    while ((await reservations.sweep(orders, Date.now() + 24 * 60 * 60_000)) > 0);

    const [product] = await stock.list();
    expect(product!.reserved).toBe(0);
    expect(product!.available + product!.sold).toBe(total);
    // Every item id is in exactly one place: the available list or one taken hold.
    const available = await redis.lrange(keys.stockAvailable("CRASH"), 0, -1);
    const holdKeys: string[] = [];
    let cursor = "0";
    do {
      const [next, found] = await redis.scan(cursor, "MATCH", `${fresh.prefix}${keys.stockReservation("*")}`, "COUNT", 1000);
      cursor = next;
      holdKeys.push(...found.map((key) => key.slice(fresh.prefix.length)));
    } while (cursor !== "0");
    const taken: string[] = [];
    for (const key of holdKeys) {
      const [state, ids] = await redis.hmget(key, "state", "ids");
      expect(state).toBe("taken");
      taken.push(...(ids ?? "").split(","));
    }
    expect(taken.length).toBe(product!.sold);
    const everywhere = [...available, ...taken];
    expect(everywhere.length).toBe(total);
    expect(new Set(everywhere).size).toBe(total);
    expect(product!.sold).toBeGreaterThan(0);
  });
});
