/**
 * The WhatsApp channel end to end: the real app (sandbox provider, real Redis) behind the real
 * channel, with WhatsApp played by the fake socket. A buyer shops by typing numbers only and gets
 * the serial number; photos become images with captions; groups are routed by who wrote and
 * where; redelivered messages are handled once; shop messages never go to a group; a delivery
 * waits out a reconnect.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WAMessageAddressingMode, type AnyMessageContent } from "@whiskeysockets/baileys";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Inbound } from "../../src/core/inbound.js";
import { textReply, type Reply } from "../../src/core/reply.js";
import type { WhatsAppModule } from "../../src/channels/whatsapp/start.js";
import { whatsappTextLimit } from "../../src/channels/whatsapp/whatsapp-channel.js";
import { msg } from "../../src/core/message.js";
import { renderQrPng } from "../../src/payments/qr-image.js";
import { FakeWhatsApp, type SentRecord } from "../fakes/baileys-socket.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { phrase, shown } from "../helpers/shown.js";
import { formatRupiah } from "../../src/core/money.js";
import { eventually } from "./clocks.js";

const adminGroup = "120363000000000001@g.us";
const otherGroup = "120363000000000002@g.us";

let shop: TestApp;
let fake: FakeWhatsApp;
let wa: WhatsAppModule;
let dir: string;
let buyerInbounds: Inbound[];
let groupInbounds: Inbound[];

beforeEach(async () => {
  fake = new FakeWhatsApp();
  dir = mkdtempSync(join(tmpdir(), "wa-channel-"));
  buyerInbounds = [];
  groupInbounds = [];
  const env = {
    WHATSAPP_ENABLED: "true",
    WHATSAPP_ADMIN_GROUP_JID: adminGroup,
    WHATSAPP_SEND_PER_SECOND: "20",
    WHATSAPP_QR_FILE: join(dir, "qr.png"),
  };
  shop = await startTestApp(env, {
    makeWhatsAppSocket: fake.make,
    whatsAppTuning: { print: () => undefined, typingMs: 0, backoff: { baseMs: 20, maxMs: 40 } },
    wrapHandlers: (handlers) => ({
      handle: (inbound) => {
        buyerInbounds.push(inbound);
        return handlers.handle(inbound);
      },
      // Stands in for the admin module: answers every group message with one line.
      handleGroup: async (inbound) => {
        groupInbounds.push(inbound);
        return { locale: "id", replies: [textReply(msg("whatsapp-lock-busy"))] };
      },
    }),
  });
  wa = shop.app.whatsapp!;
  await fake.loginAndOpen();
  await eventually(() => wa.connection.state === "open");
});

afterEach(async () => {
  await shop.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A buyer writing from their phone; `expect` waits for a message to them containing `part`, or
 * matching it (a message key's pattern from `shown`).
 */
function buyer(phone: string) {
  const jid = `${phone}@s.whatsapp.net`;
  let since = fake.sent.length;
  return {
    jid,
    say(text: string) {
      since = fake.sent.length;
      return fake.latest.receive({ chat: jid, text, pushName: "Budi" });
    },
    expect: (part: string | RegExp) =>
      fake.waitForSent((record) => record.jid === jid && (typeof part === "string" ? record.text.includes(part) : part.test(record.text)), { since }),
  };
}

