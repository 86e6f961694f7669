/**
 * Documents through the real Telegram channel and the fake Bot API: a document sent in a private
 * chat or a group reaches the handler with its caption as text and bytes read only on demand
 * (getFile, then the file route), a document over the cap is refused before anything is
 * downloaded when its size is stated and while streaming when it is not, and document replies —
 * answers and shop messages through the outbox — arrive as sendDocument with name, bytes and
 * caption.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DocumentTooLargeError, maxDocumentBytes } from "../../src/core/document.js";
import type { Answer, ChannelHandlers, Inbound } from "../../src/core/inbound.js";
import { msg } from "../../src/core/message.js";
import { documentReply, textReply } from "../../src/core/reply.js";
import { startFakeTelegram, type FakeTelegram } from "../fakes/telegram-api.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { phrase } from "../helpers/shown.js";

const buyerChat = { id: 4201, type: "private" as const };
const buyerUser = { id: 4201, first_name: "Budi" };
const group = { id: -1004200000001, type: "supergroup" as const, title: "Admins" };

let telegram: FakeTelegram;
let shop: TestApp;
/** What each document handler saw: the inbound, and the read's bytes or error. */
let seen: { inbound: Inbound; bytes?: Buffer; error?: unknown }[];
let handled: (() => void)[];

/** Stands in for a feature that takes files: reads the document, answers with a document back. */
async function readAndAnswer(inbound: Inbound): Promise<Answer> {
  const record: { inbound: Inbound; bytes?: Buffer; error?: unknown } = { inbound };
  seen.push(record);
  try {
    if (!inbound.document) return { locale: "id", replies: [textReply(msg("test-no-document"))] };
    record.bytes = await inbound.document.read();
    const reversed = Buffer.from(record.bytes).reverse();
    return { locale: "id", replies: [documentReply("reversed.txt", reversed, "text/plain", msg("order-not-found", { order: "ORD-X" }))] };
  } catch (error) {
    record.error = error;
    return { locale: "id", replies: [textReply(msg("test-document-refused"))] };
  } finally {
    handled.shift()?.();
  }
}

/** Resolves when the next document handling finished. */
function nextHandled(): Promise<void> {
  return new Promise((resolve) => handled.push(resolve));
}

beforeEach(async () => {
  seen = [];
  handled = [];
  telegram = await startFakeTelegram();
  shop = await startTestApp(
    { TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.url },
    {
      wrapHandlers: (handlers: ChannelHandlers) => ({
        handle: (inbound) => (inbound.document ? readAndAnswer(inbound) : handlers.handle(inbound)),
        handleGroup: async (inbound) => (inbound.document ? readAndAnswer(inbound) : null),
      }),
    },
  );
});

afterEach(async () => {
  await shop.cleanup();
  await telegram.close();
});

