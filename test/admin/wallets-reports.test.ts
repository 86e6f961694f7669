/**
 * Buyer wallets and reports from the admin group: `/user`, `/credit` (with a redelivered
 * update), `/stats` (only delivered orders earn) and `/audit`.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AuditLog } from "../../src/admin/audit-log.js";
import { computeStats, periodStart } from "../../src/admin/stats.js";
import type { Order } from "../../src/commerce/orders.js";
import { startFakeTelegram, type FakeTelegram } from "../fakes/telegram-api.js";
import { formatSignedRupiah } from "../../src/admin/format.js";
import { formatRupiah } from "../../src/core/money.js";
import { msg } from "../../src/core/message.js";
import { adminGroup, buyer, eventually, owner, person, placeOrder, says, startAdminShop, type AdminShop } from "./support.js";

let telegram: FakeTelegram;
let shop: AdminShop;

beforeEach(async () => {
  telegram = await startFakeTelegram();
  shop = await startAdminShop(telegram, { env: { MARKUP_PERCENT: "10" } });
});
afterEach(async () => {
  await shop.cleanup();
  await telegram.close();
});

const admin = () => person(telegram, adminGroup, owner);

describe("/user and /credit", () => {
  it("credit and debit a known buyer with a reason, never below zero, and show the ledger", async () => {
    const customer = buyer(telegram, 1401);
    await customer.ask("/saldo", says("wallet-balance"));

    await admin().ask("/credit telegram:1401 50rb goodwill for the outage", says("admin-credit-done", { amount: formatSignedRupiah(50_000), buyer: "telegram:1401" }));
    await customer.expect(says("admin-buyer-credited", { amount: formatRupiah(50_000) }));
    await admin().ask("/credit 1401 -100000 correction", says("admin-credit-insufficient", { amount: formatSignedRupiah(-100_000) }));
    await admin().ask("/credit 1401 -20.000 double top-up", says("admin-credit-done", { balance: formatRupiah(30_000) }));
    await customer.expect(says("admin-buyer-debited", { amount: formatRupiah(20_000) }));
    expect(await shop.app.wallet.verify("telegram:1401")).toEqual({ balance: 30_000, ledgerSum: 30_000, consistent: true });
    const manual = (await shop.app.wallet.ledger("telegram:1401")).filter((entry) => entry.reason === "manual");
    expect(manual.map((entry) => [entry.amount, entry.note, entry.by])).toEqual([
      [-20_000, "double top-up", "telegram:501"],
      [50_000, "goodwill for the outage", "telegram:501"],
    ]);

    const shown = await admin().ask("/user 1401", says("admin-user-head", { buyer: "telegram:1401", balance: formatRupiah(30_000) }));
    expect(shown).toMatch(says("admin-user-ledger-line", { amount: formatSignedRupiah(50_000), reason: msg("admin-ledger-manual"), detail: /goodwill for the outage.*/ }));
    expect(shown).not.toContain("whatsapp:1401");
    await admin().ask("/user whatsapp:08123", says("admin-user-not-found", { user: "whatsapp:628123" }));
    await admin().ask("/credit telegram:99999 1000 typo", says("admin-user-not-found", { user: "telegram:99999" }));
    expect(await shop.app.wallet.balance("telegram:99999")).toBe(0);
  });

  it("moves money once when the same message is delivered twice", async () => {
    await buyer(telegram, 1402).ask("/saldo", says("wallet-balance"));
    const message = {
      message_id: 4242,
      date: Math.floor(Date.now() / 1000),
      chat: { id: adminGroup.id, type: "supergroup" as const, title: "Warung admins" },
      from: { id: owner.id, is_bot: false, first_name: "Owner" },
      text: "/credit telegram:1402 7000 promo",
      entities: [{ type: "bot_command" as const, offset: 0, length: 7 }],
    };
    const since = telegram.mark();
    telegram.pushUpdate({ message });
    await admin().expect(says("admin-credit-done", { balance: formatRupiah(7_000) }), since);
    telegram.pushUpdate({ message });
    await admin().expect(says("admin-credit-duplicate", { balance: formatRupiah(7_000) }), since);
    expect(await shop.app.wallet.balance("telegram:1402")).toBe(7_000);
  });
});

