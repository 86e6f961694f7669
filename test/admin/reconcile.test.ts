/**
 * `/reconcile` through the admin group, with the ICS-Store fake beside the sandbox: a charge at
 * ICS-Store that no order here explains is listed (reference and amount, nothing secret), an
 * order bought and delivered through the shop is not, and a clean provider answers "no mismatches".
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatRupiah } from "../../src/core/money.js";
import { silentLogger } from "../../src/logger.js";
import { IcsstoreProvider } from "../../src/providers/icsstore/adapter.js";
import { IcsstoreFake } from "../fakes/icsstore-server.js";
import { startFakeTelegram, type FakeTelegram } from "../fakes/telegram-api.js";
import { phrase } from "../helpers/shown.js";
import { adminGroup, CountingSandbox, eventually, owner, person, placeOrder, says, startAdminShop, type AdminShop } from "./support.js";

let telegram: FakeTelegram;
let icsstore: IcsstoreFake;
let shop: AdminShop;

beforeEach(async () => {
  telegram = await startFakeTelegram();
  icsstore = await IcsstoreFake.start();
  const provider = new IcsstoreProvider({ baseUrl: icsstore.url, apiKey: icsstore.apiKey, logger: silentLogger, timeoutMs: 500, retryDelaysMs: [5] });
  shop = await startAdminShop(telegram, { overrides: { providers: [new CountingSandbox(), provider] } });
});
afterEach(async () => {
  await shop.cleanup();
  await telegram.close();
  await icsstore.close();
});

const admin = () => person(telegram, adminGroup, owner);

describe("/reconcile", () => {
  it("lists an ICS-Store charge with no order here, and not the order the shop bought", async () => {
    icsstore.scenario = { kind: "success", note: "SN 99887766" };
    const order = await placeOrder(shop, 1501, "XLA10", "wallet", { phone: "081234567890" });
    await shop.app.fulfilment.advance(order.id);
    await eventually(async () => expect((await shop.app.orders.get(order.id))?.status).toBe("delivered"));
    icsstore.seed({ refid: "RSMANUAL0001", harga: 35_000, status: "success" });

    const reply = await admin().ask("/reconcile icsstore", says("admin-reconcile-title", { period: phrase("admin-stats-period-today", {}, "en") }));
    expect(reply).toMatch(says("admin-reconcile-provider", { provider: "icsstore", checked: 2, orders: 1, count: 1 }));
    expect(reply).toMatch(
      says("admin-reconcile-charged-no-order", { provider: "icsstore", ref: "RSMANUAL0001", amount: formatRupiah(35_000), status: phrase("admin-reconcile-their-success", {}, "en") }),
    );
    expect(reply).toContain("Rp 35.000");
    expect(reply).not.toContain(order.id);
    expect(reply).not.toMatch(says("admin-reconcile-none"));
    // Nothing secret or personal: no API key, no target number, no serial.
    expect(reply).not.toContain(icsstore.apiKey);
    expect(reply).not.toContain("081234567890");
    expect(reply).not.toContain("99887766");
    // Read-only: history pages, no purchase, no status call.
    expect(icsstore.count("createTransaction")).toBe(1);
    expect(icsstore.count("getHistory")).toBeGreaterThan(0);
  });

  it("shows a provider's overlong or line-breaking reference cut short and escaped", async () => {
    icsstore.seed({ refid: `RS\n✅ ORD-FORGED paid ${"X".repeat(80)}`, harga: 1_000, status: "pending" });
    const reply = await admin().ask("/reconcile icsstore", says("admin-reconcile-title", { period: phrase("admin-stats-period-today", {}, "en") }));
    expect(reply).toContain("RS\\n✅ ORD-FORGED");
    expect(reply).not.toContain("X".repeat(60));
    expect(reply.split("\n").some((line) => line.startsWith("✅ ORD-FORGED"))).toBe(false);
  });

  it("answers 'no mismatches' when the records agree, and checks every provider without one named", async () => {
    const reply = await admin().ask("/reconcile 7d", says("admin-reconcile-title", { period: phrase("admin-stats-period-7d", {}, "en") }));
    expect(reply).toMatch(says("admin-reconcile-none"));
    expect(reply).toMatch(says("admin-reconcile-provider", { provider: "icsstore", checked: 0, orders: 0, count: 0 }));
    expect(reply).toMatch(says("admin-reconcile-provider-status", { provider: "sandbox", checked: 0, orders: 0, count: 0 }));
  });

  it("says when a provider cannot be read or is not enabled", async () => {
    icsstore.inject("getHistory", { kind: "status", status: 401, body: { error: "API key tidak valid" } });
    await admin().ask("/reconcile icsstore", says("admin-reconcile-error", { provider: "icsstore", code: "auth" }));
    await admin().ask("/reconcile aluy", says("admin-reconcile-not-enabled", { provider: "aluy" }));
    await admin().ask("/reconcile icsstore 30d", says("admin-usage-reconcile"));
  });
});
