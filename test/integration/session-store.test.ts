/**
 * Integration: SessionStore against real Redis (round trip and TTL, corrupt data, checkout
 * deadlines and their claiming, locale outliving the session), and the expired-checkout notice
 * end to end through the real app.
 */
import type { ChannelSender } from "../../src/core/outbox.js";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Redis } from "ioredis";
import { asList, type Reply } from "../../src/core/reply.js";
import { newSession, type Session } from "../../src/bot/session.js";
import { renderText } from "../../src/channels/render.js";
import type { Locale } from "../../src/core/message.js";
import { keys } from "../../src/store/keys.js";
import { SessionStore } from "../../src/bot/session-store.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { freshRedis, testRedisUrl } from "../helpers/redis.js";

const ttlSeconds = 60;

/** A session in the middle of a checkout (waiting for the game id), last touched at `at`. */
function midCheckout(at = Date.now(), locale: Locale = "id"): Session {
  return { ...newSession(locale, at), step: { name: "input", code: "SB-ML86" }, menuSeq: 3, menu: { id: 3, entries: [{ t: "cancel" }] } };
}

/** A session browsing the main menu (nothing worth telling about when it expires). */
function browsing(at = Date.now()): Session {
  return { ...newSession("id", at), step: { name: "main" }, menuSeq: 1, menu: { id: 1, entries: [{ t: "cmd", command: "help" }] } };
}

describe("SessionStore on real Redis", () => {
  let redis: Redis;
  let prefix: string;
  let cleanup: () => Promise<void>;
  let store: SessionStore;
  const extraClients: Redis[] = [];

  beforeEach(async () => {
    ({ redis, prefix, cleanup } = await freshRedis("sessions"));
    store = new SessionStore(redis, ttlSeconds);
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    for (const client of extraClients.splice(0)) client.disconnect();
    await cleanup();
  });

  /** A second connection on the same prefix, so concurrent claimers really interleave at the server. */
  async function secondStore(): Promise<SessionStore> {
    const client = new Redis(testRedisUrl, { keyPrefix: prefix, lazyConnect: true });
    await client.connect();
    extraClients.push(client);
    return new SessionStore(client, ttlSeconds);
  }

  it("saves and loads a session round trip, with the idle TTL set", async () => {
    const session = midCheckout();
    await store.save("console:c1", session, "console:u1");

    const state = await store.load("console:c1", "console:u1");
    expect(state.session).toEqual(session);
    expect(state.locale).toBeNull();
    expect(state.walletBalance).toBe(0);

    const pttl = await redis.pttl(keys.session("console:c1"));
    expect(pttl).toBeGreaterThan((ttlSeconds - 2) * 1000);
    expect(pttl).toBeLessThanOrEqual(ttlSeconds * 1000);
    expect(await redis.sismember(keys.buyers(), "console:u1")).toBe(1);
  });

  it("loads the wallet balance with the session when asked for a buyer", async () => {
    await redis.set(keys.wallet("console:u9"), "12500");
    const state = await store.load("console:c9", "console:u9");
    expect(state.session).toBeNull();
    expect(state.walletBalance).toBe(12_500);
    expect((await store.load("console:c9")).walletBalance).toBeUndefined();
  });

  it("loads a corrupt or outdated stored session as null", async () => {
    await redis.set(keys.session("console:junk"), "{not json");
    await redis.set(keys.session("console:old"), JSON.stringify({ ...midCheckout(), v: 0 }));
    await redis.set(keys.session("console:shape"), JSON.stringify({ ...midCheckout(), step: { name: "teleport" } }));

    for (const chat of ["console:junk", "console:old", "console:shape"]) {
      expect((await store.load(chat)).session, chat).toBeNull();
    }
  });

  it("puts a mid-checkout session on the deadline list at updatedAt + TTL", async () => {
    const session = midCheckout(1_700_000_000_000);
    await store.save("console:c1", session);
    expect(Number(await redis.zscore(keys.sessionDeadlines(), "console:c1"))).toBe(session.updatedAt + ttlSeconds * 1000);

    // Every checkout step counts, not just the input prompt.
    await store.save("console:c2", { ...session, step: { name: "confirm", code: "SB-NFX1", inputs: {} } });
    await store.save("console:c3", { ...session, step: { name: "payment", code: "SB-NFX1", inputs: {}, price: 30_000 } });
    expect(await redis.zscore(keys.sessionDeadlines(), "console:c2")).not.toBeNull();
    expect(await redis.zscore(keys.sessionDeadlines(), "console:c3")).not.toBeNull();
  });

  it("removes the deadline when the session leaves the checkout", async () => {
    await store.save("console:c1", midCheckout());
    expect(await redis.zscore(keys.sessionDeadlines(), "console:c1")).not.toBeNull();

    await store.save("console:c1", browsing());
    expect(await redis.zscore(keys.sessionDeadlines(), "console:c1")).toBeNull();

    await store.save("console:c1", midCheckout());
    await store.save("console:c1", { ...newSession("id"), step: { name: "idle" } });
    expect(await redis.zscore(keys.sessionDeadlines(), "console:c1")).toBeNull();
  });

  it("claims only deadlines that have passed, and each only once", async () => {
    const now = Date.now();
    await store.save("console:old", midCheckout(now - (ttlSeconds + 5) * 1000));
    await store.save("console:fresh", midCheckout(now));

    expect(await store.claimExpired(now)).toEqual(["console:old"]);
    expect(await store.claimExpired(now)).toEqual([]);
    expect(await redis.zscore(keys.sessionDeadlines(), "console:fresh")).not.toBeNull();
  });

  it("gives each expired chat to exactly one of several concurrent claimers", async () => {
    const now = Date.now();
    const expired = Array.from({ length: 60 }, (_, i) => `console:exp${i}`);
    const live = Array.from({ length: 10 }, (_, i) => `console:live${i}`);
    for (const [i, chat] of expired.entries()) await store.save(chat, midCheckout(now - (ttlSeconds + 1) * 1000 - i));
    for (const chat of live) await store.save(chat, midCheckout(now));

    const other = await secondStore();
    const claims = await Promise.all([store.claimExpired(now), other.claimExpired(now), store.claimExpired(now), other.claimExpired(now)]);

    const all = claims.flat();
    expect(all).toHaveLength(expired.length);
    expect(new Set(all)).toEqual(new Set(expired));
    expect(await redis.zcard(keys.sessionDeadlines())).toBe(live.length);
  });

  // claimExpired only claims a chat whose deadline is still due when it is removed: a buyer who
  // answers between the read and the removal keeps their checkout and their new deadline.
  it("does not claim a checkout that was resumed between reading and removing the deadline", async () => {
    const chat = "console:racer";
    await store.save(chat, midCheckout(Date.now() - (ttlSeconds + 5) * 1000));

    const realRange = redis.zrangebyscore.bind(redis) as unknown as (...args: (string | number)[]) => Promise<string[]>;
    const buyerAnswersMeanwhile = async (...args: (string | number)[]): Promise<string[]> => {
      const due = await realRange(...args);
      await store.save(chat, midCheckout(Date.now()));
      return due;
    };
    vi.spyOn(redis, "zrangebyscore").mockImplementationOnce(buyerAnswersMeanwhile as unknown as typeof redis.zrangebyscore);

    const claimed = await store.claimExpired();
    expect(claimed).not.toContain(chat);
    expect(await redis.zscore(keys.sessionDeadlines(), chat)).not.toBeNull();
  });

  it("keeps the chat's locale after its session has expired", async () => {
    const short = new SessionStore(redis, 1);
    await short.saveLocale("console:c1", "en");
    await short.save("console:c1", midCheckout(Date.now(), "en"));
    expect(await redis.ttl(keys.locale("console:c1"))).toBe(-1);

    await new Promise((resolve) => setTimeout(resolve, 1_200));

    const state = await short.load("console:c1");
    expect(state.session).toBeNull();
    expect(state.locale).toBe("en");
  });
});

