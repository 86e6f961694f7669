/**
 * Integration: the bot hosts buyer features generically (real ShopBot, real Redis). A toy
 * feature proves the mechanism: its command opens it, its state lives under its namespace in the
 * session (read back through its own schema), the buyer's replies go to it while it is open,
 * info commands answer beside it, /cancel leaves it, and menu ids stay shared with the checkout.
 * And /vps still answers "no servers" when aluy is off.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { ShopBot, type HandledMessage } from "../../src/bot/shop-bot.js";
import { defineBuyerFeature, type FeatureIntent } from "../../src/core/buyer-feature.js";
import { msg } from "../../src/core/message.js";
import { asList, textReply } from "../../src/core/reply.js";
import { silentLogger } from "../../src/logger.js";
import { startTestApp, type TestApp } from "../helpers/app.js";

/** Counts the buyer's messages; "0" lets them go. Remembers what it was handed, to assert on. */
function counterFeature() {
  const seen: { intent: FeatureIntent; stored: { n: number } | null }[] = [];
  const feature = defineBuyerFeature({
    namespace: "counter",
    commands: ["count"],
    session: z.object({ n: z.number().int() }),
    handle: async (input, stored) => {
      seen.push({ intent: input.intent, stored });
      if (input.intent.kind === "text" && input.intent.text === "done") return { replies: [textReply(msg("test-counter-bye"))], session: null, menuSeq: input.menuSeq };
      const n = (stored?.n ?? 0) + 1;
      const menuId = input.menuSeq + 1;
      return { replies: [{ kind: "menu", title: msg("test-counter", { n }), items: [{ label: msg("test-again") }], menuId }], session: { n }, menuSeq: menuId };
    },
  });
  return { feature, seen };
}

/** The message keys of an answer, in order (menu titles and notices included). */
function keysOf(answer: HandledMessage): string[] {
  return answer.replies.flatMap((reply) => {
    if (reply.kind === "text") return asList(reply.text).map((m) => m.key);
    if (reply.kind === "menu") return [...(reply.notices ?? []), ...asList(reply.title)].map((m) => m.key);
    return asList(reply.caption).map((m) => m.key);
  });
}

function menuIdOf(answer: HandledMessage): number | undefined {
  const menu = answer.replies.find((reply) => reply.kind === "menu");
  return menu?.kind === "menu" ? menu.menuId : undefined;
}

describe("buyer features hosted by the bot", () => {
  let test: TestApp;
  let shop: ShopBot;
  let seen: ReturnType<typeof counterFeature>["seen"];

  beforeEach(async () => {
    test = await startTestApp();
    const counter = counterFeature();
    seen = counter.seen;
    const { app } = test;
    shop = new ShopBot({
      sessions: app.sessions,
      orders: app.orders,
      wallet: app.wallet,
      catalog: app.catalog,
      vault: app.vault,
      outbox: app.outbox,
      metrics: app.metrics,
      logger: silentLogger,
      shopName: "Test",
      defaultLocale: "id",
      sandbox: true,
      paymentMethods: app.paymentMethods,
      features: [counter.feature],
    });
  });

  afterEach(async () => {
    await test.cleanup();
  });

  const send = (chatId: string, text: string) => shop.handle({ channel: "console", chatId, userId: chatId, isGroup: false, text });
  const stored = async (chatId: string) => (await test.app.sessions.load(`console:${chatId}`)).session;

  it("opens on its command, keeps its state under its namespace and gets the buyer's replies", async () => {
    const main = await send("f1", "/menu");
    expect(menuIdOf(main)).toBe(1);

    const opened = await send("f1", "/count");
    expect(keysOf(opened)).toEqual(["test-counter"]);
    // Menu ids are shared with the checkout's, so the main menu's buttons are stale now.
    expect(menuIdOf(opened)).toBe(2);
    expect(seen.at(-1)).toEqual({ intent: { kind: "command", command: "count", args: "" }, stored: null });
    expect((await stored("f1"))?.feature).toEqual({ ns: "counter", state: { n: 1 } });

    await send("f1", "1");
    await send("f1", "hello");
    expect(seen.slice(-2)).toEqual([
      { intent: { kind: "number", index: 0, text: "1" }, stored: { n: 1 } },
      { intent: { kind: "text", text: "hello" }, stored: { n: 2 } },
    ]);
    expect((await stored("f1"))?.feature).toEqual({ ns: "counter", state: { n: 3 } });
  });

  it("answers info commands beside an open feature, and /cancel leaves it for the checkout", async () => {
    await send("f2", "/count");
    expect(keysOf(await send("f2", "/saldo"))).toContain("wallet-balance");
    expect((await stored("f2"))?.feature).toEqual({ ns: "counter", state: { n: 1 } });

    const cancelled = await send("f2", "/cancel");
    expect(keysOf(cancelled)).toEqual(["checkout-cancelled", "menu-main-title"]);
    expect(menuIdOf(cancelled)).toBe(2);
    expect((await stored("f2"))?.feature).toBeUndefined();
    const calls = seen.length;
    // A number now answers the checkout's main menu, not the feature.
    await send("f2", "1");
    expect(seen).toHaveLength(calls);
  });

  it("drops its state when it lets the buyer go, and starts over from state that does not parse", async () => {
    await send("f3", "/count");
    expect(keysOf(await send("f3", "done"))).toEqual(["test-counter-bye"]);
    expect((await stored("f3"))?.feature).toBeUndefined();

    const session = (await stored("f3"))!;
    await test.app.sessions.save("console:f3", { ...session, feature: { ns: "counter", state: { n: "not a number" } } });
    await send("f3", "again");
    expect(seen.at(-1)).toEqual({ intent: { kind: "text", text: "again" }, stored: null });
  });

  it("/vps says the buyer has no servers when aluy is off", async () => {
    const answer = await test.app.shop.handle({ channel: "console", chatId: "f4", userId: "f4", isGroup: false, text: "/vps" });
    expect(keysOf(answer)).toEqual(["vps-none"]);
    expect((await stored("f4"))?.feature).toBeUndefined();
  });
});
