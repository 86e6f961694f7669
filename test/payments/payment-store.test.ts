/**
 * Integration: PaymentStore on real Redis under a fresh prefix per test.
 *
 * - unique totals: 200 payments of one price opened at once all get different totals, each
 *   found again by its total; a total freed by paying or expiring its payment can be taken again;
 * - move() is a compare-and-set: of 20 concurrent open → paid moves exactly one wins;
 * - matchReport() matches the gateway's report to a payment confirmed by hand at most once;
 * - claimExpired hands each due id to exactly one of many concurrent callers;
 * - a total freed by expiry is held for its payment for a day before another may take it;
 * - one buyer holds at most the allowed number of open payments, also when opening many at once;
 * - callback references: what a reference did is recorded once; a move naming a reference that
 *   already did something else does nothing.
 */
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { channels } from "../../src/core/inbound.js";
import { locales } from "../../src/core/message.js";
import { PaymentStore, type OpenInput, type Payment } from "../../src/payments/payment-store.js";
import { freshRedis } from "../helpers/redis.js";

let redis: Redis;
let prefix: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ redis, prefix, cleanup } = await freshRedis("payments-store"));
});
afterEach(async () => {
  await cleanup();
});

const base = 25_000;

/** Opens a payment, or throws "no free unique amount (<why>)" when the store refuses. */
async function openIn(store: PaymentStore, what: OpenInput): Promise<Payment> {
  const opened = await store.open(what);
  if (!opened.ok) throw new Error(`no free unique amount (${opened.reason})`);
  return opened.payment;
}

/** Lets the hold on an expired payment's total lapse, as a day later. */
async function lapseHold(total: number): Promise<void> {
  await redis.hset("payments:held-until", String(total), "0");
}

function input(overrides: Partial<OpenInput> = {}): OpenInput {
  const now = Date.now();
  const id = `ORD-${randomBytes(5).toString("hex").toUpperCase()}`;
  return {
    id,
    kind: "order",
    purpose: `order:${id}`,
    buyer: `console:${id}`,
    channel: "console",
    chatId: "store",
    locale: "id",
    baseAmount: base,
    createdAt: now,
    expiresAt: now + 60_000,
    ...overrides,
  };
}

describe("PaymentStore unique totals", () => {
  it("gives 200 payments of the same price, opened concurrently, 200 different totals", async () => {
    const store = new PaymentStore(redis, 999);
    const opened = await Promise.all(Array.from({ length: 200 }, () => openIn(store, input())));

    const totals = opened.map((p) => p.amount);
    expect(new Set(totals).size).toBe(200);
    for (const payment of opened) {
      expect(payment.status).toBe("open");
      expect(payment.uniqueCode).toBeGreaterThanOrEqual(1);
      expect(payment.uniqueCode).toBeLessThanOrEqual(999);
      expect(payment.amount).toBe(base + payment.uniqueCode);
    }
    // Each total leads back to its own payment, as a callback carrying only the amount needs.
    const found = await Promise.all(opened.map((p) => store.findOpenByAmount(p.amount)));
    expect(found.map((p) => p?.id)).toEqual(opened.map((p) => p.id));
  });

  it("refuses to share a total when every code is taken, and reuses a total once it is released", async () => {
    const store = new PaymentStore(redis, 1); // one code: the only total is base + 1
    const first = await openIn(store, input());
    expect(first.amount).toBe(base + 1);
    await expect(openIn(store, input())).rejects.toThrow(/no free unique amount/);

    const paid = await store.move(first.id, "open", "paid", { paidAmount: first.amount });
    expect(paid?.status).toBe("paid");
    expect(await store.findOpenByAmount(base + 1)).toBeNull();

    const second = await openIn(store, input());
    expect(second.amount).toBe(base + 1);
    expect((await store.findOpenByAmount(base + 1))?.id).toBe(second.id);

    // Expiring remembers the total for a late payer and holds it for a day: only then is it free.
    await store.move(second.id, "open", "expired");
    expect(await store.findOpenByAmount(base + 1)).toBeNull();
    expect((await store.findExpiredByAmount(base + 1))?.id).toBe(second.id);
    expect(await store.open(input())).toEqual({ ok: false, reason: "full" });
    await lapseHold(base + 1);
    const third = await openIn(store, input());
    expect(third.amount).toBe(base + 1);
    expect((await store.findOpenByAmount(base + 1))?.id).toBe(third.id);
  });

  it("claims no total when the payment itself cannot be written", async () => {
    const store = new PaymentStore(redis, 1);
    const broken = input();
    await redis.set(`payment:${broken.id}`, "not a hash"); // any write of the payment fails
    await expect(openIn(store, broken)).rejects.toThrow(/WRONGTYPE/);
    expect(await store.findOpenByAmount(base + 1)).toBeNull();
    expect(await redis.zscore("payments:deadlines", broken.id)).toBeNull();
    // The only total is still free for the next payment.
    const next = await openIn(store, input());
    expect(next.amount).toBe(base + 1);
  });

  it("does not let a late move of an old payment free a total a newer payment holds", async () => {
    const store = new PaymentStore(redis, 1);
    const old = await openIn(store, input());
    await store.move(old.id, "open", "expired");
    await lapseHold(old.amount);
    const current = await openIn(store, input());
    expect(current.amount).toBe(old.amount);

    // The old payment is paid late: its total now belongs to `current` and must stay claimed.
    expect(await store.move(old.id, "expired", "paid", { late: true })).not.toBeNull();
    expect((await store.findOpenByAmount(current.amount))?.id).toBe(current.id);
    await expect(openIn(store, input())).rejects.toThrow(/no free unique amount/);
  });
});

