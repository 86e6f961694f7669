/**
 * The own-stock store against real Redis: uploads (dedup without clear text), holds all-or-none,
 * idempotent take, release, and the race — 1,000 orders for the last 100 items on many
 * connections → exactly 100 held, 100 distinct items, nobody else.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reservations } from "../../src/commerce/reservations.js";
import { OwnStockProvider } from "../../src/providers/ownstock/adapter.js";
import { StockKeyMissingError, StockStore } from "../../src/providers/ownstock/stock-store.js";
import { silentLogger } from "../../src/logger.js";
import { keys } from "../../src/store/keys.js";
import { freshRedis, testRedisUrl } from "../helpers/redis.js";

const key = randomBytes(32);
let redis: Redis;
let prefix: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ redis, prefix, cleanup } = await freshRedis("own-stock"));
});
afterAll(async () => cleanup());

describe("StockStore", () => {
  it("seals items, skips duplicates within an upload and against unsold stock, and never stores clear text", async () => {
    const store = new StockStore(redis, key);
    expect(await store.createProduct({ code: "NF1", name: "Netflix", price: 25_000 })).toBe(true);
    expect(await store.createProduct({ code: "NF1", name: "again", price: 1 })).toBe(false);
    const first = await store.addItems("NF1", ["user1:secret-pw-1", "user2:secret-pw-2", "user1:secret-pw-1"]);
    expect(first).toMatchObject({ added: 2, duplicates: 1, available: 2 });
    const second = await store.addItems("NF1", ["user2:secret-pw-2", "user3:secret-pw-3"]);
    expect(second).toMatchObject({ added: 1, duplicates: 1, available: 3 });
    const raw = JSON.stringify(await redis.hgetall(keys.stockItems("NF1"))) + JSON.stringify(await redis.hgetall(keys.stockDedup("NF1")));
    expect(raw).not.toContain("secret-pw");
  });

  it("refuses to store items without DATA_ENCRYPTION_KEY", async () => {
    const store = new StockStore(redis, null);
    await expect(store.addItems("NF1", ["x"])).rejects.toBeInstanceOf(StockKeyMissingError);
  });

  it("holds all or none, takes the same items every time, and releases only what is not taken", async () => {
    const store = new StockStore(redis, key);
    await store.createProduct({ code: "VC", name: "Voucher", price: 10_000 });
    await store.addItems("VC", ["A", "B", "C"]);
    expect((await store.reserve("ORD-AAAAAAAA01", "VC", 4, Date.now() + 60_000)).ok).toBe(false);
    expect(await store.available("VC")).toBe(3);
    expect((await store.reserve("ORD-AAAAAAAA01", "VC", 2, Date.now() + 60_000)).ok).toBe(true);
    // Holding again for the same order changes nothing.
    expect(await store.reserve("ORD-AAAAAAAA01", "VC", 2, Date.now() + 60_000)).toEqual({ ok: true, available: 1 });
    const taken = await store.take("ORD-AAAAAAAA01", "VC");
    expect(taken).toEqual(["A", "B"]); // oldest first
    expect(await store.take("ORD-AAAAAAAA01", "VC")).toEqual(["A", "B"]);
    expect(await store.release("ORD-AAAAAAAA01")).toBe(0);
    // A sold item is never put on sale again (it would be delivered twice): counted as sold, not
    // added, in any later upload.
    expect(await store.addItems("VC", ["A", "D", "B", "A"])).toMatchObject({ added: 1, sold: 2, duplicates: 1, available: 2 });
    expect(await store.addItems("VC", ["B"])).toMatchObject({ added: 0, sold: 1, duplicates: 0, available: 2 });

    expect((await store.reserve("ORD-AAAAAAAA02", "VC", 2, Date.now() + 60_000)).ok).toBe(true);
    expect(await store.available("VC")).toBe(0);
    expect(await store.release("ORD-AAAAAAAA02")).toBe(2);
    expect(await store.available("VC")).toBe(2);
    expect(await store.take("ORD-AAAAAAAA02", "VC")).toBeNull();
    const [product] = (await store.products()).filter((p) => p.code === "VC");
    expect(product).toMatchObject({ available: 2, reserved: 0, sold: 2 });
  });

  it("1,000 orders racing for the last 100 items on 20 connections: exactly 100 held, 100 distinct items", async () => {
    const setup = new StockStore(redis, key);
    await setup.createProduct({ code: "RACE", name: "Flash", price: 5_000 });
    await setup.addItems("RACE", Array.from({ length: 100 }, (_, i) => `code-${i}`));
    const clients = Array.from({ length: 20 }, () => new Redis(testRedisUrl, { keyPrefix: prefix }));
    try {
      const stores = clients.map((client) => new StockStore(client, key));
      const results = await Promise.all(
        Array.from({ length: 1_000 }, async (_, i) => {
          const store = stores[i % stores.length]!;
          const orderId = `ORD-RACE${String(i).padStart(6, "0")}`;
          const held = await store.reserve(orderId, "RACE", 1, Date.now() + 60_000);
          return held.ok ? await store.take(orderId, "RACE") : null;
        }),
      );
      const sold = results.filter((items): items is string[] => items !== null).flat();
      expect(sold).toHaveLength(100);
      expect(new Set(sold).size).toBe(100);
      expect(await setup.available("RACE")).toBe(0);
      const [product] = (await setup.products()).filter((p) => p.code === "RACE");
      expect(product).toMatchObject({ sold: 100, reserved: 0 });
    } finally {
      for (const client of clients) client.disconnect();
    }
  });
});

describe("low-stock alert", () => {
  it("tells the admins once when the threshold is crossed, and again only after a restock above it", async () => {
    const store = new StockStore(redis, key);
    const alerts: string[] = [];
    const provider = new OwnStockProvider({ store, alerts: { alert: async (line) => void alerts.push(line.key) }, outbox: { send: async () => {} }, logger: silentLogger });
    await provider.create({ code: "LOW", name: "Low", price: 1_000 });
    await provider.update("LOW", { alert: 2 });
    await provider.upload("LOW", ["l1", "l2", "l3", "l4"]);
    const product = (await provider.listProducts()).find((p) => p.code === "LOW")!;
    const hold = (n: number) => provider.reserve({ orderId: `ORD-LOWSTOCK0${n}`, product, quantity: 1, untilMs: Date.now() + 60_000 });
    await hold(1); // 3 left
    expect(alerts).toEqual([]);
    await hold(2); // 2 left: crossed
    await hold(3); // 1 left: already told
    expect(alerts).toEqual(["admin-stock-low"]);
    await provider.upload("LOW", ["l5", "l6", "l7"]); // 4 left: above again
    await hold(4); // 3
    await hold(5); // 2: crossed again
    expect(alerts).toEqual(["admin-stock-low", "admin-stock-low"]);
  });
});

describe("Reservations sweep", () => {
  it("returns holds of missing, expired and unpaid-past-deadline orders, and extends paid ones", async () => {
    const store = new StockStore(redis, key);
    const provider = new OwnStockProvider({ store, alerts: { alert: async () => {} }, outbox: { send: async () => {} }, logger: silentLogger });
    await store.createProduct({ code: "SW", name: "Sweep", price: 1_000 });
    await store.addItems("SW", ["s1", "s2", "s3"]);
    const past = Date.now() - 1;
    await store.reserve("ORD-SWEEPMISS1", "SW", 1, past);
    await store.reserve("ORD-SWEEPPAID1", "SW", 1, past);
    await store.reserve("ORD-SWEEPEXPD1", "SW", 1, past);
    const status: Record<string, string> = { "ORD-SWEEPPAID1": "placing", "ORD-SWEEPEXPD1": "expired" };
    const reservations = new Reservations({ providers: new Map([["stock", provider]]), holdMs: 60_000, logger: silentLogger });
    const orders = { get: async (id: string) => (status[id] ? ({ id, status: status[id] } as never) : null) };
    expect(await reservations.sweep(orders)).toBe(2);
    expect(await store.available("SW")).toBe(2);
    expect((await store.reservation("ORD-SWEEPPAID1"))?.state).toBe("reserved");
    expect(await store.dueReservations(Date.now(), 10)).toEqual([]);
  });
});
