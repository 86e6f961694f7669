/**
 * Shared harness of the admin tests: the real app long-polling the fake Bot API, with the admin
 * side attached, an admin group and a few people to play (two admins, a stranger), a buyer
 * driver, a provider that counts purchases, and helpers to put orders and payments in place.
 */
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { z } from "zod";
import type { AppOptions } from "../../src/compose/app.js";
import type { AdminStage, AdminTimings } from "../../src/admin/stage.js";
import type { CatalogItem } from "../../src/commerce/catalog.js";
import type { Order } from "../../src/commerce/orders.js";
import { textOf, type FakeChat, type FakeTelegram, type FakeUser } from "../fakes/telegram-api.js";
export { textOf };
import { startTestApp, type TestApp } from "../helpers/app.js";
import { shown, type ShownArg } from "../helpers/shown.js";

/**
 * The pattern of message `key` as this English-speaking shop shows it, so a test waits for the
 * message it means rather than for a piece of its wording.
 */
export function says(key: string, args: Record<string, ShownArg> = {}): RegExp {
  return shown(key, args, "en");
}

/** The configured admin group. */
export const adminGroup: FakeChat = { id: -1001000000001, type: "supergroup", title: "Warung admins" };
/** A group the bot is in that is not the admin group. */
export const otherGroup: FakeChat = { id: -1001000000002, type: "supergroup", title: "Buyers chat" };
export const owner: FakeUser = { id: 501, first_name: "Owner" };
export const secondAdmin: FakeUser = { id: 502, first_name: "Staff" };
/** In the admin group, but not a configured admin. */
export const stranger: FakeUser = { id: 777, first_name: "Stranger" };

/** A 32-byte key, so delivered secrets are kept (encrypted) and a leak would be possible to see. */
const encryptionKey = "0f".repeat(32);

const vectors = z
  .object({ static_valid: z.array(z.string()).min(1) })
  .parse(JSON.parse(readFileSync(new URL("../fixtures/qris-vectors.json", import.meta.url), "utf8")));

import { CountingSandbox } from "../helpers/counting-sandbox.js";
export { CountingSandbox };

export interface AdminShop extends TestApp {
  admin: AdminStage;
  provider: CountingSandbox;
}

/** The env of an English-speaking shop with an admin group, two admins, QRIS and the sandbox. */
export function adminEnv(telegram: FakeTelegram, extra: Record<string, string> = {}): Record<string, string> {
  return {
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.url,
    TELEGRAM_ADMIN_CHAT_ID: String(adminGroup.id),
    ADMIN_TELEGRAM_IDS: `${owner.id},${secondAdmin.id}`,
    DEFAULT_LOCALE: "en",
    DATA_ENCRYPTION_KEY: encryptionKey,
    SANDBOX: "on",
    QRIS_STATIC_PAYLOAD: vectors.static_valid[0]!,
    PAYMENT_METHODS: "wallet,qris",
    ...extra,
  };
}

/** Starts the shop with an admin group and short admin timings. */
export async function startAdminShop(
  telegram: FakeTelegram,
  options: { env?: Record<string, string>; overrides?: Partial<AppOptions>; admin?: AdminTimings } = {},
): Promise<AdminShop> {
  const provider = new CountingSandbox();
  const admin = { burstMs: 100, groupMinGapMs: 1_100, ...options.admin };
  const shop = await startTestApp(adminEnv(telegram, options.env), { providers: [provider], admin, ...options.overrides });
  return { ...shop, admin: shop.app.admin, provider };
}


/**
 * Someone writing in a chat, and waiting for the bot's message there that contains `part` (or
 * matches it, for a message key's pattern from {@link says}).
 */
export function person(telegram: FakeTelegram, chat: FakeChat, from: FakeUser) {
  const has = (part: string | RegExp) => (text: string) => (typeof part === "string" ? text.includes(part) : part.test(text));
  return {
    say: (text: string) => telegram.sendText(chat, from, text),
    /** Sends `text` and resolves with the bot's first message in the chat containing `part`. */
    ask: async (text: string, part: string | RegExp, timeoutMs = 8_000): Promise<string> => {
      const since = telegram.mark();
      telegram.sendText(chat, from, text);
      return textOf(await telegram.waitFor((m) => m.chatId === chat.id && has(part)(textOf(m)), { since, timeoutMs }));
    },
    expect: async (part: string | RegExp, since = 0, timeoutMs = 8_000): Promise<string> =>
      textOf(await telegram.waitFor((m) => m.chatId === chat.id && has(part)(textOf(m)), { since, timeoutMs })),
  };
}

/** Everything the bot posted to a chat so far, as text. */
export function postedTo(telegram: FakeTelegram, chatId: number): string[] {
  return telegram.messagesTo(chatId).map(textOf);
}

/** A buyer in a private chat (chat id = user id). */
export function buyer(telegram: FakeTelegram, id: number) {
  return person(telegram, { id, type: "private" }, { id, first_name: `Buyer ${id}` });
}

function snapshot(item: CatalogItem): Order["product"] {
  const { code, provider, sku, name, category, group, basePrice, stock, input, delivery } = item;
  return { code, provider, sku, name, category, group, basePrice, stock, input, delivery };
}

/**
 * Creates an order for a buyer directly in the store, as checkout would: `paid` (wallet, money
 * already taken) or `awaiting_payment` (QRIS, payment opened). Fulfilment is not started.
 */
export async function placeOrder(
  shop: TestApp,
  buyerId: number,
  code: string,
  method: "wallet" | "qris",
  inputs: Record<string, string> = {},
): Promise<Order> {
  const { app } = shop;
  const item = app.catalog.view().find(code);
  if (!item) throw new Error(`no product ${code}`);
  const buyerKey = `telegram:${buyerId}`;
  const base = {
    buyer: buyerKey,
    channel: "telegram" as const,
    chatId: String(buyerId),
    locale: "en" as const,
    product: snapshot(item),
    inputs,
    price: item.price,
    cost: item.cost,
  };
  if (method === "qris") {
    const order = await app.orders.create({ ...base, payment: { method: "qris", amount: item.price } });
    await app.payments.startOrderPayment(order);
    return (await app.orders.get(order.id))!;
  }
  await app.wallet.credit(buyerKey, item.price, { id: `test-topup:${Math.random()}`, reason: "sandbox_topup" });
  const order = await app.orders.create({ ...base, payment: { method: "wallet", amount: item.price, paidAt: Date.now() }, status: "paid" });
  const debit = await app.wallet.debit(buyerKey, item.price, { id: `pay:${order.id}`, reason: "purchase", orderId: order.id });
  expect(debit.ok).toBe(true);
  return order;
}

/** Opens a QRIS top-up for a buyer and returns its payment id (`TOP-…`). */
export async function openTopup(shop: TestApp, buyerId: number, amount: number): Promise<string> {
  const replies = await shop.app.payments.startTopup({ buyer: `telegram:${buyerId}`, channel: "telegram", chatId: String(buyerId), locale: "en" }, amount);
  const photo = replies[0];
  if (photo?.kind !== "photo") throw new Error("no QR");
  const caption = Array.isArray(photo.caption) ? photo.caption[0] : photo.caption;
  const id = caption?.args?.id;
  if (typeof id !== "string") throw new Error("no payment id in the caption");
  return id;
}

/** Polls until `check` passes or `timeoutMs` runs out (then fails with the last error). */
export async function eventually(check: () => Promise<void> | void, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