describe("PaymentStore documents", () => {
  it("reads back a payment of every channel and locale the bot has", async () => {
    const store = new PaymentStore(redis, 999);
    for (const channel of channels) {
      for (const locale of locales) {
        const opened = await openIn(store, input({ channel, locale }));
        expect(await store.get(opened.id)).toEqual(opened);
      }
    }
  });
});

describe("PaymentStore.move", () => {
  it("lets exactly one of 20 concurrent open → paid moves win", async () => {
    const store = new PaymentStore(redis, 999);
    const payment = await openIn(store, input());
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.move(payment.id, "open", "paid", { confirmedBy: `admin:${i}`, paidAmount: payment.amount })),
    );
    const winners = results.filter((r): r is Payment => r !== null);
    expect(winners).toHaveLength(1);
    const stored = await store.get(payment.id);
    expect(stored?.status).toBe("paid");
    expect(stored?.confirmedBy).toBe(winners[0]!.confirmedBy);
    // The loser's patch never lands, and a move from the wrong state does nothing.
    expect(await store.move(payment.id, "open", "expired")).toBeNull();
    expect((await store.get(payment.id))?.status).toBe("paid");
  });

  it("moves a payment and its indexes in one step: no reader ever sees an index pointing at a moved payment", async () => {
    const store = new PaymentStore(redis, 999);
    const opened = await Promise.all(Array.from({ length: 60 }, () => openIn(store, input())));
    let moving = true;
    const violations = new Set<string>();
    let looks = 0;
    // A reader that sees the whole key space at one instant (a script runs alone).
    const observer = (async () => {
      while (moving) {
        for (const v of (await redis.eval(indexCheck, 4, ...indexKeys, prefix)) as string[]) violations.add(v);
        looks++;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await Promise.all(opened.map((p, i) => (i % 3 === 0 ? store.move(p.id, "open", "expired") : store.move(p.id, "open", "paid", i % 3 === 1 ? {} : { reference: `GW-${i}` }))));
    moving = false;
    await observer;
    expect(looks).toBeGreaterThan(0);
    expect([...violations]).toEqual([]);
    // And once all moved: no open total or deadline left; expired and hand-paid totals remembered.
    expect(await redis.hlen("payments:open-amounts")).toBe(0);
    expect(await redis.zcard("payments:deadlines")).toBe(0);
    expect(await redis.hlen("payments:expired-amounts")).toBe(20);
    expect(await redis.hlen("payments:paid-amounts")).toBe(20);
  });

  it("returns null for an unknown payment", async () => {
    const store = new PaymentStore(redis, 999);
    expect(await store.move("ORD-NOPE", "open", "paid")).toBeNull();
  });
});

/** The index keys {@link indexCheck} reads, in its KEYS order. */
const indexKeys = ["payments:open-amounts", "payments:deadlines", "payments:expired-amounts", "payments:paid-amounts"];

// KEYS: open amounts, deadlines, expired amounts, paid amounts. ARGV: key prefix. Every index
// entry whose payment is not in the status the index promises, as "<index> <id> <status>".
const indexCheck = `
local bad = {}
local function status(id) return redis.call('HGET', ARGV[1] .. 'payment:' .. id, 'status') or 'none' end
local function check(name, id, want)
  local s = status(id)
  if s ~= want then table.insert(bad, name .. ' ' .. id .. ' ' .. s) end
end
local open = redis.call('HGETALL', KEYS[1])
for i = 2, #open, 2 do check('open-amounts', open[i], 'open') end
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do check('deadlines', id, 'open') end
local expired = redis.call('HGETALL', KEYS[3])
for i = 2, #expired, 2 do check('expired-amounts', expired[i], 'expired') end
local paid = redis.call('HGETALL', KEYS[4])
for i = 2, #paid, 2 do check('paid-amounts', paid[i], 'paid') end
return bad
`;

describe("PaymentStore.matchReport", () => {
  it("matches a gateway report to a payment confirmed by hand once, also under 10 concurrent reports", async () => {
    const store = new PaymentStore(redis, 999);
    const payment = await openIn(store, input());
    await store.move(payment.id, "open", "paid", { confirmedBy: "admin:1" });
    expect((await store.findPaidByAmount(payment.amount))?.id).toBe(payment.id);

    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.matchReport(payment.id, `GW-${i}`)));
    const winners = results.filter((r): r is Payment => r !== null);
    expect(winners).toHaveLength(1);
    expect(await store.get(payment.id)).toEqual(winners[0]);
    expect(winners[0]).toMatchObject({ status: "paid", reportedByGateway: true, reference: expect.stringMatching(/^GW-\d$/) });
    expect(await store.findPaidByAmount(payment.amount)).toBeNull();
    expect(await store.matchReport(payment.id, "GW-LATER")).toBeNull();
  });

  it("has nothing to match for a payment the gateway confirmed itself, or one not paid", async () => {
    const store = new PaymentStore(redis, 999);
    const byGateway = await openIn(store, input());
    await store.move(byGateway.id, "open", "paid", { reportedByGateway: true });
    expect(await store.findPaidByAmount(byGateway.amount)).toBeNull();
    expect(await store.matchReport(byGateway.id)).toBeNull();
    const open = await openIn(store, input());
    expect(await store.matchReport(open.id)).toBeNull();
    expect(await store.matchReport("ORD-NOPE")).toBeNull();
  });
});

