/**
 * Exports against real Redis: orders and ledger entries of a WIB month (edges included, the
 * neighbouring months left out), a buyer whose ledger spans several pages, and the totals the
 * caption states.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Redis } from "ioredis";
import { exportFile, exportPeriod } from "../../src/admin/exports.js";
import { OrderStore, type NewOrder } from "../../src/commerce/orders.js";
import { Wallet } from "../../src/commerce/wallet.js";
import { freshRedis } from "../helpers/redis.js";
import { phrase } from "../helpers/shown.js";
import { formatRupiah } from "../../src/core/money.js";

let redis: Redis;
let cleanup: () => Promise<void>;
let orders: OrderStore;
let wallet: Wallet;

beforeEach(async () => {
  ({ redis, cleanup } = await freshRedis("exports"));
  orders = new OrderStore(redis);
  wallet = new Wallet(redis);
});
afterEach(async () => {
  vi.restoreAllMocks();
  await cleanup();
});

const wib = (text: string) => Date.parse(`${text}+07:00`);

function newOrder(buyer: string, price: number): NewOrder {
  return {
    buyer,
    channel: "telegram",
    chatId: buyer.split(":")[1]!,
    locale: "id",
    product: { code: "SB-ML86", provider: "sandbox", sku: "ML86", name: "86 Diamonds", category: "game", group: "Mobile Legends", basePrice: price - 1_000, stock: null, input: "game_id_zone", delivery: "serial" },
    inputs: { userId: "12345678", zoneId: "1234" },
    price,
    cost: price - 1_000,
    payment: { method: "wallet", amount: price },
  };
}

/** Applies a ledger move as if made at `at`. */
async function moveAt(at: number, move: () => Promise<unknown>): Promise<void> {
  const now = vi.spyOn(Date, "now").mockReturnValue(at);
  try {
    await move();
  } finally {
    now.mockRestore();
  }
}

function table(csv: Buffer): string[][] {
  return csv
    .subarray(3)
    .toString("utf8")
    .split("\r\n")
    .filter((line) => line.length > 0)
    .map((line) => line.split(","));
}

describe("export of a WIB month", () => {
  it("lists the month's orders, edges included, and totals them", async () => {
    await orders.create(newOrder("telegram:1", 10_000), wib("2024-12-31T23:59:59.999"));
    const first = await orders.create(newOrder("telegram:1", 20_000), wib("2025-01-01T00:00:00"));
    const last = await orders.create(newOrder("telegram:2", 30_000), wib("2025-01-31T23:59:59.999"));
    await orders.create(newOrder("telegram:2", 40_000), wib("2025-02-01T00:00:00"));

    const made = await exportFile({ orders, wallet }, "orders", exportPeriod("2025-01"));
    expect(made.fileName).toBe("orders-2025-01.csv");
    const rows = table(made.csv);
    expect(rows.slice(1, -2).map((row) => [row[0], row[1]])).toEqual([
      [first.id, "2025-01-01 00:00:00"],
      [last.id, "2025-01-31 23:59:59"],
    ]);
    expect(rows.at(-2)).toEqual(["TOTAL (2)", "", "", "", "", "", "50000", "48000", "", ""]);
    expect(made.caption).toEqual([expect.objectContaining({ key: "admin-export-orders", args: expect.objectContaining({ count: 2, total: formatRupiah(50_000) }) })]);
  });

  it("lists every buyer's ledger entries of the month, across pages, oldest first, with totals", async () => {
    // A buyer with 450 entries (more than two pages) in the month, the newest 30 in February.
    for (let i = 0; i < 450; i++) await moveAt(wib("2025-01-10T00:00:00") + i * 60_000, () => wallet.credit("telegram:1", 1_000, { id: `t:${i}`, reason: "topup" }));
    for (let i = 0; i < 30; i++) await moveAt(wib("2025-02-02T00:00:00") + i * 60_000, () => wallet.debit("telegram:1", 500, { id: `p:${i}`, reason: "purchase" }));
    await moveAt(wib("2024-12-31T23:00:00"), () => wallet.credit("whatsapp:6281", 9_000, { id: "old", reason: "topup" }));
    await moveAt(wib("2025-01-31T23:59:59"), () => wallet.credit("whatsapp:6281", 5_000, { id: "edge", reason: "manual", note: "-fix" }));
    await moveAt(wib("2025-01-20T00:00:00"), () => wallet.debit("whatsapp:6281", 2_000, { id: "pay:ORD-X", reason: "purchase", orderId: "ORD-X" }));

    const made = await exportFile({ orders, wallet }, "ledger", exportPeriod("2025-01"));
    const rows = table(made.csv);
    const entries = rows.slice(1, -3);
    expect(entries).toHaveLength(452);
    expect(entries.filter((row) => row[2] === "telegram:1")).toHaveLength(450);
    const times = entries.map((row) => row[1]!);
    expect([...times].sort()).toEqual(times);
    expect(entries.find((row) => row[0] === "pay:ORD-X")).toEqual(["pay:ORD-X", "2025-01-20 00:00:00", "whatsapp:6281", "-2000", "purchase", "ORD-X", ""]);
    expect(entries.at(-1)).toEqual(["edge", "2025-01-31 23:59:59", "whatsapp:6281", "5000", "manual", "", "'-fix"]);
    expect(rows.slice(-3).map((row) => [row[0], row[3]])).toEqual([
      ["TOTAL credits (451)", "455000"],
      ["TOTAL debits (1)", "-2000"],
      ["TOTAL net (452)", "453000"],
    ]);
    expect(phrase("admin-export-ledger", made.caption[0]!.args as Record<string, string>, "en")).toContain(formatRupiah(2_000));
  });
});
