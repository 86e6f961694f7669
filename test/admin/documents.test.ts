/**
 * Admin commands with documents, through the real bot and the fake Bot API: a command sent as a
 * document's caption sees the document (`context.document`) and can read its bytes; its answer may
 * be a document, whose bytes reach the group untouched while the caption is sanitized like any
 * admin text; a stranger's document command is refused without downloading anything.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { answer } from "../../src/admin/commands/answer.js";
import { defineAdminCommand } from "../../src/admin/commands/command.js";
import { adminCommands } from "../../src/admin/commands/registry.js";
import { msg } from "../../src/core/message.js";
import { documentReply } from "../../src/core/reply.js";
import { startFakeTelegram, type FakeTelegram } from "../fakes/telegram-api.js";
import { adminGroup, owner, says, startAdminShop, stranger, type AdminShop } from "./support.js";

/** Reads the attached document and sends it back reversed, naming it in the caption. */
const docCommand = defineAdminCommand({
  name: "doc",
  args: z.string().transform(() => ({})),
  usage: msg("test-usage-doc"),
  run: async (_args, { document }) => {
    if (!document) return answer("no_document", msg("test-doc-missing"));
    const bytes = await document.read();
    return {
      replies: [documentReply("reversed.txt", Buffer.from(bytes).reverse(), "text/plain", msg("admin-order-not-found", { order: document.fileName }))],
      result: "ok",
    };
  },
});

let telegram: FakeTelegram;
let shop: AdminShop;

beforeEach(async () => {
  telegram = await startFakeTelegram();
  shop = await startAdminShop(telegram, { admin: { commands: [...adminCommands, docCommand] } });
});
afterEach(async () => {
  await shop.cleanup();
  await telegram.close();
});

describe("admin commands with documents", () => {
  it("a command captioning a document reads it and answers with a document; the caption is sanitized, the bytes are not", async () => {
    const bytes = Buffer.from("line\u202E1\nline 2\n");
    const since = telegram.mark();
    telegram.sendDocument(adminGroup, owner, { bytes, fileName: "evil\u202Egnp.txt", mimeType: "text/plain", caption: "/doc" });
    const sent = await telegram.waitFor((m) => m.chatId === adminGroup.id && m.method === "sendDocument", { since });
    expect(sent.fileName).toBe("reversed.txt");
    expect(sent.document?.equals(Buffer.from(bytes).reverse())).toBe(true);
    expect(sent.caption).toMatch(says("admin-order-not-found", { order: "evil\\u202Egnp.txt" }));
    expect(sent.caption).not.toContain("\u202E");
  });

  it("the same command without a document is told so", async () => {
    const since = telegram.mark();
    telegram.sendText(adminGroup, owner, "/doc");
    const reply = await telegram.waitFor((m) => m.chatId === adminGroup.id, { since });
    expect(reply.text).toBe("test-doc-missing");
  });

  it("a stranger's document command is refused, and nothing is downloaded", async () => {
    const since = telegram.mark();
    telegram.sendDocument(adminGroup, stranger, { bytes: Buffer.from("x"), fileName: "x.txt", caption: "/doc" });
    await telegram.waitFor((m) => m.chatId === adminGroup.id && /Admin commands are for the shop's admins/.test(m.text ?? ""), { since });
    expect(telegram.calls.filter((call) => call.method === "getFile")).toHaveLength(0);
    expect(telegram.downloads).toHaveLength(0);
  });
});