describe("PaymentStore.claimExpired", () => {
  it("hands each due payment to exactly one of several concurrent callers, and leaves the rest", async () => {
    const store = new PaymentStore(redis, 999);
    const now = Date.now();
    const due = await Promise.all(Array.from({ length: 30 }, () => openIn(store, input({ expiresAt: now - 1_000 }))));
    const later = await openIn(store, input({ expiresAt: now + 3_600_000 }));

    const claims = await Promise.all(Array.from({ length: 8 }, () => store.claimExpired(now)));
    const all = claims.flat();
    expect(all).toHaveLength(30);
    expect(new Set(all)).toEqual(new Set(due.map((p) => p.id)));
    expect(all).not.toContain(later.id);
    expect(await store.claimExpired(now)).toEqual([]);
    expect(await store.claimExpired(now + 3_600_001)).toEqual([later.id]);
  });

  it("does not hand out a payment that was paid before it was due", async () => {
    const store = new PaymentStore(redis, 999);
    const payment = await openIn(store, input({ expiresAt: Date.now() + 1_000 }));
    await store.move(payment.id, "open", "paid");
    expect(await store.claimExpired(Date.now() + 10_000)).toEqual([]);
  });
});

describe("PaymentStore per buyer", () => {
  it("lets one buyer hold at most the allowed open payments, also when 10 are opened at once", async () => {
    const store = new PaymentStore(redis, 999, 3);
    const results = await Promise.all(Array.from({ length: 10 }, () => store.open(input({ buyer: "console:greedy" }))));
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    expect(results.filter((r) => !r.ok).map((r) => (r.ok ? null : r.reason))).toEqual(Array(7).fill("buyer_limit"));
    // Paying one frees a place.
    const first = results.find((r) => r.ok);
    if (!first?.ok) throw new Error("unreachable");
    await store.move(first.payment.id, "open", "paid");
    expect((await store.open(input({ buyer: "console:greedy" }))).ok).toBe(true);
    expect((await store.open(input({ buyer: "console:someone-else" }))).ok).toBe(true);
  });
});

describe("PaymentStore references", () => {
  it("records what a reference did once", async () => {
    const store = new PaymentStore(redis, 999);
    expect(await store.referenceOutcome("GW-1")).toBeNull();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.recordReference("GW-1", `none-${i}`)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.referenceOutcome("GW-1")).toMatch(/^none-\d$/);
  });

  it("still counts a reference remembered before outcomes were recorded as used", async () => {
    const store = new PaymentStore(redis, 999);
    await redis.sadd("payments:references", "GW-LEGACY");
    expect(await store.referenceOutcome("GW-LEGACY")).toBe("none");
    expect(await store.referenceOutcome("GW-NEW")).toBeNull();
  });

  it("records the reference with the move to paid, and refuses a move naming a reference used by another payment", async () => {
    const store = new PaymentStore(redis, 999);
    const first = await openIn(store, input());
    const second = await openIn(store, input());
    expect(await store.move(first.id, "open", "paid", { reference: "GW-ONE" })).not.toBeNull();
    expect(await store.referenceOutcome("GW-ONE")).toBe(`pay:${first.id}`);
    expect(await store.unsettled()).toEqual([first.id]);
    expect(await store.move(second.id, "open", "paid", { reference: "GW-ONE" })).toBeNull();
    expect((await store.get(second.id))?.status).toBe("open");
    await store.markSettled(first.id);
    expect(await store.unsettled()).toEqual([]);
  });
});
