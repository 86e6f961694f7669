/**
 * Integration: per-chat ordering through the real ShopBot on real Redis.
 *
 * - One chat, 50 messages fired at once: each message presents exactly one menu, and a menu's id
 *   is the session's menu counter + 1. So if every message runs after the previous one saved,
 *   call i gets menu id i + 1 and the stored counter ends at 50; any lost write (two messages
 *   loading the same session) repeats an id and leaves the counter short. The messages alternate
 *   "/menu" (main menu) and "1" (first category → its group menu), so the kind of menu each call
 *   gets also proves it ran right after the one before it: a "1" run out of turn would open a
 *   product list instead of the group list.
 * - Two chats: the first message of chat A is held at a gate inside the session load (a stub
 *   around the app's own SessionStore). While it is held, chat B's messages must complete and
 *   chat A's second message must not start. No timing assumptions: "B finished while A was
 *   provably still inside its handler" is what "A does not block B" means.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { HandledMessage } from "../../src/bot/shop-bot.js";
import { asList, type Reply } from "../../src/core/reply.js";
import type { ChatState } from "../../src/bot/session-store.js";
import { startTestApp, type TestApp } from "../helpers/app.js";

/** Rejects after `ms`, so a wrongly blocked chat fails fast instead of hanging the test. */
function failAfter(ms: number, why: string): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(why)), ms).unref());
}

type MenuReply = Extract<Reply, { kind: "menu" }>;

/** The one menu a reply list carries, with its title key. */
function menuOf(answer: HandledMessage): { id: number; title: string } {
  const menus = answer.replies.filter((reply): reply is MenuReply => reply.kind === "menu");
  expect(menus).toHaveLength(1);
  return { id: menus[0]!.menuId, title: asList(menus[0]!.title)[0]!.key };
}

describe("per-chat ordering through ShopBot", () => {
  let test: TestApp;

  beforeEach(async () => {
    test = await startTestApp();
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await test.cleanup();
  });

  const send = (chatId: string, text: string) => test.app.shop.handle({ channel: "console", chatId, userId: chatId, isGroup: false, text });

  it("processes 50 concurrent messages of one chat in order, losing no session write", async () => {
    const texts = Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? "/menu" : "1"));
    // All 50 are in flight before the first one is handled: no await between the calls.
    const answers = await Promise.all(texts.map((text) => send("solo", text)));

    answers.forEach((answer, i) => {
      const menu = menuOf(answer);
      expect(menu.id, `message ${i + 1} menu id`).toBe(i + 1);
      expect(menu.title, `message ${i + 1} menu`).toBe(i % 2 === 0 ? "menu-main-title" : "menu-group-title");
    });

    const { session } = await test.app.sessions.load("console:solo");
    expect(session?.menuSeq).toBe(50);
    expect(session?.menu?.id).toBe(50);
    expect(session?.step).toEqual({ name: "group", category: "game" });
  });

  it("keeps a whole checkout sent at once in order, ending in exactly one paid order", async () => {
    await send("buyer", "/topup 50000");
    // Product code → game id → "1" continue → "1" pay with wallet, all without waiting.
    const answers = await Promise.all(["SB-FF70", "12345678", "1", "1"].map((text) => send("buyer", text)));

    expect(menuOf(answers[0]!).title).toBe("product-summary");
    expect(menuOf(answers[1]!).title).toBe("confirm-title");
    expect(menuOf(answers[2]!).title).toBe("payment-title");
    const paidLine = answers[3]!.replies.flatMap((reply) => (reply.kind === "text" ? asList(reply.text) : []))[0];
    expect(paidLine?.key).toBe("order-paid");

    const orders = await test.app.orders.ofBuyer("console:buyer");
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ inputs: { userId: "12345678" }, product: { code: "SB-FF70" } });
  });

  it("runs different chats concurrently: a held chat does not block another", async () => {
    const { app } = test;
    const realLoad = app.sessions.load.bind(app.sessions);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const loadsOfA: string[] = [];
    let entered!: () => void;
    const aEntered = new Promise<void>((resolve) => (entered = resolve));
    vi.spyOn(app.sessions, "load").mockImplementation(async (chat: string, buyer?: string): Promise<ChatState> => {
      if (chat === "console:A") {
        loadsOfA.push(chat);
        if (loadsOfA.length === 1) {
          entered();
          await gate;
        }
      }
      return realLoad(chat, buyer);
    });

    const settled: string[] = [];
    const a1 = send("A", "/menu").then((answer) => (settled.push("A1"), answer));
    const a2 = send("A", "1").then((answer) => (settled.push("A2"), answer));
    await aEntered;

    // Chat B runs a full little conversation while A's first message is stuck in its handler.
    const bDone = Promise.all(["/menu", "1", "/menu", "1", "/menu"].map((text) => send("B", text).then((answer) => (settled.push("B"), answer))));
    const b = await Promise.race([bDone, failAfter(5_000, "chat B waited for chat A")]);
    expect(b.map((answer) => menuOf(answer).id)).toEqual([1, 2, 3, 4, 5]);
    expect(settled).toEqual(["B", "B", "B", "B", "B"]);
    // A's second message has not even started: it waits behind A's first.
    expect(loadsOfA).toHaveLength(1);

    release();
    const [first, second] = await Promise.all([a1, a2]);
    expect(settled.slice(5)).toEqual(["A1", "A2"]);
    expect(menuOf(first)).toEqual({ id: 1, title: "menu-main-title" });
    expect(menuOf(second)).toEqual({ id: 2, title: "menu-group-title" });
    expect((await realLoad("console:A")).session?.menuSeq).toBe(2);
    expect((await realLoad("console:B")).session?.menuSeq).toBe(5);
  });

  it("keeps going after a failed message in the same chat", async () => {
    const { app } = test;
    const realLoad = app.sessions.load.bind(app.sessions);
    vi.spyOn(app.sessions, "load")
      .mockImplementation(realLoad)
      .mockImplementationOnce(async () => {
        throw new Error("store hiccup");
      });

    const [broken, next] = await Promise.all([send("C", "/menu"), send("C", "/menu")]);
    expect(broken.replies).toEqual([{ kind: "text", text: { key: "error-outage" } }]);
    expect(menuOf(next).id).toBe(1);
  });
});
