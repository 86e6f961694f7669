/**
 * Shop settings from the admin group: markup at each level (the most specific wins, prices
 * change at once), hiding products, and the maintenance pause — and that all of them survive a
 * restart, being kept in Redis, and that a periodic reload rebuilds the catalog only on a change.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseMarkupValue } from "../../src/admin/markup.js";
import { AdminSettings } from "../../src/admin/settings.js";
import type { MarkupRules } from "../../src/commerce/pricing.js";
import { silentLogger } from "../../src/logger.js";
import { startFakeTelegram, type FakeTelegram } from "../fakes/telegram-api.js";
import { formatRupiah } from "../../src/core/money.js";
import { msg } from "../../src/core/message.js";
import { adminGroup, buyer, owner, person, says, startAdminShop, type AdminShop } from "./support.js";

let telegram: FakeTelegram;
let shop: AdminShop;

beforeEach(async () => {
  telegram = await startFakeTelegram();
  shop = await startAdminShop(telegram, { env: { MARKUP_PERCENT: "0", MARKUP_FLAT: "0" } });
});
afterEach(async () => {
  await shop.cleanup();
  await telegram.close();
});

const admin = () => person(telegram, adminGroup, owner);
const price = (code: string) => shop.app.catalog.view().find(code)?.price;

describe("/markup", () => {
  it("sets global, provider and product markups; the most specific one wins, at once", async () => {
    // Sandbox costs: SB-ML86 Rp 18.000, SB-FF70 Rp 9.500.
    expect(price("SB-ML86")).toBe(18_000);
    const global = msg("admin-markup-target-global");
    await admin().ask("/markup global 10%", says("admin-markup-set", { target: global, value: "10%" }));
    expect(price("SB-ML86")).toBe(19_800);
    expect(price("SB-FF70")).toBe(10_450);

    const sandbox = msg("admin-markup-target-provider", { provider: "sandbox" });
    await admin().ask("/markup sandbox 2000", says("admin-markup-set", { target: sandbox, value: formatRupiah(2_000) }));
    expect(price("SB-ML86")).toBe(20_000);
    expect(price("SB-FF70")).toBe(11_500);

    const ml86 = msg("admin-markup-target-product", { code: "SB-ML86" });
    const product = await admin().ask("/markup sb-ml86 5%+500", says("admin-markup-set", { target: ml86, value: `5% + ${formatRupiah(500)}` }));
    expect(product).toMatch(says("admin-markup-example", { code: "SB-ML86", cost: formatRupiah(18_000), price: formatRupiah(19_400) }));
    expect(price("SB-ML86")).toBe(19_400);
    expect(price("SB-FF70")).toBe(11_500);

    const shown = await admin().ask("/markup", says("admin-markup-title"));
    expect(shown).toMatch(says("admin-markup-line", { target: global, value: "10%" }));
    expect(shown).toMatch(says("admin-markup-line", { target: sandbox, value: formatRupiah(2_000) }));
    expect(shown).toMatch(says("admin-markup-line", { target: ml86, value: `5% + ${formatRupiah(500)}` }));

    // Menus show the new price to buyers straight away.
    const customer = buyer(telegram, 1301);
    await customer.ask("SB-ML86", says("input-prompt-game_id_zone"));
    await customer.ask("12345678 (1234)", says("confirm-price", { price: formatRupiah(19_400) }));

    await admin().ask("/markup SB-ML86 off", says("admin-markup-removed", { target: ml86 }));
    expect(price("SB-ML86")).toBe(20_000);
    await admin().ask("/markup sandbox off", says("admin-markup-removed", { target: sandbox }));
    expect(price("SB-ML86")).toBe(19_800);
  });

  it("refuses unknown targets and absurd values, changing nothing", async () => {
    await admin().ask("/markup alxzen 10%", says("admin-provider-unknown", { provider: "alxzen" }));
    await admin().ask("/markup NOPE-1 10%", says("admin-product-unknown", { code: "NOPE-1" }));
    const usage = says("admin-usage-invalid", { usage: msg("admin-usage-markup") });
    await admin().ask("/markup global 900%", usage);
    await admin().ask("/markup global ten", usage);
    expect(price("SB-ML86")).toBe(18_000);
  });

  it("reads the values admins type", () => {
    expect(parseMarkupValue("10%")).toEqual({ percent: 10, flat: 0 });
    expect(parseMarkupValue("2,5%")).toEqual({ percent: 2.5, flat: 0 });
    expect(parseMarkupValue("Rp 2.000")).toEqual({ percent: 0, flat: 2_000 });
    expect(parseMarkupValue("2rb")).toEqual({ percent: 0, flat: 2_000 });
    expect(parseMarkupValue("5% + 1000")).toEqual({ percent: 5, flat: 1_000 });
    expect(parseMarkupValue("0")).toEqual({ percent: 0, flat: 0 });
    for (const bad of ["", "%", "5%+5%", "1000+2000", "-5%", "abc"]) expect(parseMarkupValue(bad), bad).toBeNull();
  });
});

describe("/product", () => {
  it("hides a product from buyers and shows it again", async () => {
    const code = "SB-NFX1";
    await admin().ask("/product off sb-nfx1", says("admin-product-hidden", { code }));
    expect(shop.app.catalog.view().find(code)).toBeUndefined();
    await admin().ask("/product off SB-NFX1", says("admin-product-already-hidden", { code }));
    await admin().ask("/product on SB-NFX1", says("admin-product-shown", { code }));
    expect(shop.app.catalog.view().find(code)?.available).toBe(true);
    await admin().ask("/product on SB-NFX1", says("admin-product-not-hidden", { code }));
    await admin().ask("/product off NOPE-2", says("admin-product-unknown", { code: "NOPE-2" }));
  });
});

describe("/maintenance", () => {
  it("pauses buying with the admin's message while browsing still works", async () => {
    const message = "Back at 5 pm";
    await admin().ask("/maintenance on Back at 5 pm", says("admin-maintenance-on", { message }));
    expect(shop.app.admin.buyingPaused()).toBe(message);
    const customer = buyer(telegram, 1302);
    await customer.ask("/topup 100000", says("topup-sandbox-done", { amount: formatRupiah(100_000) }));
    await customer.ask("/menu", says("menu-main-title"));
    await customer.ask("SB-NFX1", says("confirm-title"));
    await customer.ask("1", says("shop-paused", { message }));
    expect(await shop.app.orders.ofBuyer("telegram:1302")).toHaveLength(0);

    await admin().ask("/maintenance", says("admin-maintenance-status-on", { by: /telegram:501.*/, message }));
    await admin().ask("/maintenance off", says("admin-maintenance-off"));
    expect(shop.app.admin.buyingPaused()).toBeNull();
    await admin().ask("/maintenance on", says("admin-maintenance-on", { message: msg("admin-maintenance-default") }));
  });
});

