/**
 * Integration: PaymentService inside the real App (real Redis, sandbox provider counted,
 * SANDBOX on, the shared static QRIS, PAYMENT_METHODS=wallet,qris). Orders are started the way
 * a buyer starts them, through `shop.handle`; what the shop tells buyers later is recorded from
 * the outbox and admin alerts replace `app.alerts`.
 *
 * Money rules checked: every QRIS payment is credited `qris:<id>` then debited `pay:<id>`;
 * confirming twice (also concurrently, admin + callback) has one effect; an overpayment stays in
 * the wallet and is reported; an underpayment confirms nothing; an expired payment tells the buyer
 * once and a late payment lands in the wallet as `late_payment`; a failed QRIS order is refunded
 * once; and the wallet's balance always equals its ledger and never dips below zero.
 *
 * "regressions" pins down three defects these tests found in src/ (fixed in the tree while the
 * tests were written; see the comment on each).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LedgerEntry, MoveResult } from "../../src/commerce/wallet.js";
import { formatJakartaTime } from "../../src/payments/payment-service.js";
import {
  checkout,
  checkoutQris,
  consoleBuyer,
  eventually,
  expectSoundWallet,
  fullLedger,
  keysOf,
  qrisOf,
  startPaymentsApp,
  type PaymentsHarness,
} from "./support.js";

let h: PaymentsHarness;
const ttlMs = 15 * 60_000;

beforeEach(async () => {
  // One buyer holds five open payments at once in the concurrency test below.
  h = await startPaymentsApp({ QRIS_MAX_OPEN_PER_BUYER: "10" });
});
afterEach(async () => {
  await h.cleanup();
});

/** Netflix (sandbox, instant account delivery): Rp 30.000 before the unique code. */
const netflix = "SB-NFX1";

