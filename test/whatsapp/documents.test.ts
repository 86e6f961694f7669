/**
 * Documents through the real WhatsApp channel and the fake Baileys socket: a document message
 * (plain, or in WhatsApp's document-with-caption wrapper) reaches the handler with its caption as
 * text and bytes downloaded only when read, over the cap refused before the download when the size
 * is stated and while streaming when it is not; document replies and outbox documents go out as
 * document messages with name, type and caption, through the pacer.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DocumentTooLargeError, maxDocumentBytes } from "../../src/core/document.js";
import type { Answer, Inbound } from "../../src/core/inbound.js";
import { msg } from "../../src/core/message.js";
import { documentReply, textReply } from "../../src/core/reply.js";
import type { FakeWhatsApp } from "../fakes/baileys-socket.js";
import type { TestApp } from "../helpers/app.js";
import { phrase } from "../helpers/shown.js";
import { startWhatsAppShop, type WhatsAppShop } from "./shop.js";

const adminGroup = "120363000000000011@g.us";
const buyerJid = "6281234500001@s.whatsapp.net";

let harness: WhatsAppShop;
let shop: TestApp;
let fake: FakeWhatsApp;
let seen: { inbound: Inbound; bytes?: Buffer; error?: unknown }[];
let handled: (() => void)[];

/** Stands in for a feature that takes files: reads the document, answers with a document back. */
async function readAndAnswer(inbound: Inbound): Promise<Answer> {
  const record: { inbound: Inbound; bytes?: Buffer; error?: unknown } = { inbound };
  seen.push(record);
  try {
    if (!inbound.document) return { locale: "id", replies: [textReply(msg("test-no-document"))] };
    record.bytes = await inbound.document.read();
    return { locale: "id", replies: [documentReply("reversed.csv", Buffer.from(record.bytes).reverse(), "text/csv", msg("order-not-found", { order: "ORD-W" }))] };
  } catch (error) {
    record.error = error;
    return { locale: "id", replies: [textReply(msg("test-document-refused"))] };
  } finally {
    handled.shift()?.();
  }
}

function nextHandled(): Promise<void> {
  return new Promise((resolve) => handled.push(resolve));
}

beforeEach(async () => {
  seen = [];
  handled = [];
  harness = await startWhatsAppShop(
    { WHATSAPP_ADMIN_GROUP_JID: adminGroup },
    {
      wrapHandlers: (handlers) => ({
        handle: (inbound) => (inbound.document ? readAndAnswer(inbound) : handlers.handle(inbound)),
        handleGroup: async (inbound) => (inbound.document ? readAndAnswer(inbound) : null),
      }),
    },
  );
  ({ shop, fake } = harness);
});

afterEach(() => harness.cleanup());

