/**
 * Referrals end to end through Telegram (the real grammY bot against the fake Bot API, the admin
 * group attached, REFERRAL_PERCENT=2): `/referral` shows the code and the deep link, a new buyer
 * arriving by `/start ref_<code>` is linked, their delivered order credits the referrer once
 * (even when delivery is reported again), `/stats` shows the bonus with profit after it, and an
 * admin's refund of the order takes the bonus back once. Refusals: own code, a buyer who ordered
 * before, an unknown code; off when REFERRAL_PERCENT=0.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeTelegram, type FakeTelegram } from "../fakes/telegram-api.js";
import { formatRupiah } from "../../src/core/money.js";
import { adminGroup, buyer, owner, person, says, secondAdmin, startAdminShop, type AdminShop } from "../admin/support.js";

let telegram: FakeTelegram;
let shop: AdminShop;

async function start(env: Record<string, string> = { REFERRAL_PERCENT: "2" }): Promise<void> {
  telegram = await startFakeTelegram();
  shop = await startAdminShop(telegram, { env });
}

beforeEach(async () => {
  await start();
});
afterEach(async () => {
  await shop.cleanup();
  await telegram.close();
});

const admin = () => person(telegram, adminGroup, owner);
const orderIdIn = (text: string) => /ORD-[A-Z0-9]{8,}/.exec(text)?.[0];

/** The referrer's code, read from their `/referral` answer. */
async function codeOf(id: number): Promise<string> {
  const answer = await buyer(telegram, id).ask("/referral", says("referral-code", { code: /[A-Z2-9]{6}/ }));
  const code = /([A-Z2-9]{6})/.exec(answer.split("\n").find((line) => says("referral-code", { code: /[A-Z2-9]{6}/ }).test(line)) ?? "")?.[1];
  if (!code) throw new Error(`no code in ${answer}`);
  return code;
}

/** The buyer tops up and buys Telkomsel 10 GB (Rp 45.000) with typed numbers; returns the order id once delivered. */
async function buyTelkomsel(id: number): Promise<string> {
  const someone = buyer(telegram, id);
  await someone.ask("/topup 50000", says("topup-sandbox-done", { amount: formatRupiah(50_000) }));
  await someone.ask("/menu", says("menu-main-title"));
  await someone.ask("2", says("menu-product-title"));
  await someone.ask("1", says("input-prompt-phone"));
  await someone.ask("081234567890", says("confirm-title"));
  await someone.ask("1", says("payment-title"));
  const paid = await someone.ask("1", says("order-paid"));
  const orderId = orderIdIn(paid);
  expect(orderId).toBeDefined();
  await someone.expect(says("order-delivered", { order: orderId! }));
  return orderId!;
}

