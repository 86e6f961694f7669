/**
 * The one HTTP server: every rejected request gets the right 4xx and changes nothing; webhooks
 * are only hints that make fulfilment ask the provider; health and metrics answer.
 */
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpServer } from "../../src/server/http-server.js";
import { silentLogger } from "../../src/logger.js";
import { signCallback } from "../../src/payments/callback-route.js";
import { IcsstoreFake } from "../fakes/icsstore-server.js";
import { startPremzoneFake, type PremzoneFake } from "../fakes/premzone-server.js";
import { startFakeTelegram, type FakeTelegram } from "../fakes/telegram-api.js";
import { startTestApp, testProviders, type TestApp } from "../helpers/app.js";

const callbackSecret = "callback-secret-0123456789";
const webhookSecret = "ics-webhook-secret-0123";
const premzoneSecret = "premzone-webhook-secret";
const telegramSecret = "telegram-secret-token-0123";
const metricsToken = "metrics-token-0123456789";

let shop: TestApp;
const alerts: { key: string; provider: unknown }[] = [];
const alertsOf = (key: string) => alerts.filter((alert) => alert.key === key);
let ics: IcsstoreFake;
let premzone: PremzoneFake;
let telegram: FakeTelegram;
let base: string;

beforeAll(async () => {
  [ics, premzone, telegram] = await Promise.all([IcsstoreFake.start(), startPremzoneFake(), startFakeTelegram()]);
  const env = {
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.url,
    TELEGRAM_MODE: "webhook",
    TELEGRAM_WEBHOOK_URL: "https://shop.example",
    TELEGRAM_WEBHOOK_SECRET: telegramSecret,
    PAYMENT_CALLBACK_SECRET: callbackSecret,
    ICSSTORE_BASE_URL: ics.url,
    ICSSTORE_API_KEY: ics.apiKey,
    ICSSTORE_WEBHOOK_SECRET: webhookSecret,
    PREMZONE_BASE_URL: premzone.url,
    PREMZONE_API_KEY: premzone.apiKey,
    PREMZONE_EMAIL: premzone.email,
    PREMZONE_PLANS: "gold:90000",
    PREMZONE_WEBHOOK_SECRET: premzoneSecret,
    METRICS_TOKEN: metricsToken,
  };
  shop = await startTestApp(env, {
    providers: testProviders(env),
    alerts: { alert: async (message) => void alerts.push({ key: message.key, provider: message.args?.provider }) },
  });
  const port = await shop.app.http.listen(0, "127.0.0.1");
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await shop?.cleanup();
  await Promise.all([ics?.close(), premzone?.close(), telegram?.close()]);
});

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });

/** A snapshot of everything a request could change. */
async function state() {
  const orders = await shop.app.orders.recent(50);
  return JSON.stringify(orders.map((o) => [o.id, o.status, o.attempts]));
}

