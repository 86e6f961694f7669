/**
 * Who may run admin commands, through the real bot and the fake Bot API: an admin in the admin
 * group; not a stranger in that group, not an admin in another group, not an admin in a private
 * chat. The refused ones get at most a short refusal — never data, never an effect — and every
 * attempt in the admin group lands in the audit log.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { adminCommandHint } from "../../src/admin/private-hint.js";
import { AuditLog } from "../../src/admin/audit-log.js";
import { startFakeTelegram, type FakeTelegram } from "../fakes/telegram-api.js";
import { msg } from "../../src/core/message.js";
import { adminGroup, otherGroup, owner, person, placeOrder, postedTo, says, startAdminShop, stranger, type AdminShop } from "./support.js";

let telegram: FakeTelegram;
let shop: AdminShop;

beforeEach(async () => {
  telegram = await startFakeTelegram();
  shop = await startAdminShop(telegram, { env: { WHATSAPP_ADMIN_GROUP_JID: waGroup, ADMIN_WHATSAPP_NUMBERS: "6281100000001" } });
});
afterEach(async () => {
  await shop.cleanup();
  await telegram.close();
});

const refusal = says("admin-refused");
const waGroup = "120363012345678901@g.us";

describe("admin commands", () => {
  it("run for an admin in the admin group: /help lists every command with its usage", async () => {
    const help = await person(telegram, adminGroup, owner).ask("/help", says("admin-help-title"));
    for (const command of ["/balance", "/deposit", "/orders", "/order", "/paid", "/refund", "/retry", "/markup", "/product", "/maintenance", "/user", "/credit", "/broadcast", "/stats", "/audit"]) {
      expect(help).toContain(command);
    }
    // Addressed to this bot by name it still works; addressed to another bot it is not ours.
    await person(telegram, adminGroup, owner).ask("/help@warung_test_bot", says("admin-help-title"));
    const before = postedTo(telegram, adminGroup.id).length;
    person(telegram, adminGroup, owner).say("/help@some_other_bot");
    await telegram.waitForIdle(300);
    expect(postedTo(telegram, adminGroup.id)).toHaveLength(before);
  });

  it("are refused to a stranger in the admin group, with no data and no effect", async () => {
    const order = await placeOrder(shop, 1101, "SB-NFX1", "qris");
    const intruder = person(telegram, adminGroup, stranger);

    const paid = await intruder.ask(`/paid ${order.id}`, refusal);
    const detail = await intruder.ask(`/order ${order.id}`, refusal);
    const credit = await intruder.ask("/credit telegram:1101 500000 gift", refusal);
    await intruder.ask("/help", refusal);
    for (const text of [paid, detail, credit]) {
      expect(text).not.toContain("Netflix");
      expect(text).not.toContain("telegram:1101");
    }
    expect((await shop.app.orders.get(order.id))?.status).toBe("awaiting_payment");
    expect(await shop.app.wallet.balance("telegram:1101")).toBe(0);

    const audit = await new AuditLog(shop.app.redis).recent(10);
    expect(audit.filter((entry) => entry.by === "telegram:777" && entry.result === "refused").map((entry) => entry.command).sort()).toEqual(["credit", "help", "order", "paid"]);
    // Chatter in the admin group is not a command: no answer, nothing audited.
    const posted = postedTo(telegram, adminGroup.id).length;
    intruder.say("hello, when is the meeting?");
    await telegram.waitForIdle(300);
    expect(postedTo(telegram, adminGroup.id)).toHaveLength(posted);
  });

  it("are refused to an admin in another group; names the shop also uses are ignored there", async () => {
    const order = await placeOrder(shop, 1102, "SB-NFX1", "qris");
    const elsewhere = person(telegram, otherGroup, owner);
    await elsewhere.ask(`/paid ${order.id}`, refusal);
    // Refused again, silently: another group gets one refusal a minute (see abuse.test.ts).
    elsewhere.say(`/refund ${order.id}`);
    await telegram.waitForIdle(300);
    expect((await shop.app.orders.get(order.id))?.status).toBe("awaiting_payment");

    const refusals = postedTo(telegram, otherGroup.id).length;
    elsewhere.say("/orders");
    elsewhere.say("/help");
    elsewhere.say("/balance");
    elsewhere.say("good morning all");
    await telegram.waitForIdle(300);
    expect(postedTo(telegram, otherGroup.id)).toHaveLength(refusals);
    expect(postedTo(telegram, otherGroup.id).join("\n")).not.toContain(order.id);
  });

  it("in a private chat are never run; the hint points at the admin group", async () => {
    const order = await placeOrder(shop, 1103, "SB-NFX1", "qris");
    const inPrivate = { channel: "telegram" as const, chatId: String(owner.id), userId: String(owner.id), isGroup: false };

    const hint = adminCommandHint({ ...inPrivate, text: `/paid ${order.id}` }, "en");
    expect(hint?.replies).toEqual([{ kind: "text", text: { key: "admin-private-refused" } }]);
    expect(shop.app.translator.render("en", { key: "admin-private-refused" })).toContain("admin group");
    expect(adminCommandHint({ ...inPrivate, text: "/MARKUP global 10%" })).not.toBeNull();
    expect(adminCommandHint({ ...inPrivate, text: "/refund" })?.locale).toBe("id");
    expect(adminCommandHint({ ...inPrivate, text: "/credit 1 2 x", languageCode: "en-GB" })?.locale).toBe("en");
    // The buyer side owns these names in private chats.
    for (const text of ["/help", "/orders", "/order ORD-ABCDEFGH", "/balance", "/menu", "hello", ".paid X", "/frobnicate"]) {
      expect(adminCommandHint({ ...inPrivate, text }), text).toBeNull();
    }
    expect(adminCommandHint({ channel: "whatsapp", chatId: "62811@s.whatsapp.net", userId: "62811", isGroup: false, text: ".refund ORD-ABCDEFGH" })).not.toBeNull();
    expect(adminCommandHint({ ...inPrivate, isGroup: true, text: "/paid X" })).toBeNull();

    // Through the real bot, the private chat is the shop's: the command is refused with the hint.
    const dm = person(telegram, { id: owner.id, type: "private" }, owner);
    await dm.ask(`/paid ${order.id}`, says("admin-private-refused"));
    await dm.ask("/credit telegram:1103 100000 gift", says("admin-private-refused"));
    expect((await shop.app.orders.get(order.id))?.status).toBe("awaiting_payment");
    expect(await shop.app.wallet.balance("telegram:1103")).toBe(0);
    expect(postedTo(telegram, owner.id).join("\n")).not.toContain("Netflix");
  });

  it("with bad arguments answer with the usage and change nothing", async () => {
    const admin = person(telegram, adminGroup, owner);
    const usage = (command: string) => says("admin-usage-invalid", { usage: msg(`admin-usage-${command}`) });
    await admin.ask("/refund", usage("refund"));
    await admin.ask("/credit telegram:5 1000", usage("credit"));
    await admin.ask("/markup global off", usage("markup"));
    await admin.ask("/stats forever", usage("stats"));
    const audit = await new AuditLog(shop.app.redis).recent(10);
    expect(audit.filter((entry) => entry.result === "invalid")).toHaveLength(4);
  });

  it("that fail answer with a short error, audited, without the internal detail", async () => {
    vi.spyOn(shop.app.orders, "get").mockRejectedValueOnce(new Error("READONLY You can't write against a read only replica"));
    const answer = await person(telegram, adminGroup, owner).ask("/order ORD-ABCDEFGH", says("admin-error"));
    expect(answer).not.toContain("READONLY");
    const [entry] = await new AuditLog(shop.app.redis).recent(1);
    expect(entry).toMatchObject({ command: "order", args: "ORD-ABCDEFGH", result: "error" });
  });

  it("work the same from the WhatsApp admin group, by admin number, with . or /", async () => {
    const order = await placeOrder(shop, 1104, "SB-NFX1", "qris");
    const fromWhatsApp = (chatId: string, userId: string, text: string) =>
      shop.app.handlers.handleGroup({ channel: "whatsapp", chatId, userId, isGroup: true, text, messageId: `wa-${Math.random()}` });
    const render = (answer: Awaited<ReturnType<typeof fromWhatsApp>>) =>
      (answer?.replies ?? []).map((reply) => (reply.kind === "text" ? [reply.text].flat().map((line) => shop.app.translator.render("en", line)).join("\n") : "")).join("\n");

    expect(render(await fromWhatsApp(waGroup, "6281100000001", ".help"))).toContain("/paid");
    expect(render(await fromWhatsApp(waGroup, "6289999999999", `.paid ${order.id}`))).toMatch(refusal);
    expect(render(await fromWhatsApp("120363099999999999@g.us", "6281100000001", `.paid ${order.id}`))).toMatch(refusal);
    expect(await fromWhatsApp("120363099999999999@g.us", "6281100000001", ".orders")).toBeNull();
    // A Telegram admin's id means nothing on WhatsApp.
    expect(render(await fromWhatsApp(waGroup, String(owner.id), `/paid ${order.id}`))).toMatch(refusal);
    expect((await shop.app.orders.get(order.id))?.status).toBe("awaiting_payment");

    expect(render(await fromWhatsApp(waGroup, "6281100000001", `/paid ${order.id}`))).toMatch(says("admin-paid-confirmed", { id: order.id }));
    expect((await shop.app.orders.get(order.id))?.payment.paidAt).toBeDefined();
  });
});