describe("an order paid by QRIS", () => {
  it("credits what was paid, debits the total and delivers the order once", async () => {
    const qr = await checkoutQris(h.app, "u1", netflix);
    expect(qr.amount).toBeGreaterThan(30_000);
    expect(qr.amount).toBeLessThanOrEqual(30_999);
    const pending = await h.app.orders.get(qr.id);
    expect(pending).toMatchObject({ status: "awaiting_payment", payment: { method: "qris", amount: qr.amount } });
    // Nothing moves before the money arrives.
    expect(await fullLedger(h.app, "console:u1")).toEqual([]);
    expect(h.provider.placed).toEqual([]);

    const result = await h.app.payments.confirm(qr.id, { by: "admin:1" });
    expect(result).toMatchObject({ kind: "confirmed", overpaid: 0 });
    await h.app.settled("console:u1");

    const ledger = await fullLedger(h.app, "console:u1");
    expect(ledger.map(({ id, amount, reason }) => ({ id, amount, reason }))).toEqual([
      { id: `qris:${qr.id}`, amount: qr.amount, reason: "topup" },
      { id: `pay:${qr.id}`, amount: -qr.amount, reason: "purchase" },
    ]);
    expect(await expectSoundWallet(h.app, "console:u1")).toBe(0);
    expect((await h.app.orders.get(qr.id))?.status).toBe("delivered");
    expect(h.provider.placed).toEqual([qr.id]);
    expect(h.toldTo("u1", "qris-paid-order")).toHaveLength(1);
    expect(h.toldTo("u1", "order-delivered")).toHaveLength(1);

    // A second confirmation (a retried callback) changes nothing.
    expect((await h.app.payments.confirm(qr.id, { by: "callback" })).kind).toBe("already_paid");
    await h.app.settled("console:u1");
    expect(await fullLedger(h.app, "console:u1")).toHaveLength(2);
    expect(h.provider.placed).toHaveLength(1);
    expect(h.toldTo("u1", "order-delivered")).toHaveLength(1);
  });

  it("has one effect when an admin and a callback confirm at the same time", async () => {
    for (let round = 0; round < 10; round++) {
      const user = `race${round}`;
      const qr = await checkoutQris(h.app, user, netflix);
      const [admin, callback] = await Promise.all([h.app.payments.confirm(qr.id, { by: "admin:1" }), h.app.payments.receive(qr.amount)]);
      const kinds = [admin.kind, callback.kind];
      expect(kinds.filter((k) => k === "confirmed"), `round ${round}: ${kinds.join(",")}`).toHaveLength(1);
      // The loser either saw the payment paid, or (when the admin had already freed the total)
      // found no open payment for the amount; it never pays or credits anything.
      expect(["already_paid", "unmatched"]).toContain(kinds.find((k) => k !== "confirmed"));
      await h.app.settled(`console:${user}`);

      const ledger = await fullLedger(h.app, `console:${user}`);
      expect(ledger.map((e) => e.id).sort()).toEqual([`pay:${qr.id}`, `qris:${qr.id}`]);
      expect(await expectSoundWallet(h.app, `console:${user}`)).toBe(0);
      expect(h.toldTo(user, "qris-paid-order")).toHaveLength(1);
      expect(h.toldTo(user, "order-delivered")).toHaveLength(1);
    }
    expect(h.provider.placed).toHaveLength(10);
    expect(new Set(h.provider.placed).size).toBe(10);
  });

  it("has one effect under many concurrent confirmations of the same payment", async () => {
    const qr = await checkoutQris(h.app, "many", netflix);
    const results = await Promise.all([
      ...Array.from({ length: 8 }, (_, i) => h.app.payments.confirm(qr.id, { by: `admin:${i}` })),
      ...Array.from({ length: 8 }, () => h.app.payments.confirm(qr.id, { by: "callback", paidAmount: qr.amount })),
    ]);
    expect(results.filter((r) => r.kind === "confirmed")).toHaveLength(1);
    expect(results.filter((r) => r.kind === "already_paid")).toHaveLength(15);
    await h.app.settled("console:many");
    expect(await fullLedger(h.app, "console:many")).toHaveLength(2);
    expect(await expectSoundWallet(h.app, "console:many")).toBe(0);
    expect(h.provider.placed).toEqual([qr.id]);
    expect(h.toldTo("many", "order-delivered")).toHaveLength(1);
  });

  it("keeps an overpayment in the wallet and tells the admins", async () => {
    const qr = await checkoutQris(h.app, "over", netflix);
    const result = await h.app.payments.confirm(qr.id, { by: "admin:1", paidAmount: qr.amount + 5_000 });
    expect(result).toMatchObject({ kind: "confirmed", overpaid: 5_000 });
    await h.app.settled("console:over");

    const ledger = await fullLedger(h.app, "console:over");
    expect(ledger.map(({ id, amount }) => ({ id, amount }))).toEqual([
      { id: `qris:${qr.id}`, amount: qr.amount + 5_000 },
      { id: `pay:${qr.id}`, amount: -qr.amount },
    ]);
    expect(await expectSoundWallet(h.app, "console:over")).toBe(5_000);
    expect((await h.app.orders.get(qr.id))?.status).toBe("delivered");
    const overpaid = h.alertsOf("admin-alert-overpaid");
    expect(overpaid).toHaveLength(1);
    expect(overpaid[0]).toMatchObject({ orderId: qr.id });
    expect(overpaid[0]!.text).toContain("Rp 5.000");
  });

  it("does not confirm an underpayment: nothing credited, the order still waits, admins told", async () => {
    const qr = await checkoutQris(h.app, "under", netflix);
    const result = await h.app.payments.confirm(qr.id, { by: "callback", paidAmount: qr.amount - 1 });
    expect(result.kind).toBe("underpaid");
    expect(await h.app.payments.confirm("ORD-UNKNOWN99", { by: "admin:1" })).toEqual({ kind: "not_found" });
    await h.app.settled("console:under");

    expect(await fullLedger(h.app, "console:under")).toEqual([]);
    expect((await h.app.orders.get(qr.id))?.status).toBe("awaiting_payment");
    expect(h.provider.placed).toEqual([]);
    expect(h.alertsOf("admin-alert-underpaid")).toHaveLength(1);
    expect(h.alertsOf("admin-alert-underpaid")[0]!.orderId).toBe(qr.id);
    // Still open: the exact total still confirms it.
    expect((await h.app.payments.receive(qr.amount)).kind).toBe("confirmed");
    await h.app.settled("console:under");
    expect((await h.app.orders.get(qr.id))?.status).toBe("delivered");
    expect(await expectSoundWallet(h.app, "console:under")).toBe(0);
  });
});