describe("the HTTP server", () => {
  it("answers health and metrics", async () => {
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, checks: { redis: "ok", jobs: "ok", telegram: "ok" } });
    const metrics = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })).text();
    expect(metrics).toContain("warung_updates_handled_total");
    expect(metrics).toContain("warung_orders_active");
  });

  it("serves /metrics only with the bearer token when METRICS_TOKEN is set", async () => {
    for (const authorization of [undefined, "Bearer wrong-token-0123456789", metricsToken, `Basic ${metricsToken}`]) {
      const response = await fetch(`${base}/metrics`, authorization ? { headers: { authorization } } : {});
      expect(response.status, authorization).toBe(401);
      expect(await response.text()).not.toContain("warung_");
    }
    expect((await fetch(`${base}/metrics`, { headers: { authorization: `bearer ${metricsToken}` } })).status).toBe(200);
  });

  it("rejects unknown paths, wrong methods, oversized and malformed bodies without changing anything", async () => {
    const before = await state();
    expect((await post("/nope", "{}")).status).toBe(404);
    expect((await fetch(`${base}/payments/callback`)).status).toBe(404);
    const big = JSON.stringify({ amount: 1, reference: "x".repeat(70_000), paidAt: "now" });
    expect((await post("/payments/callback", big, { "x-signature": signCallback(callbackSecret, big) })).status).toBe(413);
    const bad = "{not json";
    expect((await post("/payments/callback", bad, { "x-signature": signCallback(callbackSecret, bad) })).status).toBe(400);
    expect((await post("/payments/callback", "{}", { "x-signature": "00".repeat(32) })).status).toBe(401);
    expect(await state()).toBe(before);
  });

  it("takes Telegram updates only with the secret token", async () => {
    const update = JSON.stringify({
      update_id: 1,
      message: { message_id: 1, date: 0, chat: { id: 3001, type: "private", first_name: "W" }, from: { id: 3001, is_bot: false, first_name: "W" }, text: "/start" },
    });
    expect((await post(`/telegram/${telegramSecret}`, update, { "x-telegram-bot-api-secret-token": "wrong" })).status).toBe(401);
    expect((await post("/telegram/other-path", update, { "x-telegram-bot-api-secret-token": telegramSecret })).status).toBe(404);
    expect(telegram.messagesTo(3001)).toHaveLength(0);
    expect((await post(`/telegram/${telegramSecret}`, "[]", { "x-telegram-bot-api-secret-token": telegramSecret })).status).toBe(400);
    const ok = await post(`/telegram/${telegramSecret}`, update, { "x-telegram-bot-api-secret-token": telegramSecret });
    expect(ok.status).toBe(200);
    await telegram.waitFor((m) => m.chatId === 3001 && (m.text ?? "").includes("pilih kategori"), { since: 0 });
    expect(telegram.webhook()?.url).toBe(`https://shop.example/telegram/${telegramSecret}`);

    // An update whose handling fails is still answered 200: an error would make Telegram send it
    // again and again, holding back every later update.
    telegram.failNext("sendMessage", 1, { status: 403, chatId: 3002 });
    const failing = JSON.stringify({ update_id: 2, message: { message_id: 2, date: 0, chat: { id: 3002, type: "private", first_name: "V" }, from: { id: 3002, is_bot: false, first_name: "V" }, text: "/start" } });
    expect((await post(`/telegram/${telegramSecret}`, failing, { "x-telegram-bot-api-secret-token": telegramSecret })).status).toBe(200);
  });

  it("checks webhook secrets and treats a webhook as a hint confirmed through the provider API", async () => {
    const order = await shop.app.orders.create({
      buyer: "telegram:4001",
      channel: "telegram",
      chatId: "4001",
      locale: "id",
      product: { code: "XLA10", provider: "icsstore", sku: "XLA10", name: "XL AXIS 10GB", category: "data", group: "XLA", basePrice: 20_000, stock: 50, input: "phone", delivery: "serial" },
      inputs: { phone: "081234567890" },
      price: 21_000,
      cost: 20_000,
      payment: { method: "wallet", amount: 21_000, paidAt: Date.now() },
      status: "paid",
    });
    await shop.app.wallet.credit("telegram:4001", 21_000, { id: "seed", reason: "manual" });
    await shop.app.wallet.debit("telegram:4001", 21_000, { id: `pay:${order.id}`, reason: "purchase", orderId: order.id });
    ics.scenario = { kind: "pending", checks: 1000, note: "SN 99" };
    await shop.app.fulfilment.enqueue(order);
    await expect.poll(async () => (await shop.app.orders.get(order.id))?.status, { timeout: 5_000 }).toBe("pending");

    // ICS-Store documents no webhook authentication: the secret is the last segment of the URL.
    const hint = JSON.stringify({ refid: order.refId, status: "success" });
    expect((await post("/webhooks/icsstore", hint)).status).toBe(401);
    expect((await post("/webhooks/icsstore", hint, { "x-webhook-secret": webhookSecret })).status).toBe(401);
    expect((await post("/webhooks/icsstore/wrong-secret-value-x", hint)).status).toBe(401);
    expect((await post(`/webhooks/icsstore/${webhookSecret}/more`, hint)).status).toBe(404);
    expect((await shop.app.orders.get(order.id))?.status).toBe("pending");

    // The provider still says pending: the hint alone must not deliver.
    const checks = ics.count("checkTransaction");
    expect((await post(`/webhooks/icsstore/${webhookSecret}`, hint)).status).toBe(200);
    await expect.poll(() => ics.count("checkTransaction"), { timeout: 5_000 }).toBeGreaterThan(checks);
    expect((await shop.app.orders.get(order.id))?.status).toBe("pending");

    const premzoneHint = JSON.stringify({ reference: "INV-UNKNOWN", status: "success" });
    expect((await post("/webhooks/premzone", premzoneHint, { "x-api-secret": "nope", "x-webhook-event": "TRX_STATUS_UPDATE" })).status).toBe(401);
    const unmatched = await post("/webhooks/premzone", premzoneHint, { "x-api-secret": premzoneSecret, "x-webhook-event": "TRX_STATUS_UPDATE" });
    expect(unmatched.status).toBe(202);
  });

  it("tells the admins of refused webhooks at most once an hour per provider", async () => {
    // (The test before already had webhooks of both refused: the hour started then.)
    const hint = JSON.stringify({ refid: "WBNOPE", status: "success" });
    for (let i = 0; i < 5; i++) expect((await post("/webhooks/icsstore/not-the-secret-0123", hint)).status).toBe(401);
    const premzoneHint = JSON.stringify({ reference: "INV-X", status: "success" });
    for (let i = 0; i < 3; i++) {
      expect((await post("/webhooks/premzone", premzoneHint, { "x-api-secret": "nope", "x-webhook-event": "TRX_STATUS_UPDATE" })).status).toBe(401);
    }
    const refused = alertsOf("admin-alert-bad-webhook");
    expect(refused.filter((a) => a.provider === "icsstore")).toHaveLength(1);
    expect(refused.filter((a) => a.provider === "premzone")).toHaveLength(1);
    // The hour is held in Redis, for every process behind the load balancer.
    const ttl = await shop.app.redis.ttl("webhook:refused-alert:icsstore");
    expect(ttl).toBeGreaterThan(3_000);
    expect(ttl).toBeLessThanOrEqual(3_600);
  });
});

