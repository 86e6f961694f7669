/**
 * Shared harness of the QRIS payment tests: the shared static QRIS vector, a real App with
 * QRIS on, a recorder in place of the console channel (what the shop tells buyers on its own)
 * and of the admin alerts, a counting sandbox provider, a buyer driver through `shop.handle`,
 * a signed-callback client and a Redis key-space snapshot to prove that a request changed nothing.
 */
import { readFileSync } from "node:fs";
import { Redis } from "ioredis";
import jsQR from "jsqr";
import { PNG } from "pngjs";
import { expect } from "vitest";
import { z } from "zod";
import type { App, AppOptions } from "../../src/compose/app.js";
import type { AdminAlerts } from "../../src/core/alerts.js";
import type { ChannelSender } from "../../src/core/outbox.js";
import { Translator } from "../../src/i18n/translator.js";
import { asList, type Reply } from "../../src/core/reply.js";
import { renderText } from "../../src/channels/render.js";
import type { LedgerEntry } from "../../src/commerce/wallet.js";
import { signCallback } from "../../src/payments/callback-route.js";
import { textOf } from "../fakes/telegram-api.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { CountingSandbox } from "../helpers/counting-sandbox.js";
import { telegramBuyer } from "../helpers/telegram-buyer.js";
import { testRedisUrl } from "../helpers/redis.js";

const vectors = z
  .object({ static_valid: z.array(z.string()).min(1) })
  .parse(JSON.parse(readFileSync(new URL("../fixtures/qris-vectors.json", import.meta.url), "utf8")));

/** The owner's static QRIS every test configures. */
export const staticQris: string = vectors.static_valid[0]!;

/** Callback secret of the tests that listen for callbacks. */
export const callbackSecret = "test-callback-secret-0123456789";

export { CountingSandbox, telegramBuyer, textOf };

/** One message the shop sent a buyer on its own (through the outbox). */
export interface Told {
  chatId: string;
  keys: string[];
  text: string;
  reply: Reply;
}

/** One admin alert. */
export interface Alert {
  key: string;
  text: string;
  orderId: string | undefined;
}

export interface PaymentsHarness extends TestApp {
  provider: CountingSandbox;
  /** Everything sent to console buyers through the outbox, in order. */
  told: Told[];
  alerts: Alert[];
  /** Messages told to one chat whose keys include `key`. */
  toldTo(chatId: string, key: string): Told[];
  alertsOf(key: string): Alert[];
}

/** The env of a shop selling the sandbox and taking the owner's QRIS. */
export function qrisEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { SANDBOX: "on", QRIS_STATIC_PAYLOAD: staticQris, PAYMENT_METHODS: "wallet,qris", ...extra };
}

/** Starts the real app with QRIS on, recording buyer messages and admin alerts. */
export async function startPaymentsApp(extraEnv: Record<string, string> = {}, overrides: Partial<AppOptions> = {}): Promise<PaymentsHarness> {
  const provider = new CountingSandbox();
  const told: Told[] = [];
  const alerts: Alert[] = [];
  // The shop's own texts, rendered the way a channel would (one Translator reads the same locales).
  const translator = new Translator("id");
  const sender: ChannelSender = {
    channel: "console",
    send: async (chatId, replies, locale) => {
      for (const reply of replies) told.push({ chatId, keys: keysOf(reply), text: renderText(translator, locale, reply), reply });
    },
  };
  const recordAlerts: AdminAlerts = {
    alert: async (message, orderId) => {
      alerts.push({ key: message.key, text: translator.render("id", message), orderId });
    },
  };
  const started = await startTestApp(qrisEnv(extraEnv), { providers: [provider], senders: [sender], alerts: recordAlerts, ...overrides });
  return {
    ...started,
    provider,
    told,
    alerts,
    toldTo: (chatId, key) => told.filter((t) => t.chatId === chatId && t.keys.includes(key)),
    alertsOf: (key) => alerts.filter((a) => a.key === key),
  };
}

/** The message keys of a reply (top level only). */
export function keysOf(reply: Reply): string[] {
  if (reply.kind === "text") return asList(reply.text).map((m) => m.key);
  if (reply.kind === "photo" || reply.kind === "document") return asList(reply.caption).map((m) => m.key);
  return asList(reply.title).map((m) => m.key);
}

/** A console buyer talking to `shop.handle`; `chatId` defaults to the user id. */
export function consoleBuyer(app: App, userId: string, chatId = userId) {
  return {
    key: `console:${userId}`,
    chatId,
    say: (text: string) => app.shop.handle({ channel: "console", chatId, userId, isGroup: false, text }),
  };
}