describe("expiry", () => {
  it("formats the expiry in Jakarta time (UTC+7), midnight as 00", () => {
    const wib = (at: number) => `${new Date(at + 7 * 3_600_000).toISOString().slice(11, 16)} WIB`;
    for (const iso of ["2025-01-15T17:05:00Z", "2025-01-15T16:59:00Z", "2025-01-15T00:00:00Z", "2025-06-30T23:30:00Z", "2025-01-15T07:05:00Z"]) {
      const at = Date.parse(iso);
      expect(formatJakartaTime(at), iso).toBe(wib(at));
    }
  });

  it("expires an unpaid order once and tells the buyer once", async () => {
    const qr = await checkoutQris(h.app, "late", netflix);
    const due = Date.now() + ttlMs + 1;
    const counts = await Promise.all([h.app.payments.expireDue(due), h.app.payments.expireDue(due), h.app.payments.expireDue(due)]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await h.app.payments.expireDue(due + 60_000)).toBe(0);

    expect((await h.app.orders.get(qr.id))?.status).toBe("expired");
    const told = h.toldTo("late", "qris-expired");
    expect(told).toHaveLength(1);
    expect(told[0]!.text).toContain(qr.id);
    expect(await fullLedger(h.app, "console:late")).toEqual([]);
  });

  it("does not expire a payment before its time", async () => {
    const qr = await checkoutQris(h.app, "early", netflix);
    expect(await h.app.payments.expireDue(Date.now() + ttlMs - 60_000)).toBe(0);
    expect((await h.app.orders.get(qr.id))?.status).toBe("awaiting_payment");
    expect(h.toldTo("early", "qris-expired")).toEqual([]);
  });

  it("credits a payment that arrives after expiry to the wallet as a late payment; the order stays expired", async () => {
    const qr = await checkoutQris(h.app, "late2", netflix);
    expect(await h.app.payments.expireDue(Date.now() + ttlMs + 1)).toBe(1);

    const result = await h.app.payments.receive(qr.amount, "GW-LATE-1");
    expect(result).toMatchObject({ kind: "late", credited: qr.amount });
    await h.app.settled("console:late2");

    const ledger = await fullLedger(h.app, "console:late2");
    expect(ledger.map(({ id, amount, reason }) => ({ id, amount, reason }))).toEqual([
      { id: `late:${qr.id}`, amount: qr.amount, reason: "late_payment" },
    ]);
    expect(await expectSoundWallet(h.app, "console:late2")).toBe(qr.amount);
    expect((await h.app.orders.get(qr.id))?.status).toBe("expired");
    expect(h.provider.placed).toEqual([]);
    expect(h.toldTo("late2", "qris-late-credited")).toHaveLength(1);
    expect(h.alertsOf("admin-alert-late-payment")).toHaveLength(1);

    // An admin confirming the same payment afterwards changes nothing.
    expect((await h.app.payments.confirm(qr.id, { by: "admin:1" })).kind).toBe("already_paid");
    expect(await fullLedger(h.app, "console:late2")).toHaveLength(1);
    expect((await h.app.orders.get(qr.id))?.status).toBe("expired");
  });

  it("credits a late payment once when two confirmations race after expiry", async () => {
    const qr = await checkoutQris(h.app, "late3", netflix);
    expect(await h.app.payments.expireDue(Date.now() + ttlMs + 1)).toBe(1);
    const results = await Promise.all([
      h.app.payments.confirm(qr.id, { by: "admin:1" }),
      h.app.payments.confirm(qr.id, { by: "admin:2" }),
      h.app.payments.receive(qr.amount),
    ]);
    expect(results.filter((r) => r.kind === "late")).toHaveLength(1);
    expect(await fullLedger(h.app, "console:late3")).toHaveLength(1);
    expect(await expectSoundWallet(h.app, "console:late3")).toBe(qr.amount);
    expect(h.toldTo("late3", "qris-late-credited")).toHaveLength(1);
    expect((await h.app.orders.get(qr.id))?.status).toBe("expired");
  });
});