/** A raw connection; `closed` resolves with everything the server sent once it closes the connection. */
function rawConnection(port: number): { socket: Socket; closed: Promise<string>; received: () => string } {
  const socket = connect(port, "127.0.0.1");
  let received = "";
  socket.on("data", (chunk) => (received += chunk.toString("latin1")));
  socket.on("error", () => undefined);
  const closed = new Promise<string>((resolve) => socket.on("close", () => resolve(received)));
  return { socket, closed, received: () => received };
}

describe("HTTP server limits", () => {
  it("cuts a request whose body trickles in past the request timeout", async () => {
    const server = new HttpServer(silentLogger, { requestTimeoutMs: 300 });
    let handled = 0;
    server.route("POST", "/slow", async () => {
      handled++;
      return { status: 200 };
    });
    const port = await server.listen(0, "127.0.0.1");
    const { socket, closed } = rawConnection(port);
    socket.write("POST /slow HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n");
    // Never idle, never done: a byte every 50 ms for the 1,000 promised.
    const trickle = setInterval(() => socket.writable && socket.write("x"), 50);
    try {
      const answer = await closed;
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      expect(handled).toBe(0);
    } finally {
      clearInterval(trickle);
      socket.destroy();
      await server.close();
    }
  });

  it("drops connections over the cap and keeps serving the ones it has", async () => {
    const server = new HttpServer(silentLogger, { maxConnections: 2 });
    server.route("GET", "/ping", async () => ({ status: 200, body: { pong: true } }));
    const port = await server.listen(0, "127.0.0.1");
    const held = [rawConnection(port), rawConnection(port)];
    try {
      await Promise.all(held.map(({ socket }) => new Promise((resolve) => socket.once("connect", resolve))));
      // The server counts a connection once it accepts it: a request on each proves both are in.
      for (const { socket } of held) socket.write("GET /ping HTTP/1.1\r\nhost: x\r\n\r\n");
      await expect.poll(() => server.connections(), { timeout: 5_000 }).toBe(2);
      const extra = rawConnection(port);
      extra.socket.write("GET /ping HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
      expect(await extra.closed).toBe("");
      for (const { received } of held) expect(received()).toMatch(/^HTTP\/1\.1 200/);
    } finally {
      for (const { socket } of held) socket.destroy();
      await server.close();
    }
  });
});