describe("documents into the Telegram channel", () => {
  it("a private document arrives with its caption, name, type and size, and its bytes are read on demand", async () => {
    const bytes = Buffer.from("KODE-1\nKODE-2\n");
    const done = nextHandled();
    telegram.sendDocument(buyerChat, buyerUser, { bytes, fileName: "stock.txt", mimeType: "text/plain", caption: "isi stok" });
    await done;
    const [record] = seen;
    expect(record?.inbound).toMatchObject({ channel: "telegram", chatId: "4201", userId: "4201", isGroup: false, text: "isi stok" });
    expect(record?.inbound.document).toMatchObject({ fileName: "stock.txt", mimeType: "text/plain", size: bytes.length });
    expect(record?.bytes?.equals(bytes)).toBe(true);
    expect(telegram.calls.filter((call) => call.method === "getFile")).toHaveLength(1);
    expect(telegram.downloads.map((download) => download.status)).toEqual([200]);

    // The answer: a document with the reversed bytes, its name, and the rendered caption.
    const sent = await telegram.waitFor((m) => m.chatId === buyerChat.id && m.method === "sendDocument");
    expect(sent.fileName).toBe("reversed.txt");
    expect(sent.document?.equals(Buffer.from(bytes).reverse())).toBe(true);
    expect(sent.caption).toBe(phrase("order-not-found", { order: "ORD-X" }));
  });

  it("a group document with a command caption reaches the group handler with the caption as text", async () => {
    const bytes = Buffer.from("a,b\nc,d\n");
    const done = nextHandled();
    telegram.sendDocument(group, { id: 501, first_name: "Owner" }, { bytes, fileName: "stock.csv", mimeType: "text/csv", caption: "/stock add ML86" });
    await done;
    expect(seen[0]?.inbound).toMatchObject({ isGroup: true, chatId: String(group.id), userId: "501", text: "/stock add ML86" });
    expect(seen[0]?.bytes?.toString()).toBe("a,b\nc,d\n");
  });

  it("a document without a name or caption gets a neutral name and no text", async () => {
    const done = nextHandled();
    telegram.sendDocument(buyerChat, buyerUser, { bytes: Buffer.from("x") });
    await done;
    expect(seen[0]?.inbound.text).toBeUndefined();
    expect(seen[0]?.inbound.document?.fileName).toBe("document");
  });

  it("a stated size over the cap is refused before any getFile or download", async () => {
    const done = nextHandled();
    telegram.sendDocument(buyerChat, buyerUser, { bytes: Buffer.alloc(maxDocumentBytes + 1, 0x61), fileName: "big.txt" });
    await done;
    expect(seen[0]?.error).toBeInstanceOf(DocumentTooLargeError);
    expect(seen[0]?.error).toMatchObject({ limit: maxDocumentBytes, size: maxDocumentBytes + 1 });
    expect(telegram.calls.filter((call) => call.method === "getFile")).toHaveLength(0);
    expect(telegram.downloads).toHaveLength(0);
  });

  it("a message understating the size is refused at getFile's stated size, before the download", async () => {
    const done = nextHandled();
    telegram.sendDocument(buyerChat, buyerUser, { bytes: Buffer.alloc(maxDocumentBytes + 1, 0x61), statedSize: 10 });
    await done;
    expect(seen[0]?.error).toMatchObject({ name: "DocumentTooLargeError", size: maxDocumentBytes + 1 });
    expect(telegram.calls.filter((call) => call.method === "getFile")).toHaveLength(1);
    expect(telegram.downloads).toHaveLength(0);
  });

  it("without a stated size the download is cut off once it passes the cap", async () => {
    const done = nextHandled();
    telegram.sendDocument(buyerChat, buyerUser, { bytes: Buffer.alloc(maxDocumentBytes + 100_000, 0x61), statedSize: null });
    await done;
    expect(seen[0]?.error).toBeInstanceOf(DocumentTooLargeError);
    expect(seen[0]?.error).toMatchObject({ limit: maxDocumentBytes, size: undefined });
    expect(telegram.downloads).toHaveLength(1);
  });

  it("a reader may ask for a smaller cap than the channel's", async () => {
    let result: unknown;
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    await shop.cleanup();
    shop = await startTestApp(
      { TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.url },
      {
        wrapHandlers: (handlers) => ({
          ...handlers,
          handle: async (inbound) => {
            result = await inbound.document!.read(3).catch((error: unknown) => error);
            release();
            return { locale: "id", replies: [] };
          },
        }),
      },
    );
    telegram.sendDocument(buyerChat, buyerUser, { bytes: Buffer.from("four"), fileName: "f.txt" });
    await done;
    expect(result).toMatchObject({ name: "DocumentTooLargeError", limit: 3, size: 4 });
  });
});

describe("documents out of the Telegram channel", () => {
  it("the outbox sends a document to a buyer, with a caption over Telegram's limit sent as text after it", async () => {
    const bytes = Buffer.from("user: budi\npass: rahasia\n");
    await shop.app.outbox.send({ channel: "telegram", chatId: String(buyerChat.id), locale: "id" }, [
      documentReply("login.txt", bytes, "text/plain", msg("order-not-found", { order: "ORD-1" })),
      documentReply("plain.txt", Buffer.from("no caption"), "text/plain"),
      documentReply("long.txt", Buffer.from("long"), "text/plain", msg("order-not-found", { order: "X".repeat(1100) })),
    ]);
    const sent = telegram.messagesTo(buyerChat.id);
    expect(sent.map((m) => [m.method, m.fileName])).toEqual([
      ["sendDocument", "login.txt"],
      ["sendDocument", "plain.txt"],
      ["sendDocument", "long.txt"],
      ["sendMessage", undefined],
    ]);
    expect(sent[0]?.document?.equals(bytes)).toBe(true);
    expect(sent[0]?.caption).toBe(phrase("order-not-found", { order: "ORD-1" }));
    expect(sent[1]?.caption).toBeUndefined();
    expect(sent[2]?.caption).toBeUndefined();
    expect(sent[3]?.text).toContain("X".repeat(1100));
  });
});