describe("expired checkouts through the app", () => {
  interface Sent {
    chatId: string;
    locale: Locale;
    keys: string[];
    text: string;
  }
  let test: TestApp;
  let sent: Sent[];

  beforeEach(async () => {
    const recorder: ChannelSender = {
      channel: "console",
      send: async (chatId: string, replies: Reply[], locale: Locale) => {
        for (const reply of replies) {
          const messageKeys = reply.kind === "menu" ? asList(reply.title).map((m) => m.key) : asList(reply.kind === "text" ? reply.text : reply.caption).map((m) => m.key);
          sent.push({ chatId, locale, keys: messageKeys, text: renderText(test.app.translator, locale, reply) });
        }
      },
    };
    sent = [];
    test = await startTestApp({}, { senders: [recorder] });
  });

  afterEach(async () => {
    await test.cleanup();
  });

  const say = (chatId: string, text: string) => test.app.shop.handle({ channel: "console", chatId, userId: `u-${chatId}`, isGroup: false, text });

  it("tells a buyer whose checkout passed its deadline, once, in their language", async () => {
    const { app } = test;
    // Buyer A stops at the game-id prompt (mid-checkout), in English.
    await say("a", "/lang en");
    await say("a", "SB-ML86");
    // Buyer B only browses: no checkout to expire.
    await say("b", "/menu");
    expect(await app.redis.zscore(keys.sessionDeadlines(), "console:a")).not.toBeNull();
    expect(await app.redis.zscore(keys.sessionDeadlines(), "console:b")).toBeNull();

    // Nothing is due yet.
    expect(await app.shop.notifyExpiredCheckouts()).toBe(0);
    expect(sent).toEqual([]);

    // Move A's deadline into the past, as if SESSION_TTL_MINUTES had passed.
    await app.redis.zadd(keys.sessionDeadlines(), Date.now() - 1_000, "console:a");

    expect(await app.shop.notifyExpiredCheckouts()).toBe(1);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ chatId: "a", locale: "en", keys: ["checkout-expired"] });
    expect(sent[0]!.text).toBe(app.translator.t("en", "checkout-expired"));

    // A second sweep tells no one again.
    expect(await app.shop.notifyExpiredCheckouts()).toBe(0);
    expect(sent).toHaveLength(1);
  });

  it("starts over in the remembered language once the session itself is gone", async () => {
    const { app } = test;
    await say("c", "/lang en");
    await say("c", "SB-ML86");
    await app.redis.del(keys.session("console:c")); // what the TTL does

    const answer = await say("c", "/menu");
    expect(answer.locale).toBe("en");
    const menu = answer.replies.find((reply) => reply.kind === "menu");
    expect(menu && renderText(app.translator, answer.locale, menu)).toContain(app.translator.t("en", "menu-main-title", { shop: "Warung Bot" }));
  });
});