/** The QR photo a QRIS checkout answers with, and the payment id / total it announces. */
export interface QrisCheckout {
  photo: Extract<Reply, { kind: "photo" }>;
  id: string;
  amount: number;
}

/**
 * Walks a product (with no target input unless `target`) to the payment menu and picks menu
 * entry `methodNumber` (2 = QRIS with PAYMENT_METHODS=wallet,qris).
 */
export async function checkout(app: App, userId: string, code: string, methodNumber: string, options: { target?: string; chatId?: string } = {}): Promise<Reply[]> {
  const buyer = consoleBuyer(app, userId, options.chatId);
  await buyer.say(code);
  if (options.target !== undefined) await buyer.say(options.target);
  const confirm = await buyer.say("1");
  expect(confirm.replies.flatMap(keysOf)).toContain("payment-title");
  return (await buyer.say(methodNumber)).replies;
}

/** Buys `code` by QRIS and returns the QR it shows. */
export async function checkoutQris(app: App, userId: string, code: string, options: { target?: string; chatId?: string } = {}): Promise<QrisCheckout> {
  const replies = await checkout(app, userId, code, "2", options);
  return qrisOf(replies);
}

/** The photo among replies, with the id and total of its caption's arguments. */
export function qrisOf(replies: Reply[]): QrisCheckout {
  const photo = replies.find((reply): reply is Extract<Reply, { kind: "photo" }> => reply.kind === "photo");
  if (!photo) throw new Error(`no QR photo in replies: ${JSON.stringify(replies.map(keysOf))}`);
  const caption = asList(photo.caption).find((m) => m.key === "qris-caption");
  if (!caption?.args) throw new Error("no qris-caption");
  const id = String(caption.args.id);
  const amount = Number(String(caption.args.amount).replace(/[^0-9]/g, ""));
  return { photo, id, amount };
}

/** Decodes the QR in a PNG; fails the test when there is none. */
export function decodeQr(png: Buffer): string {
  const image = PNG.sync.read(png);
  const decoded = jsQR.default(new Uint8ClampedArray(image.data), image.width, image.height);
  if (!decoded) throw new Error("the PNG holds no readable QR code");
  return decoded.data;
}

/** Every ledger entry of a buyer, oldest first (the order the wallet applied them in). */
export async function fullLedger(app: App, buyer: string): Promise<LedgerEntry[]> {
  return (await app.wallet.ledger(buyer, 100_000)).reverse();
}

/** Asserts balance = ledger sum and that no prefix of the ledger ever went below zero. */
export async function expectSoundWallet(app: App, buyer: string): Promise<number> {
  const check = await app.wallet.verify(buyer);
  expect(check.consistent, `wallet of ${buyer}: ${JSON.stringify(check)}`).toBe(true);
  let running = 0;
  for (const entry of await fullLedger(app, buyer)) {
    running += entry.amount;
    expect(running, `balance after ${entry.id}`).toBeGreaterThanOrEqual(0);
  }
  expect(running).toBe(check.balance);
  return check.balance;
}

/** A body signed with the test secret, ready to POST. */
export function signedCallback(body: unknown, secret = callbackSecret): { body: string; headers: Record<string, string> } {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return { body: text, headers: { "content-type": "application/json", "x-signature": signCallback(secret, text) } };
}

/** POSTs a callback and returns the status and parsed JSON answer. */
export async function postCallback(baseUrl: string, body: string, headers: Record<string, string>, path = "/payments/callback"): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${baseUrl}${path}`, { method: "POST", headers, body });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, json };
}

/**
 * Every key of the app's Redis prefix with its full value, to compare before and after a
 * request that must change nothing.
 */
export async function snapshotRedis(app: App): Promise<Record<string, unknown>> {
  const prefix = app.redis.options.keyPrefix ?? "";
  const raw = new Redis(testRedisUrl);
  try {
    const found: string[] = [];
    let cursor = "0";
    do {
      const [next, batch] = await raw.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      cursor = next;
      found.push(...batch);
    } while (cursor !== "0");
    const snapshot: Record<string, unknown> = {};
    for (const key of found.sort()) {
      const type = await raw.type(key);
      const name = key.slice(prefix.length);
      if (type === "string") snapshot[name] = await raw.get(key);
      else if (type === "hash") snapshot[name] = await raw.hgetall(key);
      else if (type === "list") snapshot[name] = await raw.lrange(key, 0, -1);
      else if (type === "set") snapshot[name] = (await raw.smembers(key)).sort();
      else if (type === "zset") snapshot[name] = await raw.zrange(key, 0, -1, "WITHSCORES");
      else snapshot[name] = type;
    }
    return snapshot;
  } finally {
    raw.disconnect();
  }
}

/** Polls `check` until it returns true, or fails after `timeoutMs`. */
export async function eventually(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

