/**
 * One product of each real provider bought through the Telegram fake, with every adapter
 * pointed at its fake API by configuration alone (as an owner would point it at staging).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeAlxzenServer } from "../fakes/alxzen-server.js";
import { aluyFakeCookie, startAluyFake, type AluyFake } from "../fakes/aluy-server.js";
import { IcsstoreFake } from "../fakes/icsstore-server.js";
import { startOdzreshopFake, type OdzreshopFake } from "../fakes/odzreshop-server.js";
import { gmailAddress, startPremzoneFake, type PremzoneFake } from "../fakes/premzone-server.js";
import { startFakeTelegram, textOf, type FakeTelegram } from "../fakes/telegram-api.js";
import { startTestApp, testProviders, type TestApp } from "../helpers/app.js";
import { shown } from "../helpers/shown.js";

let telegram: FakeTelegram;
let alxzen: FakeAlxzenServer;
let odzreshop: OdzreshopFake;
let icsstore: IcsstoreFake;
let premzone: PremzoneFake;
let aluy: AluyFake;
let shop: TestApp;

beforeAll(async () => {
  [telegram, alxzen, odzreshop, icsstore, premzone, aluy] = await Promise.all([
    startFakeTelegram(),
    FakeAlxzenServer.start(),
    startOdzreshopFake(),
    IcsstoreFake.start(),
    startPremzoneFake(),
    startAluyFake(),
  ]);
  aluy.provisionPolls = 1;
  aluy.bootPolls = 1;
  const env = {
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.url,
    MARKUP_PERCENT: "10",
    MARKUP_FLAT: "500",
    ALXZEN_BASE_URL: alxzen.url,
    ALXZEN_API_KEY: alxzen.apiKey,
    ODZRESHOP_BASE_URL: odzreshop.url,
    ODZRESHOP_API_KEY: odzreshop.apiKey,
    ODZRESHOP_SLUGS: "mobile-legends,free-fire",
    ICSSTORE_BASE_URL: icsstore.url,
    ICSSTORE_API_KEY: icsstore.apiKey,
    PREMZONE_BASE_URL: premzone.url,
    PREMZONE_API_KEY: premzone.apiKey,
    PREMZONE_EMAIL: premzone.email,
    PREMZONE_PLANS: "basic:50000,gold:90000",
    ALUY_BASE_URL: aluy.url,
    ALUY_SESSION_COOKIE: aluyFakeCookie,
    ALUY_EUR_TO_IDR: "17500",
    DATA_ENCRYPTION_KEY: "a".repeat(64),
    // One chat walks through several purchases faster than any person types: no flood limit here.
    CHAT_FLOOD_BURST: "1000",
  };
  shop = await startTestApp(env, { providers: testProviders(env) });
}, 30_000);

afterAll(async () => {
  await shop?.cleanup();
  await Promise.all([telegram, alxzen, odzreshop, icsstore, premzone, aluy].map((fake) => fake?.close()));
});


/** Waits for a message in `chatId` matching `pattern` (a message key's, from `shown`). */
function expectShown(chatId: number, pattern: RegExp) {
  return telegram.waitFor((m) => m.chatId === chatId && pattern.test(textOf(m)), 10_000);
}

/** Buys `code` as a fresh buyer with `funds` in the wallet; returns every message of the chat. */
async function buy(chatId: number, code: string, target: string | null, funds: number) {
  await shop.app.wallet.credit(`telegram:${chatId}`, funds, { id: `test-funds:${chatId}`, reason: "manual", note: "test" });
  const chat = { id: chatId, type: "private" as const };
  const from = { id: chatId, first_name: "Buyer" };
  telegram.sendText(chat, from, code);
  if (target !== null) {
    const input = shop.app.catalog.view().find(code.toUpperCase())!.input;
    await expectShown(chatId, shown(`input-prompt-${input}`));
    telegram.sendText(chat, from, target);
  }
  const confirm = await expectShown(chatId, shown("confirm-title"));
  telegram.sendText(chat, from, "1");
  await expectShown(chatId, shown("payment-title"));
  telegram.sendText(chat, from, "1");
  await expectShown(chatId, shown("order-paid"));
  const delivered = await expectShown(chatId, shown("order-delivered"));
  const orderId = /ORD-[A-Z0-9]+/.exec(textOf(delivered))![0];
  return { confirm: textOf(confirm), delivered: textOf(delivered), order: (await shop.app.orders.get(orderId))! };
}

