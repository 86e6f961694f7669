/**
 * Integration: Wallet against real Redis. Concurrent debits never overdraw, concurrent credits
 * and debits keep balance and ledger equal, entry ids are applied once, bad amounts are refused,
 * and the ledger reads newest first. Concurrency runs over several connections so commands from
 * different callers really interleave at the server.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { Wallet, type MoveResult } from "../../src/commerce/wallet.js";
import { keys } from "../../src/store/keys.js";
import { freshRedis, testRedisUrl } from "../helpers/redis.js";

const buyer = "telegram:1001";

describe("Wallet on real Redis", () => {
  let redis: Redis;
  let prefix: string;
  let cleanup: () => Promise<void>;
  let wallet: Wallet;
  let wallets: Wallet[];
  const extraClients: Redis[] = [];

  beforeEach(async () => {
    ({ redis, prefix, cleanup } = await freshRedis("wallet"));
    wallet = new Wallet(redis);
    wallets = [wallet];
    for (let i = 0; i < 3; i++) {
      const client = new Redis(testRedisUrl, { keyPrefix: prefix, lazyConnect: true });
      await client.connect();
      extraClients.push(client);
      wallets.push(new Wallet(client));
    }
  });

  afterEach(async () => {
    for (const client of extraClients.splice(0)) client.disconnect();
    await cleanup();
  });

  /** The wallet instance (connection) for the i-th concurrent caller. */
  const via = (i: number): Wallet => wallets[i % wallets.length]!;

  it("lets exactly 10 of 100 concurrent debits of 10 through a balance of 100", async () => {
    await wallet.credit(buyer, 100, { id: "topup:seed", reason: "topup" });

    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => via(i).debit(buyer, 10, { id: `pay:ORD-${i}`, reason: "purchase", orderId: `ORD-${i}` })),
    );

    const succeeded = results.filter((result) => result.ok);
    const refused = results.filter((result): result is Extract<MoveResult, { ok: false }> => !result.ok);
    expect(succeeded).toHaveLength(10);
    expect(refused).toHaveLength(90);
    expect(refused.every((result) => result.reason === "insufficient")).toBe(true);
    // No caller ever saw a negative balance, and each success left a distinct balance 90…0.
    expect(results.every((result) => result.balance >= 0)).toBe(true);
    expect(succeeded.map((result) => result.balance).sort((a, b) => a - b)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);

    expect(await wallet.balance(buyer)).toBe(0);
    expect(await redis.llen(keys.ledger(buyer))).toBe(11);
    expect(await wallet.verify(buyer)).toEqual({ balance: 0, ledgerSum: 0, consistent: true });
    // Refused debits leave no ledger id behind, so they may be tried again after a top-up.
    expect(await redis.hlen(keys.ledgerIds(buyer))).toBe(11);
  });

  it("keeps balance equal to the ledger sum under mixed concurrent credits and debits", async () => {
    await wallet.credit(buyer, 5_000, { id: "topup:seed", reason: "topup" });
    const credits = Array.from({ length: 60 }, (_, i) => 100 + ((i * 37) % 900));
    const debits = Array.from({ length: 60 }, (_, i) => 200 + ((i * 53) % 1_300));

    const moves: Promise<{ kind: "credit" | "debit"; amount: number; result: MoveResult }>[] = [];
    for (let i = 0; i < 60; i++) {
      const credit = credits[i]!;
      const debit = debits[i]!;
      moves.push(via(i).credit(buyer, credit, { id: `topup:${i}`, reason: "topup" }).then((result) => ({ kind: "credit", amount: credit, result })));
      moves.push(via(i + 1).debit(buyer, debit, { id: `pay:${i}`, reason: "purchase" }).then((result) => ({ kind: "debit", amount: debit, result })));
    }
    const done = await Promise.all(moves);

    expect(done.every(({ result }) => result.balance >= 0)).toBe(true);
    expect(done.filter(({ kind }) => kind === "credit").every(({ result }) => result.ok)).toBe(true);
    const expected =
      5_000 +
      credits.reduce((sum, amount) => sum + amount, 0) -
      done.filter(({ kind, result }) => kind === "debit" && result.ok).reduce((sum, { amount }) => sum + amount, 0);

    const check = await wallet.verify(buyer);
    expect(check).toEqual({ balance: expected, ledgerSum: expected, consistent: true });
    const applied = done.filter(({ result }) => result.ok).length;
    expect(await redis.llen(keys.ledger(buyer))).toBe(applied + 1);
  });

  it("applies an entry id only once, also when repeated concurrently", async () => {
    const first = await wallet.credit(buyer, 5_000, { id: "refund:ORD-A", reason: "refund", orderId: "ORD-A" });
    const again = await wallet.credit(buyer, 5_000, { id: "refund:ORD-A", reason: "refund", orderId: "ORD-A" });
    expect(first).toEqual({ ok: true, balance: 5_000, applied: true });
    expect(again).toEqual({ ok: true, balance: 5_000, applied: false });

    const debit = await wallet.debit(buyer, 2_000, { id: "pay:ORD-B", reason: "purchase", orderId: "ORD-B" });
    const debitAgain = await wallet.debit(buyer, 2_000, { id: "pay:ORD-B", reason: "purchase", orderId: "ORD-B" });
    expect(debit).toEqual({ ok: true, balance: 3_000, applied: true });
    expect(debitAgain).toEqual({ ok: true, balance: 3_000, applied: false });

    const storm = await Promise.all(
      Array.from({ length: 20 }, (_, i) => via(i).credit(buyer, 700, { id: "late:QR-1", reason: "late_payment" })),
    );
    expect(storm.filter((result) => result.ok && result.applied)).toHaveLength(1);
    expect(await wallet.balance(buyer)).toBe(3_700);
    expect(await redis.llen(keys.ledger(buyer))).toBe(3);
    expect(await wallet.hasEntry(buyer, "late:QR-1")).toBe(true);
    expect(await wallet.hasEntry(buyer, "late:QR-2")).toBe(false);
    expect((await wallet.verify(buyer)).consistent).toBe(true);
  });

  it("rejects amounts that are not positive whole rupiah and writes nothing", async () => {
    const bad = [0, -1, -500, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1];
    for (const amount of bad) {
      await expect(wallet.credit(buyer, amount, { id: `c:${amount}`, reason: "manual" }), `credit ${amount}`).rejects.toBeInstanceOf(RangeError);
      await expect(wallet.debit(buyer, amount, { id: `d:${amount}`, reason: "purchase" }), `debit ${amount}`).rejects.toBeInstanceOf(RangeError);
    }
    expect(await wallet.balance(buyer)).toBe(0);
    expect(await redis.exists(keys.wallet(buyer), keys.ledger(buyer), keys.ledgerIds(buyer))).toBe(0);
  });

  it("refuses a debit larger than the balance without touching it", async () => {
    await wallet.credit(buyer, 999, { id: "topup:1", reason: "topup" });
    expect(await wallet.debit(buyer, 1_000, { id: "pay:big", reason: "purchase" })).toEqual({ ok: false, balance: 999, reason: "insufficient" });
    expect(await wallet.balance(buyer)).toBe(999);
    expect(await wallet.hasEntry(buyer, "pay:big")).toBe(false);
  });

  it("lists the ledger newest first, with signed amounts and the given fields", async () => {
    await wallet.credit(buyer, 10_000, { id: "topup:1", reason: "topup", note: "QRIS" });
    await wallet.debit(buyer, 3_000, { id: "pay:ORD-1", reason: "purchase", orderId: "ORD-1" });
    await wallet.credit(buyer, 3_000, { id: "refund:ORD-1", reason: "refund", orderId: "ORD-1" });
    await wallet.credit(buyer, 500, { id: "manual:1", reason: "manual", by: "admin:42" });

    const ledger = await wallet.ledger(buyer);
    expect(ledger.map((entry) => [entry.id, entry.amount, entry.reason])).toEqual([
      ["manual:1", 500, "manual"],
      ["refund:ORD-1", 3_000, "refund"],
      ["pay:ORD-1", -3_000, "purchase"],
      ["topup:1", 10_000, "topup"],
    ]);
    expect(ledger[0]!.by).toBe("admin:42");
    expect(ledger[2]!.orderId).toBe("ORD-1");
    expect(ledger[3]!.note).toBe("QRIS");
    expect(ledger.every((entry, i) => i === 0 || entry.at <= ledger[i - 1]!.at)).toBe(true);

    expect((await wallet.ledger(buyer, 2)).map((entry) => entry.id)).toEqual(["manual:1", "refund:ORD-1"]);
    expect(await wallet.ledger("telegram:nobody")).toEqual([]);
    expect(await wallet.verify(buyer)).toEqual({ balance: 10_500, ledgerSum: 10_500, consistent: true });
  });

  it("keeps each buyer's money apart", async () => {
    await wallet.credit(buyer, 1_000, { id: "topup:1", reason: "topup" });
    // The same entry id for another buyer is a different entry.
    expect(await wallet.credit("telegram:2002", 400, { id: "topup:1", reason: "topup" })).toEqual({ ok: true, balance: 400, applied: true });
    expect(await wallet.debit("telegram:2002", 500, { id: "pay:x", reason: "purchase" })).toMatchObject({ ok: false, balance: 400 });
    expect(await wallet.balance(buyer)).toBe(1_000);
  });
});
