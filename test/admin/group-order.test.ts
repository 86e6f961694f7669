/**
 * The admin side orders one group's commands itself, since the channels no longer do: a /user
 * sent right behind a /credit waits for it and shows the credited balance, even when the credit
 * is held up inside the wallet.
 */
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import type { Inbound } from "../../src/core/inbound.js";
import { asList } from "../../src/core/reply.js";
import { keys } from "../../src/store/keys.js";
import { startFakeTelegram, type FakeTelegram } from "../fakes/telegram-api.js";
import { adminGroup, owner, startAdminShop, type AdminShop } from "./support.js";

let telegram: FakeTelegram;
let shop: AdminShop;

beforeEach(async () => {
  telegram = await startFakeTelegram();
  shop = await startAdminShop(telegram);
});
afterEach(async () => {
  vi.restoreAllMocks();
  await shop.cleanup();
  await telegram.close();
});

const command = (text: string, messageId: string): Inbound => ({
  channel: "telegram",
  chatId: String(adminGroup.id),
  userId: String(owner.id),
  isGroup: true,
  text,
  messageId,
});

it("runs a group's commands one after another, in the order received", async () => {
  const { app } = shop;
  await app.redis.sadd(keys.buyers(), "telegram:8201");
  const realCredit = app.wallet.credit.bind(app.wallet);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let entered!: () => void;
  const creditEntered = new Promise<void>((resolve) => (entered = resolve));
  vi.spyOn(app.wallet, "credit").mockImplementation(async (...args: Parameters<typeof realCredit>) => {
    entered();
    await gate;
    return realCredit(...args);
  });
  const balance = vi.spyOn(app.wallet, "balance");

  const credited = app.admin.handleGroup(command("/credit 8201 +5000 goodwill", "1"));
  const user = app.admin.handleGroup(command("/user 8201", "2"));
  await creditEntered;
  // The credit is held inside the wallet: the /user behind it has not started.
  await new Promise((resolve) => setImmediate(resolve));
  expect(balance).not.toHaveBeenCalled();

  release();
  const [creditAnswer, userAnswer] = await Promise.all([credited, user]);
  const keysOf = (answer: typeof creditAnswer) => answer!.replies.flatMap((reply) => (reply.kind === "text" ? asList(reply.text) : []));
  expect(keysOf(creditAnswer).map((line) => line.key)).toContain("admin-credit-done");
  const head = keysOf(userAnswer).find((line) => line.key === "admin-user-head");
  expect(head?.args).toMatchObject({ buyer: "telegram:8201", balance: "Rp 5.000" });
});