describe("settings", () => {
  it("survive a restart: a new process loads the markup, hidden products and pause", async () => {
    await admin().ask("/markup global 7%", "is now 7%");
    await admin().ask("/markup sandbox 1000", "is now");
    await admin().ask("/markup SB-FF70 3%", "is now");
    await admin().ask("/product off SB-PANEL1", "hidden");
    await admin().ask("/maintenance on Stocktaking", "paused");

    let applied: { rules?: MarkupRules; hidden?: string[] } = {};
    const restarted = new AdminSettings({
      redis: shop.app.redis,
      catalog: { setRules: (rules, hidden) => (applied = { rules, hidden: [...hidden] }) },
      defaultGlobal: { percent: 0, flat: 0 },
      logger: silentLogger,
    });
    await restarted.load();
    expect(applied.rules).toEqual({
      global: { percent: 7, flat: 0 },
      providers: { sandbox: { percent: 0, flat: 1_000 } },
      products: { "SB-FF70": { percent: 3, flat: 0 } },
    });
    expect(applied.hidden).toEqual(["SB-PANEL1"]);
    expect(restarted.buyingPaused()).toBe("Stocktaking");
  });

  it("are applied to the catalog in one call, and a reload that reads nothing new applies nothing", async () => {
    await admin().ask("/markup global 7%", "is now 7%");
    await admin().ask("/product off SB-PANEL1", "hidden");

    const calls: Array<{ rules: MarkupRules; hidden: string[] }> = [];
    const other = new AdminSettings({
      redis: shop.app.redis,
      catalog: { setRules: (rules, hidden) => calls.push({ rules, hidden: [...hidden] }) },
      defaultGlobal: { percent: 0, flat: 0 },
      logger: silentLogger,
    });
    await other.load();
    expect(calls).toHaveLength(1);
    await other.load();
    await other.load();
    expect(calls).toHaveLength(1);

    // Another process changes a setting: the next reload applies it, once.
    await admin().ask("/product on SB-PANEL1", "shown to buyers again");
    await other.load();
    await other.load();
    expect(calls).toHaveLength(2);
    expect(calls[1]).toEqual({ rules: calls[0]!.rules, hidden: [] });
    await admin().ask("/markup SB-FF70 3%", "is now");
    await other.load();
    expect(calls).toHaveLength(3);
    expect(calls[2]!.rules.products).toEqual({ "SB-FF70": { percent: 3, flat: 0 } });
  });
});