describe("buying from every provider through Telegram", () => {
  it("shows every provider's products in sensible categories with marked-up prices", () => {
    const view = shop.app.catalog.view();
    expect(view.categories().map((c) => c.id)).toEqual(["game", "data", "app", "panel", "vps", "plan", "other"]);
    // odzreshop ML 86 costs 18.500: +10 % (1.850) + 500 flat.
    expect(view.find("ML-86")).toMatchObject({ provider: "odzreshop", price: 20_850, category: "game", input: "game_id_zone" });
    expect(view.find("XLA15")).toMatchObject({ provider: "icsstore", available: false, unavailableReason: "out_of_stock" });
    expect(view.find("PZ-GOLD")).toMatchObject({ provider: "premzone", price: 99_500, input: "gmail" });
    expect(view.find("VPS-1G")).toMatchObject({ provider: "aluy", category: "vps", cost: 87_325 });
    expect(view.items.some((item) => item.provider === "sandbox")).toBe(false);
  });

  it("odzreshop: Mobile Legends with zone, pending then the serial number", async () => {
    const { delivered, order } = await buy(2001, "ml-86", "12345678 (1234)", 50_000);
    expect(delivered).toMatch(shown("delivery-serial", { value: /\S+/ }));
    expect(order.status).toBe("delivered");
    expect([...odzreshop.orders.values()].map((o) => o.target)).toContain("123456781234");
  });

  it("ICS-Store: data quota for a phone number", async () => {
    const { delivered } = await buy(2002, "XLA10", "0812 3456 7890", 50_000);
    expect(delivered).toMatch(shown("delivery-serial", { value: "SN 1234567890" }));
    expect(icsstore.count("createTransaction")).toBe(1);
  });

  it("ALxZen: a premium app account, credentials only in the private chat", async () => {
    const { delivered, order } = await buy(2003, "AX-C0C789", null, 50_000);
    expect(delivered).toMatch(shown("delivery-email", { value: /\S+@\S+/ }));
    // Stored encrypted: the order record holds no clear password.
    const password = shown("delivery-password", { value: /(\S+)/ }).exec(delivered)?.[1];
    expect(password).toBeDefined();
    expect(order.delivered).not.toContain(password!);
    expect(shop.app.vault.open(order.delivered!, true).items.find((i) => i.label === "password")?.value).toBe(password);
  });

  it("premzone: a plan for a Gmail address, registered as a downline first", async () => {
    const email = gmailAddress("budi.santoso");
    const { delivered } = await buy(2004, "PZ-GOLD", email, 100_000);
    expect(delivered).toMatch(shown("delivery-plan", { value: "Gold" }));
    expect(premzone.account(email)).toBeDefined();
    expect(premzone.requestsTo("/api/transactions/buy")).toHaveLength(1);
  });

  it("aluy.net: a VPS for the months chosen, followed until running, then IP, root password and paid-until date", async () => {
    const { delivered } = await buy(2005, "VPS-1G", "1", 100_000);
    expect(delivered).toMatch(shown("delivery-expires", { value: /\d{4}-\d\d-\d\dT/ }));
    expect(aluy.count("POST", /\/cancel$/)).toBe(1);
    expect(delivered).toMatch(shown("delivery-ip", { value: /203\.0\.113\.\d+/ }));
    expect(delivered).toMatch(shown("delivery-username", { value: "root" }));
    expect(delivered).toMatch(shown("delivery-password", { value: /\S+/ }));
    expect(aluy.count("POST", "/orders")).toBe(1);
  });

  it("aluy.net: My VPS shows status, resets the password, and reinstalls only after confirmation", async () => {
    const chat = { id: 2005, type: "private" as const };
    const from = { id: 2005, first_name: "Buyer" };
    const say = (text: string) => telegram.sendText(chat, from, text);
    say("/vps");
    await expectShown(2005, shown("vps-list-title"));
    say("1");
    await expectShown(2005, shown("vps-service-title"));
    say("1");
    await expectShown(2005, shown("vps-status", { state: "running", ips: /.*203\.0\.113\.\d+.*/ }));
    const resets = aluy.count("POST", /reset-password$/);
    say("6");
    await expectShown(2005, shown("vps-password", { password: /\S+/ }));
    expect(aluy.count("POST", /reset-password$/)).toBe(resets + 1);
    say("7");
    await expectShown(2005, shown("vps-reinstall-title"));
    say("2");
    await expectShown(2005, shown("vps-reinstall-confirm"));
    expect(aluy.count("POST", /reinstall$/)).toBe(0);
    say("1");
    await expectShown(2005, shown("vps-reinstall-started"));
    expect(aluy.count("POST", /reinstall$/)).toBe(1);
    // Someone else's buyer has no servers here.
    telegram.sendText({ id: 2999, type: "private" }, { id: 2999 }, "/vps");
    await expectShown(2999, shown("vps-none"));
  });

  it("aluy.net: Kembali on the My VPS list goes back to the shop's main menu", async () => {
    const chat = { id: 2005, type: "private" as const };
    const from = { id: 2005, first_name: "Buyer" };
    telegram.sendText(chat, from, "/vps");
    await expectShown(2005, shown("vps-list-title"));
    // The list: the one server bought above, then "Kembali".
    telegram.sendText(chat, from, "2");
    const next = await telegram.waitFor((m) => m.chatId === 2005, 10_000);
    expect(textOf(next)).toMatch(shown("menu-main-title"));
    expect(textOf(next)).not.toMatch(shown("menu-expired"));
  });

  it("aluy.net: the OS is chosen after the months from aluy's templates, shown on confirm, and ordered", async () => {
    // A service of ours exists now (bought above): the catalog reads GET /services/:id/templates.
    await shop.app.catalog.refresh();
    const chat = { id: 2006, type: "private" as const };
    const from = { id: 2006, first_name: "Buyer" };
    await shop.app.wallet.credit("telegram:2006", 100_000, { id: "test-funds:2006", reason: "manual", note: "test" });
    telegram.sendText(chat, from, "VPS-1G");
    await expectShown(2006, shown("input-prompt-months"));
    telegram.sendText(chat, from, "1");
    await expectShown(2006, shown("input-prompt-os"));
    // The menu's second choice (aluy's templates: Ubuntu 24.04 LTS, Debian 12, Rocky Linux 9).
    telegram.sendText(chat, from, "2");
    await expectShown(2006, shown("confirm-os", { os: "Debian 12" }));
    telegram.sendText(chat, from, "1");
    await expectShown(2006, shown("payment-title"));
    telegram.sendText(chat, from, "1");
    await expectShown(2006, shown("order-delivered"));
    expect(aluy.orders[0]?.operatingSystemId).toBe(2);
    expect(aluy.services[0]?.operatingSystemId).toBe(2);
  });
});