describe("top-up by QRIS", () => {
  it("credits the wallet once, however often it is confirmed", async () => {
    const replies = await h.app.payments.startTopup({ buyer: "console:top", channel: "console", chatId: "top", locale: "id" }, 50_000);
    const qr = qrisOf(replies);
    expect(qr.id).toMatch(/^TOP-[A-Z0-9]{8,}$/);
    expect(qr.amount).toBeGreaterThan(50_000);
    expect(qr.amount).toBeLessThanOrEqual(50_999);

    const results = await Promise.all([
      h.app.payments.receive(qr.amount, "GW-TOP-1"),
      h.app.payments.confirm(qr.id, { by: "admin:1" }),
      h.app.payments.confirm(qr.id, { by: "admin:2" }),
    ]);
    expect(results.filter((r) => r.kind === "confirmed")).toHaveLength(1);

    const ledger = await fullLedger(h.app, "console:top");
    expect(ledger.map(({ id, amount, reason }) => ({ id, amount, reason }))).toEqual([{ id: `qris:${qr.id}`, amount: qr.amount, reason: "topup" }]);
    expect(await expectSoundWallet(h.app, "console:top")).toBe(qr.amount);
    expect(h.toldTo("top", "topup-paid")).toHaveLength(1);
  });
});

describe("/topup outside the sandbox", () => {
  it("answers with a QR for the amount plus a code, and the paid top-up is credited once", async () => {
    const live = await startPaymentsApp({ SANDBOX: "off" });
    try {
      const buyer = consoleBuyer(live.app, "live");
      const tooSmall = await buyer.say("/topup 5000");
      expect(tooSmall.replies.flatMap(keysOf)).toEqual(["topup-bad-amount"]);

      const qr = qrisOf((await buyer.say("/topup 50rb")).replies);
      expect(qr.id).toMatch(/^TOP-/);
      expect(qr.amount - 50_000).toBeGreaterThanOrEqual(1);
      expect(qr.amount - 50_000).toBeLessThanOrEqual(999);
      expect(await live.app.wallet.balance(buyer.key)).toBe(0);

      expect((await live.app.payments.receive(qr.amount, "GW-LIVE-1")).kind).toBe("confirmed");
      expect((await live.app.payments.receive(qr.amount, "GW-LIVE-2")).kind).toBe("unmatched");
      expect((await live.app.payments.confirm(qr.id, { by: "admin:1" })).kind).toBe("already_paid");
      expect(await expectSoundWallet(live.app, buyer.key)).toBe(qr.amount);
      expect(live.toldTo("live", "topup-paid")).toHaveLength(1);
      // The second, unmatched arrival is money nobody claimed: the admins hear of it.
      expect(live.alertsOf("admin-alert-unmatched-payment")).toHaveLength(1);
    } finally {
      await live.cleanup();
    }
  });
});

