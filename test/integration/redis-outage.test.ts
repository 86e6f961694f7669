/**
 * Integration: the bot while its Redis is gone. A private `redis-server` (no persistence) backs
 * the app through `connectRedis` (the fail-fast production options). With a checkout at the
 * payment step the server is killed: the buyer's "pay" gets the outage message at once and
 * nothing happens (no purchase, no message, no job). After a restart on the same port the client
 * reconnects by itself and the bot serves normally again; the server kept nothing, so the
 * session starts over, which is expected.
 */
import type { ChannelSender } from "../../src/core/outbox.js";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/compose/app.js";
import type { HandledMessage } from "../../src/bot/shop-bot.js";
import { asList, type Reply } from "../../src/core/reply.js";
import { renderText } from "../../src/channels/render.js";
import { msg } from "../../src/core/message.js";
import { connectRedis, type Redis } from "../../src/store/redis.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { CountingSandbox } from "../helpers/counting-sandbox.js";
import { startPrivateRedis, type PrivateRedis } from "../helpers/private-redis.js";

describe("Redis outage", () => {
  let server: PrivateRedis | undefined;
  let redis: Redis;
  let test: TestApp;
  let app: App;
  const provider = new CountingSandbox({ pendingMs: 50 });
  const sent: Reply[] = [];

  beforeAll(async () => {
    server = await startPrivateRedis();
    redis = await connectRedis({ url: server.url, keyPrefix: `wbtest:outage:${randomBytes(6).toString("hex")}:` });
    // ioredis reports each failed reconnect as an "error" event; the test expects them.
    redis.on("error", () => undefined);
    const recorder: ChannelSender = {
      channel: "console",
      send: async (_chatId: string, replies: Reply[]) => {
        sent.push(...replies);
      },
    };
    test = await startTestApp({}, { redis, providers: [provider], senders: [recorder] });
    app = test.app;
  });

  afterAll(async () => {
    await test?.cleanup();
    await server?.close();
  });

  const say = (text: string) => app.shop.handle({ channel: "console", chatId: "buyer", userId: "buyer", isGroup: false, text });
  const outageText = () => app.translator.render("id", msg("error-outage"));
  const texts = (answer: HandledMessage) => answer.replies.map((reply) => renderText(app.translator, answer.locale, reply));
  const firstTitle = (answer: HandledMessage) => {
    const menu = answer.replies.find((reply): reply is Extract<Reply, { kind: "menu" }> => reply.kind === "menu");
    return menu ? asList(menu.title)[0]!.key : undefined;
  };

  it("works against the private server", async () => {
    expect((await say("/topup 100000")).replies).toHaveLength(1);
    expect(await app.wallet.balance("console:buyer")).toBe(100_000);
    expect(firstTitle(await say("SB-NFX1"))).toBe("confirm-title");
    expect(firstTitle(await say("1"))).toBe("payment-title");
  });

  it("answers 'sedang gangguan' at once while Redis is down, and changes nothing", async () => {
    await server!.crash();
    await expect.poll(() => redis.status, { timeout: 5_000, interval: 10 }).not.toBe("ready");

    expect(outageText()).toContain("gangguan");
    const started = Date.now();
    const pay = await say("1"); // would pay for the Netflix account
    expect(Date.now() - started).toBeLessThan(1_000); // fail fast, not after a command timeout
    expect(pay.locale).toBe("id");
    expect(pay.replies).toHaveLength(1);
    expect(texts(pay)).toEqual([outageText()]);

    // Every kind of message gets the same answer; the chat's queue is not wedged by the failures.
    for (const text of ["/saldo", "/menu", "SB-ML86"]) {
      expect(texts(await say(text)), text).toEqual([outageText()]);
    }

    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(provider.placed).toEqual([]);
    expect(sent).toEqual([]);
  });

  it("serves normally again once Redis is back on the same port", async () => {
    await server!.restart();
    await expect.poll(() => redis.status, { timeout: 10_000, interval: 20 }).toBe("ready");

    // The new server is empty: the session starts over, the wallet is empty.
    const menu = await say("/menu");
    expect(texts(menu).join("\n")).not.toContain("gangguan");
    expect(firstTitle(menu)).toBe("menu-main-title");
    expect((await app.sessions.load("console:buyer")).session?.menuSeq).toBe(1);

    // A whole purchase works again, Lua scripts included (reloaded on the fresh server).
    await say("/topup 50000");
    expect(firstTitle(await say("SB-NFX1"))).toBe("confirm-title");
    expect(firstTitle(await say("1"))).toBe("payment-title");
    const pay = await say("1");
    expect(pay.replies.flatMap((reply) => (reply.kind === "text" ? asList(reply.text) : [])).map((m) => m.key)).toContain("order-paid");

    const [order] = await app.orders.ofBuyer("console:buyer", 1);
    await expect.poll(async () => (await app.orders.get(order!.id))?.status, { timeout: 5_000, interval: 20 }).toBe("delivered");
    expect(provider.placed).toEqual([order!.id]);
    await expect.poll(() => sent.length, { timeout: 2_000, interval: 20 }).toBe(1);
    expect(renderText(app.translator, "id", sent[0]!)).toContain(order!.id);
  });
});