describe("documents into the WhatsApp channel", () => {
  it("a private document arrives with caption, name, type and size; its bytes are downloaded on demand; the answer is a document", async () => {
    const bytes = Buffer.from("KODE-1\nKODE-2\n");
    const done = nextHandled();
    fake.latest.receive({ chat: buyerJid, pushName: "Budi", document: { bytes, fileName: "stock.txt", mimetype: "text/plain", caption: "isi stok" } });
    await done;
    expect(seen[0]?.inbound).toMatchObject({ channel: "whatsapp", chatId: buyerJid, userId: "6281234500001", isGroup: false, text: "isi stok" });
    expect(seen[0]?.inbound.document).toMatchObject({ fileName: "stock.txt", mimeType: "text/plain", size: bytes.length });
    expect(seen[0]?.bytes?.equals(bytes)).toBe(true);
    expect(fake.downloads).toHaveLength(1);

    const sent = await fake.waitForSent((record) => record.jid === buyerJid && record.document !== undefined);
    expect(sent).toMatchObject({ fileName: "reversed.csv", mimetype: "text/csv", text: phrase("order-not-found", { order: "ORD-W" }) });
    expect(sent.document?.equals(Buffer.from(bytes).reverse())).toBe(true);
  });

  it("an admin-group document in WhatsApp's caption wrapper reaches the group handler with the command as text", async () => {
    const done = nextHandled();
    fake.latest.receive({
      chat: adminGroup,
      participant: "6281100000099@s.whatsapp.net",
      document: { bytes: Buffer.from("a,b\n"), fileName: "stock.csv", mimetype: "text/csv", caption: "/stock add ML86", withCaptionWrapper: true },
    });
    await done;
    expect(seen[0]?.inbound).toMatchObject({ isGroup: true, chatId: adminGroup, userId: "6281100000099", text: "/stock add ML86" });
    expect(seen[0]?.bytes?.toString()).toBe("a,b\n");
  });

  it("a document without a caption still arrives, with no text", async () => {
    const done = nextHandled();
    fake.latest.receive({ chat: buyerJid, document: { bytes: Buffer.from("x"), mimetype: "application/octet-stream" } });
    await done;
    expect(seen[0]?.inbound.text).toBeUndefined();
    expect(seen[0]?.inbound.document?.fileName).toBe("document");
  });

  it("a stated size over the cap is refused before anything is downloaded", async () => {
    const done = nextHandled();
    fake.latest.receive({ chat: buyerJid, document: { bytes: Buffer.alloc(maxDocumentBytes + 1, 0x61), fileName: "big.txt" } });
    await done;
    expect(seen[0]?.error).toBeInstanceOf(DocumentTooLargeError);
    expect(seen[0]?.error).toMatchObject({ size: maxDocumentBytes + 1 });
    expect(fake.downloads).toHaveLength(0);
  });

  it("without a stated size the download is cut off once it passes the cap", async () => {
    const done = nextHandled();
    fake.latest.receive({ chat: buyerJid, document: { bytes: Buffer.alloc(maxDocumentBytes + 100_000, 0x61), statedSize: null } });
    await done;
    expect(seen[0]?.error).toBeInstanceOf(DocumentTooLargeError);
    expect(seen[0]?.error).toMatchObject({ limit: maxDocumentBytes, size: undefined });
    expect(fake.downloads).toHaveLength(1);
  });
});

describe("documents out of the WhatsApp channel", () => {
  it("the outbox sends a document to a buyer; a caption over the limit follows as text", async () => {
    const since = fake.sent.length;
    const bytes = Buffer.from("user: budi\npass: rahasia\n");
    await shop.app.outbox.send({ channel: "whatsapp", chatId: buyerJid, locale: "id" }, [
      documentReply("login.txt", bytes, "text/plain", msg("order-not-found", { order: "ORD-1" })),
      documentReply("plain.txt", Buffer.from("no caption"), "text/plain"),
      documentReply("long.txt", Buffer.from("long"), "text/plain", msg("order-not-found", { order: "X".repeat(1100) })),
    ]);
    const sent = fake.sent.slice(since);
    expect(sent.map((record) => record.fileName ?? "text")).toEqual(["login.txt", "plain.txt", "long.txt", "text"]);
    expect(sent[0]?.document?.equals(bytes)).toBe(true);
    expect(sent[0]).toMatchObject({ mimetype: "text/plain", text: phrase("order-not-found", { order: "ORD-1" }) });
    expect(sent[1]?.content).not.toHaveProperty("caption");
    expect(sent[2]?.content).not.toHaveProperty("caption");
    expect(sent[3]?.text).toContain("X".repeat(1100));
  });

  it("the admin group may get a document too, but any other group is refused", async () => {
    await shop.app.outbox.send({ channel: "whatsapp", chatId: adminGroup, locale: "id" }, [documentReply("backup.enc", Buffer.from([1, 2, 3]), "application/octet-stream")]);
    expect(fake.sent.at(-1)).toMatchObject({ jid: adminGroup, fileName: "backup.enc" });
    await expect(
      shop.app.outbox.send({ channel: "whatsapp", chatId: "120363000000000099@g.us", locale: "id" }, [documentReply("x.txt", Buffer.from("x"), "text/plain")]),
    ).rejects.toThrow(/private chats only/);
  });
});