describe("money for a total an admin already confirmed by hand", () => {
  /** A top-up of 50.000 (plus its code) for `user`, paid by an admin's /paid before any money was reported. */
  async function confirmedByHand(user: string) {
    const qr = qrisOf(await h.app.payments.startTopup({ buyer: `console:${user}`, channel: "console", chatId: user, locale: "id" }, 50_000));
    expect((await h.app.payments.confirm(qr.id, { by: "admin:1" })).kind).toBe("confirmed");
    return qr;
  }

  // The gateway's report of a payment confirmed by hand is recognised once; a later transfer of the
  // same total (another reference) is unmatched money, not swallowed as `already_paid`.
  it("recognises the gateway's report once; a later transfer of the same total is unmatched money, not swallowed", async () => {
    const qr = await confirmedByHand("hand");
    const report = await h.app.payments.receive(qr.amount, "GW-HAND-1");
    expect(report).toMatchObject({ kind: "already_paid", payment: { id: qr.id, reference: "GW-HAND-1" } });
    expect(await fullLedger(h.app, "console:hand")).toHaveLength(1); // no second credit
    expect(h.alertsOf("admin-alert-unmatched-payment")).toEqual([]);

    expect((await h.app.payments.receive(qr.amount, "GW-HAND-2")).kind).toBe("unmatched");
    const unmatched = h.alertsOf("admin-alert-unmatched-payment");
    expect(unmatched).toHaveLength(1);
    expect(unmatched[0]!.text).toContain("GW-HAND-2");
    expect(await expectSoundWallet(h.app, "console:hand")).toBe(qr.amount);
    expect(h.toldTo("hand", "topup-paid")).toHaveLength(1);
  });

  it("does the same when the gateway's reports carry no reference", async () => {
    const qr = await confirmedByHand("noref");
    expect((await h.app.payments.receive(qr.amount)).kind).toBe("already_paid");
    expect((await h.app.payments.receive(qr.amount)).kind).toBe("unmatched");
    expect(h.alertsOf("admin-alert-unmatched-payment")).toHaveLength(1);
    expect(await expectSoundWallet(h.app, "console:noref")).toBe(qr.amount);
  });

  it("matches only one of two transfers of that total arriving at the same time", async () => {
    const qr = await confirmedByHand("twice");
    const results = await Promise.all([h.app.payments.receive(qr.amount, "GW-TWICE-1"), h.app.payments.receive(qr.amount, "GW-TWICE-2")]);
    expect(results.map((r) => r.kind).sort()).toEqual(["already_paid", "unmatched"]);
    expect(h.alertsOf("admin-alert-unmatched-payment")).toHaveLength(1);
    expect(await expectSoundWallet(h.app, "console:twice")).toBe(qr.amount);
  });

  it("does not remember a total the gateway's own report confirmed, even without a reference", async () => {
    const qr = qrisOf(await h.app.payments.startTopup({ buyer: "console:gw", channel: "console", chatId: "gw", locale: "id" }, 50_000));
    expect((await h.app.payments.receive(qr.amount)).kind).toBe("confirmed");
    expect((await h.app.payments.receive(qr.amount)).kind).toBe("unmatched");
    expect(await expectSoundWallet(h.app, "console:gw")).toBe(qr.amount);
  });

  it("after an admin and the gateway confirm at the same time, the next transfer of the total is still unmatched", async () => {
    for (let round = 0; round < 10; round++) {
      const user = `both${round}`;
      const qr = qrisOf(await h.app.payments.startTopup({ buyer: `console:${user}`, channel: "console", chatId: user, locale: "id" }, 50_000));
      const kinds = (await Promise.all([h.app.payments.confirm(qr.id, { by: "admin:1" }), h.app.payments.receive(qr.amount, `GW-BOTH-${round}-A`)])).map((r) => r.kind);
      expect(kinds.sort(), `round ${round}`).toEqual(["already_paid", "confirmed"]);
      expect((await h.app.payments.receive(qr.amount, `GW-BOTH-${round}-B`)).kind, `round ${round}`).toBe("unmatched");
      expect(await expectSoundWallet(h.app, `console:${user}`)).toBe(qr.amount);
    }
    expect(h.alertsOf("admin-alert-unmatched-payment")).toHaveLength(10);
  });
});

describe("a failed order paid by QRIS", () => {
  it("refunds the paid total to the wallet exactly once", async () => {
    const qr = await checkoutQris(h.app, "fail", "SB-FAIL1");
    expect(qr.amount).toBeGreaterThan(1_000);
    await Promise.all([h.app.payments.confirm(qr.id, { by: "admin:1" }), h.app.payments.receive(qr.amount)]);
    await h.app.settled("console:fail");
    // Fulfilment runs again (a restart, a retry): still one refund.
    await Promise.all([h.app.fulfilment.advance(qr.id), h.app.fulfilment.advance(qr.id), h.app.recovery.resume()]);
    await h.app.settled("console:fail");

    expect((await h.app.orders.get(qr.id))?.status).toBe("refunded");
    const ledger = await fullLedger(h.app, "console:fail");
    expect(ledger.map(({ id, amount, reason }) => ({ id, amount, reason }))).toEqual([
      { id: `qris:${qr.id}`, amount: qr.amount, reason: "topup" },
      { id: `pay:${qr.id}`, amount: -qr.amount, reason: "purchase" },
      { id: `refund:${qr.id}`, amount: qr.amount, reason: "refund" },
    ]);
    expect(await expectSoundWallet(h.app, "console:fail")).toBe(qr.amount);
    expect(h.toldTo("fail", "order-failed")).toHaveLength(1);
  });
});

