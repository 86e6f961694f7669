/**
 * The admin side under abuse, through the real bot and the fake Bot API (and the real WhatsApp
 * channel on the fake Baileys socket): a forwarded command never runs, foreign groups can neither
 * flood the audit log nor the group with refusals, audit entries cannot forge lines, a redelivered
 * broadcast update sends once, and outside text reaches the admin group defanged.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Message, Update } from "grammy/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AuditLog } from "../../src/admin/audit-log.js";
import { buildWhatsApp } from "../../src/channels/whatsapp/start.js";
import { msg } from "../../src/core/message.js";
import { silentLogger } from "../../src/logger.js";
import { registry } from "../../src/server/metrics.js";
import { keys } from "../../src/store/keys.js";
import { FakeWhatsApp } from "../fakes/baileys-socket.js";
import { startFakeTelegram, type FakeChat, type FakeTelegram, type FakeUser } from "../fakes/telegram-api.js";
import { testConfig } from "../helpers/app.js";
import { eventually as waEventually } from "../whatsapp/clocks.js";
import { formatRupiah } from "../../src/core/money.js";
import { adminGroup, buyer, otherGroup, owner, person, postedTo, says, startAdminShop, stranger, textOf, type AdminShop } from "./support.js";

let telegram: FakeTelegram;
let shop: AdminShop;

const waGroup = "120363012345678901@g.us";
const waAdmin = "6281100000001";

beforeEach(async () => {
  telegram = await startFakeTelegram();
  shop = await startAdminShop(telegram, { env: { WHATSAPP_ADMIN_GROUP_JID: waGroup, ADMIN_WHATSAPP_NUMBERS: waAdmin } });
});
afterEach(async () => {
  await shop.cleanup();
  await telegram.close();
});

const refusal = says("admin-refused");
const now = () => Math.floor(Date.now() / 1000);

/** A raw message update in the admin group from `from`, for fields `sendText` cannot set. */
function groupMessage(messageId: number, from: FakeUser, text: string, extra: Partial<Pick<Message, "forward_origin" | "is_automatic_forward" | "via_bot">> = {}): Omit<Update, "update_id"> {
  const command = /^\/\w+/.exec(text)?.[0].length ?? 0;
  const message: Message & Update.NonChannel = {
    message_id: messageId,
    date: now(),
    chat: { id: adminGroup.id, type: "supergroup", title: adminGroup.title ?? "Warung admins" },
    from: { id: from.id, is_bot: false, first_name: from.first_name ?? "Admin" },
    text,
    ...(command > 0 ? { entities: [{ type: "bot_command" as const, offset: 0, length: command }] } : {}),
    ...extra,
  };
  return { message };
}

async function refusedElsewhere(channel: string): Promise<number> {
  const metric = registry.getSingleMetric("warung_admin_refused_elsewhere_total");
  expect(metric, "the refused-elsewhere counter is registered").toBeDefined();
  const { values } = await metric!.get();
  return values.find((value) => value.labels.channel === channel)?.value ?? 0;
}

