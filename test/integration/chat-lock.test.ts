/**
 * Two bot processes (two apps on one Redis prefix, as behind a load balancer in webhook mode)
 * receiving messages of one chat at the same time: with the chat lock no session write is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp, type App } from "../../src/compose/app.js";
import { silentLogger } from "../../src/logger.js";
import { SandboxProvider } from "../../src/providers/sandbox/adapter.js";
import { ChatLock } from "../../src/store/chat-lock.js";
import { fastFollowUps, testConfig } from "../helpers/app.js";
import { freshRedis } from "../helpers/redis.js";

let cleanup: () => Promise<void>;
let apps: App[];

beforeAll(async () => {
  const first = await freshRedis("chatlock");
  const { Redis } = await import("ioredis");
  const second = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { keyPrefix: first.prefix });
  const env = { TELEGRAM_MODE: "webhook", TELEGRAM_WEBHOOK_URL: "https://x.example", TELEGRAM_WEBHOOK_SECRET: "s".repeat(20) };
  apps = await Promise.all(
    [first.redis, second].map((redis) => buildApp({ config: testConfig(env), logger: silentLogger, providers: [new SandboxProvider()], redis, followUpPlan: fastFollowUps, httpPort: null })),
  );
  for (const app of apps) await app.catalog.init();
  cleanup = async () => {
    second.disconnect();
    await first.cleanup();
  };
});
afterAll(async () => {
  await cleanup();
});

describe("the chat lock across processes", () => {
  it("serialises one chat's messages handled by two processes at once", async () => {
    const say = (i: number, text: string) => apps[i % 2]!.shop.handle({ channel: "telegram", chatId: "77", userId: "77", isGroup: false, text });
    // Alternating /menu and "1" across both processes: every message shows exactly one menu, so
    // the final menu counter equals the number of messages only if no write was lost.
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => say(i, i % 2 === 0 ? "/menu" : "1")));
    expect(answers.every((answer) => answer.replies.length >= 1)).toBe(true);
    const state = await apps[0]!.sessions.load("telegram:77");
    expect(state.session?.menuSeq).toBe(30);
  });

  it("lets a message through when a holder died and its lock expired", async () => {
    const lock = new ChatLock(apps[0]!.redis, 200, 2_000);
    await apps[0]!.redis.set("lock:chat:telegram:99", "dead-process", "PX", 200);
    const started = Date.now();
    expect(await lock.run("telegram:99", async () => "ran")).toBe("ran");
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });

  it("holds the lock for as long as a slow handler runs, beyond its TTL", async () => {
    const [first, second] = [new ChatLock(apps[0]!.redis, 150, 2_000), new ChatLock(apps[1]!.redis, 150, 2_000)];
    const order: string[] = [];
    const slow = first.run("telegram:98", async () => {
      order.push("slow start");
      await new Promise((resolve) => setTimeout(resolve, 600)); // four TTLs
      order.push("slow end");
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await second.run("telegram:98", async () => {
      order.push("next");
    });
    await slow;
    expect(order).toEqual(["slow start", "slow end", "next"]);
  });
});