describe("the wallet under concurrent purchases and top-ups", () => {
  it("keeps balance = ledger sum and never goes below zero", async () => {
    const buyer = "console:busy";
    // Ten chats of one buyer (each chat has its own queue, so they really run at the same time),
    // each waiting at the payment menu: SB-NFX1 costs 30.000, SB-FAIL1 1.000 and is refunded.
    const chats = Array.from({ length: 10 }, (_, i) => `busy-${i}`);
    for (const [i, chatId] of chats.entries()) {
      const buyerChat = consoleBuyer(h.app, "busy", chatId);
      await buyerChat.say(i % 3 === 0 ? "SB-FAIL1" : netflix);
      const menu = await buyerChat.say("1");
      expect(menu.replies.flatMap(keysOf)).toContain("payment-title");
    }
    // Three QRIS top-ups and two QRIS orders, opened before the rush.
    const topups = await Promise.all(
      [20_000, 30_000, 40_000].map(async (amount, i) =>
        qrisOf(await h.app.payments.startTopup({ buyer, channel: "console", chatId: `busy-top-${i}`, locale: "id" }, amount)),
      ),
    );
    // Two different products: a second QRIS order of the same product would replace the first.
    const qrisOrders = [
      await checkoutQris(h.app, "busy", netflix, { chatId: "busy-q0" }),
      await checkoutQris(h.app, "busy", "SB-ML86", { chatId: "busy-q1", target: "12345678 (1234)" }),
    ];
    await h.app.wallet.credit(buyer, 45_000, { id: "test-seed", reason: "manual" });

    const work: Promise<unknown>[] = [
      ...chats.map((chatId) => consoleBuyer(h.app, "busy", chatId).say("1")), // pay from the wallet
      ...topups.flatMap((qr) => [h.app.payments.receive(qr.amount), h.app.payments.confirm(qr.id, { by: "admin:1" })]),
      ...qrisOrders.flatMap((qr) => [h.app.payments.receive(qr.amount), h.app.payments.confirm(qr.id, { by: "admin:2" })]),
    ];
    await Promise.all(work);
    await h.app.settled(buyer);

    const balance = await expectSoundWallet(h.app, buyer);
    expect(balance).toBeGreaterThanOrEqual(0);
    const ledger = await fullLedger(h.app, buyer);
    // Every id at most once, every top-up credited once, every QRIS order paid once.
    expect(new Set(ledger.map((e) => e.id)).size).toBe(ledger.length);
    for (const qr of topups) expect(ledger.filter((e) => e.id === `qris:${qr.id}`)).toHaveLength(1);
    /** What the buyer paid for an order, net: debits less any debit given back. */
    const netPaid = (orderId: string) =>
      ledger.filter((e) => e.id === `pay:${orderId}` || e.id === `payback:${orderId}`).reduce((sum, e) => sum - e.amount, 0);
    for (const [i, qr] of qrisOrders.entries()) {
      expect(ledger.filter((e) => e.id === `qris:${qr.id}`)).toHaveLength(1);
      // QRIS money passes through the wallet, so a wallet purchase of the same buyer in the same
      // instant may spend it first; the order then ends expired and the money stays credited.
      const status = (await h.app.orders.get(qr.id))?.status;
      if (status === "delivered") expect(netPaid(qr.id)).toBe(qr.amount);
      else {
        expect({ status, net: netPaid(qr.id) }).toEqual({ status: "expired", net: 0 });
        expect(h.toldTo(`busy-q${i}`, "qris-credited-instead")).toHaveLength(1);
      }
    }
    // Orders: a delivered one is paid once, a refunded one paid and refunded, an expired one free.
    const orders = await h.app.orders.ofBuyer(buyer, 100);
    for (const order of orders) {
      const refunded = ledger.filter((e) => e.id === `refund:${order.id}`).reduce((sum, e) => sum + e.amount, 0);
      const outcome = { id: order.id, net: netPaid(order.id), refunded };
      if (order.status === "delivered") expect(outcome).toEqual({ id: order.id, net: order.payment.amount, refunded: 0 });
      else if (order.status === "refunded") expect(outcome).toEqual({ id: order.id, net: order.payment.amount, refunded: order.payment.amount });
      else expect({ ...outcome, status: order.status }).toEqual({ id: order.id, net: 0, refunded: 0, status: "expired" });
    }
    const expected = ledger.reduce((sum, e) => sum + e.amount, 0);
    expect(balance).toBe(expected);
  });
});

/**
 * Holds the `pay:<id>` debits of two concurrent settlements of one payment until both have
 * reached the debit, so both saw the order still awaiting payment; then runs `first` before the
 * first debit and `second` before the second. Returns how many arrived.
 */