describe("forwarded messages", () => {
  it("never run an admin command on Telegram, even from a real admin in the admin group", async () => {
    const customer = buyer(telegram, 1501);
    await customer.ask("/saldo", says("wallet-balance"));
      const since = telegram.mark();
    telegram.pushUpdate(groupMessage(9001, owner, "/credit telegram:1501 500000 gift", { forward_origin: { type: "user", sender_user: { id: 1501, is_bot: false, first_name: "Buyer 1501" }, date: now() - 60 } }));
    telegram.pushUpdate(groupMessage(9002, owner, "/credit telegram:1501 400000 gift", { forward_origin: { type: "hidden_user", sender_user_name: "Budi", date: now() - 60 } }));
    telegram.pushUpdate(groupMessage(9003, owner, "/credit telegram:1501 300000 gift", { is_automatic_forward: true }));
    telegram.pushUpdate(groupMessage(9004, owner, "/credit telegram:1501 200000 gift", { via_bot: { id: 999, is_bot: true, first_name: "Inline", username: "inline_bot" } }));
    // Messages of one chat are handled in order: once this one is answered, the forwards were seen.
    telegram.pushUpdate(groupMessage(9005, owner, "/credit telegram:1501 1000 typed by hand"));
    await person(telegram, adminGroup, owner).expect(says("admin-credit-done", { buyer: "telegram:1501", balance: formatRupiah(1_000) }), since);

    expect(await shop.app.wallet.balance("telegram:1501")).toBe(1_000);
    const ledger = await shop.app.wallet.ledger("telegram:1501");
    expect(ledger.map((entry) => [entry.amount, entry.note])).toEqual([[1_000, "typed by hand"]]);
    expect(await shop.app.wallet.verify("telegram:1501")).toEqual({ balance: 1_000, ledgerSum: 1_000, consistent: true });
    const answers = postedTo(telegram, adminGroup.id);
    expect(answers.filter((text) => text.includes("balance now"))).toHaveLength(1);
  });

  it("never run an admin command on WhatsApp (forwarded context)", async () => {
    await shop.app.redis.sadd(keys.buyers(), "telegram:1601");
    const fake = new FakeWhatsApp();
    const dir = mkdtempSync(join(tmpdir(), "wa-admin-"));
    const { app } = shop;
    const wa = buildWhatsApp({
      config: testConfig({ WHATSAPP_ENABLED: "true", WHATSAPP_ADMIN_GROUP_JID: waGroup, WHATSAPP_SEND_PER_SECOND: "20", WHATSAPP_QR_FILE: join(dir, "qr.png") }),
      redis: app.redis,
      translator: app.translator,
      logger: silentLogger,
      adminNotify: async () => undefined,
      makeSocket: fake.make,
      tuning: { print: () => undefined, typingMs: 0, backoff: { baseMs: 20, maxMs: 40 } },
      vault: app.vault,
    });
    wa.start({
      handle: (inbound) => app.shop.handle(inbound),
      handleGroup: (inbound) => app.handlers.handleGroup(inbound),
    });
    try {
      await fake.loginAndOpen();
      await waEventually(() => wa.connection.state === "open");
      const participant = `${waAdmin}@s.whatsapp.net`;
      fake.latest.receive({
        chat: waGroup,
        participant,
        content: { extendedTextMessage: { text: ".credit telegram:1601 500000 gift", contextInfo: { isForwarded: true, forwardingScore: 1 } } },
      });
      fake.latest.receive({
        chat: waGroup,
        participant,
        content: { imageMessage: { caption: "/credit telegram:1601 400000 gift", contextInfo: { forwardingScore: 5 } } },
      });
      fake.latest.receive({ chat: waGroup, participant, text: ".credit telegram:1601 1000 typed by hand" });
      await fake.waitForSent((record) => record.jid === waGroup && record.text.includes("balance now Rp 1.000"));

      expect(await app.wallet.balance("telegram:1601")).toBe(1_000);
      expect((await app.wallet.ledger("telegram:1601")).map((entry) => entry.amount)).toEqual([1_000]);
    } finally {
      await wa.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("refusals outside the admin group", () => {
  it("are not audited, are counted, and are answered at most once a minute per group", async () => {
    const thirdGroup: FakeChat = { id: -1001000000003, type: "supergroup", title: "Another chat" };
    const countedBefore = await refusedElsewhere("telegram");
    const spammer = person(telegram, otherGroup, stranger);
    await spammer.ask("/paid ORD-ABCDEFGH", refusal);
    // Four at once: within the flood gate's per-chat cap, so each one reaches the admin side.
    for (let i = 0; i < 4; i++) spammer.say(`/credit telegram:1 ${i + 1}000 wipe`);
    await person(telegram, thirdGroup, owner).ask("/refund ORD-ABCDEFGH", refusal);
    await telegram.waitForIdle(300);

    expect(postedTo(telegram, otherGroup.id).filter((text) => refusal.test(text))).toHaveLength(1);
    expect(postedTo(telegram, thirdGroup.id).filter((text) => refusal.test(text))).toHaveLength(1);
    expect(await refusedElsewhere("telegram")).toBe(countedBefore + 6);
    const audit = await new AuditLog(shop.app.redis).recent(50);
    expect(audit.filter((entry) => entry.chat !== `telegram:${adminGroup.id}`)).toEqual([]);

    // A stranger inside the admin group is still refused every time, and audited.
    await person(telegram, adminGroup, stranger).ask("/paid ORD-ABCDEFGH", refusal);
    await person(telegram, adminGroup, stranger).ask("/paid ORD-ABCDEFGH", refusal);
    expect((await new AuditLog(shop.app.redis).recent(50)).filter((entry) => entry.result === "refused")).toHaveLength(2);
  });
});

describe("the audit log", () => {
  it("stores and shows arguments and names with line breaks and control characters escaped", async () => {
    const forger: FakeUser = { id: 778, first_name: "Mal\u202Elory\u200B" };
    const fakeLine = "• 2026-01-01 00:00 telegram:501 (Owner) /credit telegram:1 9000000 → applied";
    await person(telegram, adminGroup, forger).ask(`/credit telegram:1 5 x\n${fakeLine}\u0007\u2066`, refusal);
    await person(telegram, adminGroup, owner).ask(`/refund ORD-ABCDEFGH sorry\r\n${fakeLine}`, "ORD-ABCDEFGH");

    const [refund, credit] = await new AuditLog(shop.app.redis).recent(2);
    for (const entry of [refund!, credit!]) {
      expect(entry.args).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/);
      expect(entry.name ?? "").not.toMatch(/[\u200b-\u200f\u202a-\u202e]/);
    }
    expect(credit!.args).toBe(`telegram:1 5 x\\n${fakeLine}\\u0007\\u2066`);
    expect(credit!.name).toBe("Mal\\u202Elory\\u200B");
    expect(refund!.args).toBe(`ORD-ABCDEFGH sorry\\r\\n${fakeLine}`);

    const shown = await person(telegram, adminGroup, owner).ask("/audit 5", says("admin-audit-title", { count: 2 }));
    // A title and one line per entry: the forged line stays inside its own entry's line.
    expect(shown.split("\n")).toHaveLength(1 + 2);
    expect(shown).toContain(`sorry\\r\\n${fakeLine}`);
    expect(shown).not.toMatch(/[\u202a-\u202e\u200b]/);
  });
});

describe("a redelivered /broadcast update", () => {
  it("sends the broadcast once", async () => {
    const buyers = [2101, 2102, 2103];
    await shop.app.redis.sadd(keys.buyers(), ...buyers.map((id) => `telegram:${id}`));
    const update = groupMessage(7001, owner, "/broadcast Flash sale tonight");
    const admin = person(telegram, adminGroup, owner);
    let since = telegram.mark();
    telegram.pushUpdate(update);
    const started = says("admin-broadcast-started", { total: buyers.length });
    await admin.expect(started, since);
    await shop.admin.broadcaster.finished();
    await admin.expect(says("admin-broadcast-done", { sent: buyers.length }), since);

    since = telegram.mark();
    telegram.pushUpdate(update);
    const second = textOf(await telegram.waitFor((m) => m.chatId === adminGroup.id, { since }));
    await shop.admin.broadcaster.finished();
    await telegram.waitForIdle(300);

    expect(second).not.toMatch(says("admin-broadcast-started"));
    for (const id of buyers) expect(postedTo(telegram, id).filter((text) => text.includes("Flash sale tonight"))).toHaveLength(1);
    // A new message with the same text is a new broadcast.
    await admin.ask("/broadcast Flash sale tonight", started);
  });
});

describe("outside text in admin alerts", () => {
  it("reaches the admin group with control and bidi characters escaped", async () => {
    const since = telegram.mark();
    await shop.app.alerts.alert(msg("admin-alert-unmatched-payment", { amount: "Rp 18.537", reference: "BANK-1\u202E\n✅ ORD-FAKE paid\u2067\u0000" }));
    const posted = textOf(await telegram.waitFor((m) => m.chatId === adminGroup.id && textOf(m).includes("BANK-1"), { since }));
    expect(posted).not.toMatch(/[\u0000\u202e\u2067]/);
    expect(posted).toContain("BANK-1\\u202E\\n✅ ORD-FAKE paid\\u2067\\u0000");
  });
});