/** The number in front of the menu line containing `label`. */
function numberOf(menu: SentRecord, label: string): string {
  const line = menu.text.split("\n").find((candidate) => /^\d+\. /.test(candidate) && candidate.includes(label));
  if (!line) throw new Error(`no "${label}" in menu:\n${menu.text}`);
  return line.split(".")[0]!;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

describe("a buyer on WhatsApp", () => {
  it("buys a game top-up by typing numbers only and receives the serial number", async () => {
    const budi = buyer("6281234567890");
    budi.say("/topup 100000");
    await budi.expect(shown("topup-sandbox-done", { amount: formatRupiah(100_000) }));

    budi.say("/menu");
    const main = await budi.expect(shown("menu-main-title"));
    const title = shown("menu-main-title").source;
    expect(main.text.split("\n")[0]).toMatch(new RegExp(`^\\*${title}\\*$`)); // bold title, WhatsApp style
    const games = phrase("category-game");
    expect(main.text).toContain(`1. ${phrase("menu-category", { category: games, count: 3 })}`);
    expect(main.content).not.toHaveProperty("buttons");

    budi.say(numberOf(main, games));
    const groups = await budi.expect(shown("menu-group-title", { category: games }));
    budi.say(numberOf(groups, "Mobile Legends"));
    const products = await budi.expect(shown("menu-product-title", { title: /.*Mobile Legends/ }));
    budi.say(numberOf(products, "86 Diamonds"));
    await budi.expect(shown("input-prompt-game_id_zone"));
    budi.say("12345678 (1234)");
    const confirm = await budi.expect(shown("confirm-title"));
    expect(confirm.text).toMatch(shown("confirm-price", { price: formatRupiah(18_000) }));
    budi.say(numberOf(confirm, phrase("menu-item-confirm")));
    const pay = await budi.expect(shown("payment-title"));
    budi.say(numberOf(pay, phrase("pay-method-wallet")));
    const paid = await budi.expect(shown("order-paid", { order: /ORD-[A-Z0-9]{8,}/ }));
    const orderId = /ORD-[A-Z0-9]{8,}/.exec(paid.text)?.[0];
    expect(orderId).toBeDefined();

    // The delivery is sent by the shop on its own (outbox → channel.send), after the provider settles.
    const delivered = await budi.expect(shown("order-delivered", { order: orderId! }));
    expect(delivered.text).toMatch(shown("delivery-serial", { value: /SBX[0-9A-F]{16}/ }));
    const order = await shop.app.orders.get(orderId!);
    expect(order).toMatchObject({ status: "delivered", buyer: "whatsapp:6281234567890", channel: "whatsapp", chatId: budi.jid });
    expect(await shop.app.wallet.balance("whatsapp:6281234567890")).toBe(82_000);

    // Every buyer message was marked read, and "typing…" showed before answers.
    expect(fake.latest.reads.length).toBe(buyerInbounds.length);
    expect(fake.latest.presenceUpdates.filter((update) => update.jid === budi.jid && update.type === "composing").length).toBeGreaterThanOrEqual(buyerInbounds.length);
    expect(buyerInbounds[0]).toMatchObject({ channel: "whatsapp", chatId: budi.jid, userId: "6281234567890", isGroup: false, displayName: "Budi" });
  });

  it("answers a chat addressed by LID on the buyer's phone number", async () => {
    fake.latest.receive({ chat: "190000000000009@lid", remoteJidAlt: "6281234500009@s.whatsapp.net", text: "/topup 5000" });
    await fake.waitForSent((record) => record.jid === "6281234500009@s.whatsapp.net" && record.text.includes("Rp 5.000"));
    expect(await shop.app.wallet.balance("whatsapp:6281234500009")).toBe(5_000);
    expect(buyerInbounds[0]).toMatchObject({ chatId: "6281234500009@s.whatsapp.net", userId: "6281234500009" });
  });

  it("hands one chat's messages to the shop in arrival order while the first waits on a slow LID lookup", async () => {
    const lid = "190000000000031@lid";
    fake.lidToPn.set("190000000000031", "6281234500031@s.whatsapp.net");
    const lookups = fake.latest.signalRepository.lidMapping;
    const realLookup = lookups.getPNForLID.bind(lookups);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    lookups.getPNForLID = async (jid) => {
      if (++calls === 1) await gate;
      return realLookup(jid);
    };
    fake.latest.receive({ chat: lid, text: "/menu" });
    fake.latest.receive({ chat: lid, text: "/saldo" });
    await eventually(() => calls === 1);
    await settle();
    // The second message waits for the first's hand-off; it never overtakes it.
    expect(buyerInbounds).toHaveLength(0);
    release();
    await eventually(() => buyerInbounds.length === 2);
    expect(buyerInbounds.map((inbound) => [inbound.text, inbound.chatId])).toEqual([
      ["/menu", "6281234500031@s.whatsapp.net"],
      ["/saldo", "6281234500031@s.whatsapp.net"],
    ]);
  });

  it("reads text from captions and ephemeral wrappers, and ignores what is not a question", async () => {
    const chat = "6281234500011@s.whatsapp.net";
    fake.latest.receive({ chat, content: { imageMessage: { caption: "/saldo" } } });
    fake.latest.receive({ chat, content: { ephemeralMessage: { message: { extendedTextMessage: { text: "/help" } } } } });
    await eventually(() => buyerInbounds.length === 2);
    expect(buyerInbounds.map((inbound) => inbound.text)).toEqual(["/saldo", "/help"]);

    fake.latest.receive({ chat, text: "/saldo", fromMe: true });
    fake.latest.receive({ chat: "status@broadcast", participant: chat, text: "/saldo" });
    fake.latest.receive({ chat: "120363999999999999@newsletter", text: "/saldo" });
    fake.latest.receive({ chat, text: "   " });
    fake.latest.receive({ chat, content: { stickerMessage: {} } });
    fake.latest.receive({ chat, text: "/saldo", type: "append" });
    await settle();
    expect(buyerInbounds).toHaveLength(2);
  });

  it("handles a redelivered message id once, even on a new connection", async () => {
    const chat = "6281234500012@s.whatsapp.net";
    const first = fake.latest.receive({ chat, text: "/saldo", id: "3EB0DUPLICATE0001" });
    fake.latest.receive({ chat, text: "/saldo", id: "3EB0DUPLICATE0001" });
    await eventually(() => buyerInbounds.length === 1);

    await fake.latest.disconnect(428);
    const next = await fake.waitForSocket(fake.sockets.length + 1);
    next.open();
    next.ev.emit("messages.upsert", { messages: [first], type: "notify" });
    fake.latest.receive({ chat, text: "/help" });
    await eventually(() => buyerInbounds.length === 2);
    await settle();
    expect(buyerInbounds.map((inbound) => inbound.text)).toEqual(["/saldo", "/help"]);
  });

  it("drops a flooding sender's excess with one slow-down notice, and answers another buyer at once", async () => {
    const flooder = buyer("6281234500077");
    for (let i = 0; i < 300; i++) flooder.say("/saldo");
    const other = buyer("6281234500078");
    const asked = Date.now();
    other.say("/saldo");
    await other.expect(shown("wallet-balance"));
    expect(Date.now() - asked).toBeLessThan(3_000);

    const notice = shop.app.translator.t("id", "flood-slow-down");
    const toFlooder = () => fake.sent.filter((record) => record.jid === flooder.jid);
    await eventually(() => toFlooder().some((record) => record.text === notice));
    await eventually(() => wa.channel.flood.busyChats === 0);
    expect(toFlooder().filter((record) => record.text === notice)).toHaveLength(1);
    // The burst plus about one a second, of 300 sent within well under the 10 s notice period.
    const handled = buyerInbounds.filter((inbound) => inbound.chatId === flooder.jid).length;
    expect(handled).toBeGreaterThanOrEqual(1);
    expect(handled).toBeLessThanOrEqual(14);
  });
});

describe("WhatsApp rendering", () => {
  const chat = "6281234500020@s.whatsapp.net";

  it("sends a photo reply as an image with its caption", async () => {
    const png = await renderQrPng("00020101021226670016COM.EXAMPLE.WWW");
    const photo: Reply = { kind: "photo", png, caption: [msg("whatsapp-qr-caption")] };
    await wa.channel.send(chat, [photo], "id");

    const [image] = fake.sent.filter((record) => record.jid === chat);
    expect(image?.image?.equals(png)).toBe(true);
    const content = image!.content as Extract<AnyMessageContent, { image: unknown }>;
    expect(content.caption).toBe(shop.app.translator.t("id", "whatsapp-qr-caption"));
    expect(content.mimetype).toBe("image/png");
    expect(content.width).toBe(png.readUInt32BE(16));
  });

  it("splits long texts in order and moves an over-long caption into texts after the image", async () => {
    const long = msg("whatsapp-login-quiet", { file: `${"x".repeat(3_000)}\n${"y".repeat(3_000)}` });
    const png = await renderQrPng("hello");
    await wa.channel.send(chat, [textReply(long), { kind: "photo", png, caption: long }], "id");

    const sent = fake.sent.filter((record) => record.jid === chat);
    expect(sent.map((record) => (record.image ? "image" : "text"))).toEqual(["text", "text", "image", "text", "text"]);
    expect(sent.every((record) => record.text.length <= whatsappTextLimit)).toBe(true);
    expect(sent[2]!.text).toBe(""); // no caption on the image itself
    expect(sent[0]!.text + "\n" + sent[1]!.text).toBe(shop.app.translator.render("id", long));
  });

  it("refuses to send shop messages to any group but the admin group, or to a broadcast", async () => {
    const notice = [textReply(msg("whatsapp-connected", { phone: "1" }))];
    await expect(wa.channel.send("120363000000000099@g.us", notice, "id")).rejects.toThrow(/private chats only/);
    await expect(wa.channel.send("status@broadcast", notice, "id")).rejects.toThrow(/private chats only/);
    expect(fake.sent).toHaveLength(0);
    // Admin notices (orders paid, providers down…) may go to the configured admin group.
    await wa.channel.send(adminGroup, notice, "id");
    expect(fake.sent.map((record) => record.jid)).toEqual([adminGroup]);
  });

  it("holds a delivery while reconnecting and sends it on the new connection", async () => {
    await fake.latest.disconnect(428);
    const sending = wa.channel.send(chat, [textReply(msg("whatsapp-connected", { phone: "1" }))], "id");
    const next = await fake.waitForSocket(fake.sockets.length + 1);
    await settle();
    expect(fake.sent).toHaveLength(0);
    next.open();
    await sending;
    expect(fake.sent.map((record) => [record.socket, record.jid])).toEqual([[next.index, chat]]);
  });
});

describe("WhatsApp groups", () => {
  it("passes admin-group messages to the group handler with the sender's number, from either address form", async () => {
    const admin = "6281300000001";
    fake.latest.receive({ chat: adminGroup, participant: `${admin}:3@s.whatsapp.net`, text: ".saldo", pushName: "Admin" });
    fake.latest.receive({ chat: adminGroup, participant: "190000000000003@lid", participantAlt: `${admin}@s.whatsapp.net`, text: "/orders" });
    fake.lidToPn.set("190000000000005", `${admin}@s.whatsapp.net`);
    fake.latest.receive({ chat: adminGroup, participant: "190000000000005:2@lid", text: "/status" });
    await eventually(() => groupInbounds.length === 3);

    expect(groupInbounds.map((inbound) => [inbound.userId, inbound.text])).toEqual([
      [admin, ".saldo"],
      [admin, "/orders"],
      [admin, "/status"],
    ]);
    expect(groupInbounds[0]).toMatchObject({ channel: "whatsapp", chatId: adminGroup, isGroup: true, displayName: "Admin" });
    const answer = await fake.waitForSent((record) => record.jid === adminGroup);
    expect(answer.text).toBe(shop.app.translator.t("id", "whatsapp-lock-busy"));
    expect(buyerInbounds).toHaveLength(0);
  });

  it("finds the number of a LID-only sender in the group's member list, looked up once", async () => {
    fake.groups.set(adminGroup, {
      id: adminGroup,
      subject: "Admin",
      owner: undefined,
      addressingMode: WAMessageAddressingMode.LID,
      participants: [
        { id: "190000000000006@lid", phoneNumber: "6281300000006@s.whatsapp.net", admin: "admin" },
        { id: "190000000000007@lid" },
      ],
    });
    fake.latest.receive({ chat: adminGroup, participant: "190000000000006@lid", text: "/saldo" });
    fake.latest.receive({ chat: adminGroup, participant: "190000000000006:4@lid", text: "/orders" });
    fake.latest.receive({ chat: adminGroup, participant: "190000000000007@lid", text: "/help" });
    await eventually(() => groupInbounds.length === 3);
    expect(groupInbounds.map((inbound) => inbound.userId)).toEqual(["6281300000006", "6281300000006", "190000000000007@lid"]);
    expect(fake.latest.groupLookups).toEqual([adminGroup]);
  });

  it("gives a sender known only by LID no number, so it can never pass as an admin", async () => {
    fake.latest.receive({ chat: adminGroup, participant: "190000000000004@lid", text: "/saldo" });
    await eventually(() => groupInbounds.length === 1);
    expect(groupInbounds[0]!.userId).toBe("190000000000004@lid");
    expect(groupInbounds[0]!.userId).not.toMatch(/^\d+$/);
  });

  it("ignores other groups unless the bot is mentioned", async () => {
    fake.latest.receive({ chat: otherGroup, participant: "6281300000002@s.whatsapp.net", text: "/saldo" });
    fake.latest.receive({ chat: otherGroup, participant: "6281300000002@s.whatsapp.net", text: "@someone hi", mentions: ["6289999999999@s.whatsapp.net"] });
    await settle();
    expect(groupInbounds).toHaveLength(0);
    expect(buyerInbounds).toHaveLength(0);
    expect(fake.sent).toHaveLength(0);

    // Mentioned by LID, as WhatsApp does in LID-addressed groups.
    fake.latest.receive({ chat: otherGroup, participant: "6281300000002@s.whatsapp.net", text: "@bot menu", mentions: [`${fake.lid}@lid`] });
    await eventually(() => groupInbounds.length === 1);
    expect(groupInbounds[0]).toMatchObject({ chatId: otherGroup, userId: "6281300000002", isGroup: true, text: "@bot menu" });
  });
});