function raceDebits(orderId: string, first: (buyer: string) => Promise<void>, second: (buyer: string) => Promise<void>): () => number {
  const wallet = h.app.wallet;
  const realDebit = wallet.debit.bind(wallet);
  let arrived = 0;
  let releaseBoth!: () => void;
  const both = new Promise<void>((resolve) => {
    releaseBoth = resolve;
    setTimeout(resolve, 3_000).unref(); // never hang: a missing second runner fails the asserts
  });
  let firstDone!: () => void;
  const afterFirst = new Promise<void>((resolve) => (firstDone = resolve));
  vi.spyOn(wallet, "debit").mockImplementation(async (buyer: string, amount: number, entry: Omit<LedgerEntry, "amount" | "at">): Promise<MoveResult> => {
    if (entry.id !== `pay:${orderId}`) return realDebit(buyer, amount, entry);
    const turn = ++arrived;
    if (turn === 2) releaseBoth();
    await both;
    if (turn === 1) {
      await first(buyer);
      const result = await realDebit(buyer, amount, entry);
      firstDone();
      return result;
    }
    await afterFirst;
    await second(buyer);
    return realDebit(buyer, amount, entry);
  });
  return () => arrived;
}

describe("regressions", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  // An order whose QRIS payment cannot get a free unique total is expired and the buyer told so;
  // it never waits `awaiting_payment` forever with no payment and no deadline.
  it("leaves no order waiting forever when no unique total is free", async () => {
    const tight = await startPaymentsApp({ QRIS_UNIQUE_CODE_MAX: "0" });
    try {
      const first = await checkoutQris(tight.app, "first", netflix);
      expect(first.amount).toBe(30_000);
      const second = await checkout(tight.app, "second", netflix, "2");
      expect(second.flatMap(keysOf)).toEqual(["qris-busy"]);

      await tight.app.payments.expireDue(Date.now() + 24 * 3_600_000);
      const stuck = (await tight.app.orders.ofBuyer("console:second")).filter((o) => o.status === "awaiting_payment");
      expect(stuck).toEqual([]);
    } finally {
      await tight.cleanup();
    }
  });

  // When a QRIS payment's `pay:<id>` debit fails and the money stays in the wallet, the buyer is told
  // once, by the settlement whose expiry of the order won, however many settlements race.
  it("tells the buyer once that a QRIS payment went to the wallet when the debit fails", async () => {
    const qr = await checkoutQris(h.app, "spent", netflix);
    const spendAll = async (buyer: string) => {
      const balance = await h.app.wallet.balance(buyer);
      if (balance > 0) await h.app.wallet.debit(buyer, balance, { id: "spent-elsewhere", reason: "purchase" });
    };
    const arrived = raceDebits(qr.id, spendAll, async () => undefined);

    await Promise.all([h.app.payments.confirm(qr.id, { by: "admin:1" }), h.app.payments.receive(qr.amount)]);
    expect(arrived()).toBe(2);
    expect((await h.app.orders.get(qr.id))?.status).toBe("expired");
    expect(await expectSoundWallet(h.app, "console:spent")).toBe(0);
    expect(h.toldTo("spent", "qris-credited-instead")).toHaveLength(1);
  });

  // A debit is never kept for an order that ended expired: when one settlement expired the order and
  // another's `pay:<id>` debit then succeeded, that debit is given back once.
  it("never keeps a debit for an order that ended expired", async () => {
    const qr = await checkoutQris(h.app, "lost", netflix);
    const spendAll = async (buyer: string) => {
      const balance = await h.app.wallet.balance(buyer);
      if (balance > 0) await h.app.wallet.debit(buyer, balance, { id: "spent-elsewhere", reason: "purchase" });
    };
    const moneyArrives = async (buyer: string) => {
      await eventually(async () => (await h.app.orders.get(qr.id))?.status === "expired", "the first settlement to expire the order");
      await h.app.wallet.credit(buyer, 100_000, { id: "topup-meanwhile", reason: "manual" });
    };
    const arrived = raceDebits(qr.id, spendAll, moneyArrives);

    await Promise.all([h.app.payments.confirm(qr.id, { by: "admin:1" }), h.app.payments.receive(qr.amount)]);
    expect(arrived()).toBe(2);
    const order = await h.app.orders.get(qr.id);
    expect(order?.status).toBe("expired");
    const ledger = await fullLedger(h.app, "console:lost");
    const debited = ledger.filter((e) => e.id === `pay:${qr.id}`).reduce((sum, e) => sum + e.amount, 0);
    const refunded = ledger.filter((e) => e.orderId === qr.id && e.amount > 0 && e.id !== `qris:${qr.id}`).reduce((sum, e) => sum + e.amount, 0);
    // An expired order must cost the buyer nothing: any debit for it is given back.
    expect(debited + refunded).toBe(0);
  });
});