describe("referrals on Telegram", () => {
  it("shows the buyer's code and deep link, and the same code every time", async () => {
    const answer = await buyer(telegram, 3001).ask("/referral", says("referral-title"));
    const code = /([A-Z2-9]{6})/.exec(answer)?.[1];
    expect(answer).toMatch(says("referral-link", { link: `https://t.me/warung_test_bot?start=ref_${code}` }));
    expect(answer).toMatch(says("referral-terms", { percent: "2", days: "90" }));
    expect(answer).toMatch(says("referral-count", { count: "0" }));
    expect(await codeOf(3001)).toBe(code);
  });

  it("credits the referrer once for a referred buyer's delivered order, and takes it back once on refund", async () => {
    const code = await codeOf(3001);
    const referee = buyer(telegram, 3002);
    const since = telegram.mark();
    const menu = await referee.ask(`/start ref_${code.toLowerCase()}`, says("referral-linked", { code }));
    expect(menu).toMatch(says("menu-main-title")); // the notice heads the main menu
    await referee.expect(says("welcome"), since);
    expect(await shop.app.referrals.referrerOf("telegram:3002")).toMatchObject({ referrer: "telegram:3001" });

    const orderId = await buyTelkomsel(3002);
    await shop.app.referrals.idle();
    expect(await shop.app.wallet.balance("telegram:3001")).toBe(900); // 2% of Rp 45.000

    // Delivery reported again (a duplicate event, another process): nothing more.
    const order = (await shop.app.orders.get(orderId))!;
    shop.app.referrals.onTransition(order, "pending");
    shop.app.referrals.onTransition(order, "pending");
    await shop.app.referrals.idle();
    expect(await shop.app.wallet.balance("telegram:3001")).toBe(900);
    expect((await shop.app.wallet.ledger("telegram:3001")).map((entry) => entry.id)).toEqual([`referral:${orderId}`]);
    expect((await buyer(telegram, 3001).ask("/referral", says("referral-count"))).match(says("referral-count", { count: "1" }))).not.toBeNull();

    // /stats: the bonus on its own line, profit after it (Rp 45.000 − cost Rp 45.000 − Rp 900).
    const stats = await admin().ask("/stats", says("admin-stats-title"));
    expect(stats).toMatch(says("admin-stats-referral", { amount: formatRupiah(900), count: "1" }));
    expect(stats).toMatch(says("admin-stats-money", { revenue: formatRupiah(45_000), cost: formatRupiah(45_000), profit: formatRupiah(-900) }));

    // The goods did not work: the admin refunds the delivered order, twice over two admins.
    await admin().ask(`/refund ${orderId}`, says("admin-refund-delivered-needs-reason", { order: orderId }));
    await admin().ask(`/refund ${orderId} number not active`, says("admin-refund-done", { order: orderId }));
    await buyer(telegram, 3002).expect(says("order-refunded", { amount: formatRupiah(45_000) }));
    await person(telegram, adminGroup, secondAdmin).ask(`/refund ${orderId} again`, says("admin-refund-already", { order: orderId }));
    shop.app.referrals.onTransition((await shop.app.orders.get(orderId))!, "delivered");
    await shop.app.referrals.idle();

    expect(await shop.app.wallet.balance("telegram:3002")).toBe(50_000);
    expect(await shop.app.wallet.balance("telegram:3001")).toBe(0);
    const ids = (await shop.app.wallet.ledger("telegram:3001")).map((entry) => entry.id);
    expect(ids.sort()).toEqual([`referral-reversal:${orderId}`, `referral:${orderId}`].sort());
    for (const who of ["telegram:3001", "telegram:3002"]) expect((await shop.app.wallet.verify(who)).consistent).toBe(true);

    const after = await admin().ask("/stats", says("admin-stats-title"));
    expect(after).toMatch(says("admin-stats-referral", { amount: formatRupiah(0), count: "0" }));
  });

  it("refuses the buyer's own code, a buyer who ordered before and an unknown code", async () => {
    const code = await codeOf(3001);
    await buyer(telegram, 3001).ask(`/start ref_${code}`, says("referral-refused-self", { code }));

    await buyTelkomsel(3003);
    await buyer(telegram, 3003).ask(`/start ref_${code}`, says("referral-refused-existing"));
    await buyer(telegram, 3004).ask("/start ref_ZZZZZZ", says("referral-refused-unknown", { code: "ZZZZZZ" }));
    // A typed REF works on Telegram too, for a buyer who got the code by word of mouth.
    await buyer(telegram, 3005).ask(`REF ${code}`, says("referral-linked", { code }));
    await shop.app.referrals.idle();
    expect(await shop.app.referrals.referrerOf("telegram:3003")).toBeNull();
    expect(await shop.app.referrals.referrerOf("telegram:3004")).toBeNull();
    expect(await shop.app.wallet.balance("telegram:3001")).toBe(0);
  });
});

describe("referrals switched off", () => {
  it("say so on /referral and leave /start payloads alone", async () => {
    await shop.cleanup();
    await telegram.close();
    await start({});
    await buyer(telegram, 3101).ask("/referral", says("referral-off"));
    const answer = await buyer(telegram, 3102).ask("/start ref_ABCDEF", says("menu-main-title"));
    expect(answer).not.toMatch(says("referral-refused-unknown"));
    expect(await shop.app.referrals.referrerOf("telegram:3102")).toBeNull();
  });
});