describe("/stats", () => {
  it("counts orders by outcome and earns only from delivered ones", async () => {
    const delivered = await placeOrder(shop, 1403, "SB-TSEL10", "wallet", { phone: "081234567890" });
    const failed = await placeOrder(shop, 1403, "SB-FAIL1", "wallet");
    await placeOrder(shop, 1404, "SB-NFX1", "qris");
    await shop.app.fulfilment.enqueue(delivered);
    await shop.app.fulfilment.enqueue(failed);
    await eventually(async () => {
      expect((await shop.app.orders.get(delivered.id))?.status).toBe("delivered");
      expect((await shop.app.orders.get(failed.id))?.status).toBe("refunded");
    });

    const stats = await admin().ask("/stats", says("admin-stats-title", { period: msg("admin-stats-period-today") }));
    const money = { revenue: formatRupiah(49_500), cost: formatRupiah(45_000), profit: formatRupiah(4_500) };
    expect(stats).toMatch(says("admin-stats-orders", { total: 3, delivered: 1, failed: 1, open: 0, unpaid: 1 }));
    expect(stats).toMatch(says("admin-stats-money", money));
    expect(stats).toMatch(says("admin-stats-provider", { provider: "sandbox", count: 1, ...money }));
    expect(stats).toMatch(says("admin-stats-top", { product: "Telkomsel 10 GB 30 hari", code: "SB-TSEL10", count: 1 }));
    const month = await admin().ask("/stats 30d", says("admin-stats-title", { period: msg("admin-stats-period-30d") }));
    expect(month).toMatch(says("admin-stats-orders", { total: 3 }));
  });

  it("sums by period in Jakarta time", () => {
    const now = Date.UTC(2025, 0, 15, 20, 0); // 03:00 WIB on 16 January
    expect(periodStart("today", now)).toBe(Date.UTC(2025, 0, 15, 17, 0)); // 00:00 WIB on 16 January
    expect(periodStart("7d", now)).toBe(now - 7 * 86_400_000);
    const order = (status: Order["status"], createdAt: number, code: string, price: number, cost: number) =>
      ({ status, createdAt, price, cost, product: { code, name: code, provider: "sandbox" } }) as Order;
    const stats = computeStats(
      [
        order("delivered", now - 1_000, "A", 12_000, 10_000),
        order("delivered", now - 2_000, "B", 6_000, 5_000),
        order("delivered", now - 3_000, "B", 6_000, 5_000),
        order("refunded", now - 4_000, "A", 12_000, 10_000),
        order("pending", now - 5_000, "A", 12_000, 10_000),
        order("delivered", now - 8 * 86_400_000, "A", 99_000, 1),
      ],
      periodStart("7d", now),
    );
    expect(stats.orders).toEqual({ total: 5, delivered: 3, failed: 1, open: 1, unpaid: 0 });
    expect(stats.sales).toEqual({ count: 3, revenue: 24_000, cost: 20_000, profit: 4_000 });
    expect(stats.top.map((product) => [product.code, product.count])).toEqual([
      ["B", 2],
      ["A", 1],
    ]);
  });
});

describe("/audit", () => {
  it("lists who did what, when, and what came of it", async () => {
    await admin().ask("/markup global 5%", says("admin-markup-set", { value: "5%" }));
    await admin().ask("/refund ORD-NOSUCHORDER", says("admin-order-not-found", { order: "ORD-NOSUCHORDER" }));
    await admin().ask("/product off SB-FF70", says("admin-product-hidden", { code: "SB-FF70" }));
    const audit = await admin().ask("/audit 3", says("admin-audit-title", { count: 3 }));
    expect(audit).toMatch(says("admin-audit-line", { who: "telegram:501 (Owner)", command: "product", args: "off SB-FF70", result: "hidden" }));
    expect(audit).toMatch(says("admin-audit-line", { command: "refund", args: "ORD-NOSUCHORDER", result: "not_found" }));
    expect(audit).toMatch(says("admin-audit-line", { command: "markup", args: "global 5%", result: "set" }));

    const entries = await new AuditLog(shop.app.redis).recent(10);
    expect(entries[0]).toMatchObject({ by: "telegram:501", name: "Owner", chat: `telegram:${adminGroup.id}`, command: "audit", args: "3", result: "listed 3" });
    expect(entries.map((entry) => entry.command)).toEqual(["audit", "product", "refund", "markup"]);
    expect(Math.abs(entries[0]!.at - Date.now())).toBeLessThan(10_000);
  });
});
