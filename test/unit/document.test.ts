/**
 * The lazy, capped document read every channel builds on: nothing is opened until read, a stated
 * size over the cap never opens, a stream past the cap is cut off, the bytes are kept for a second
 * read, and a platform failure surfaces as a DocumentReadError naming only its kind.
 */
import { describe, expect, it } from "vitest";
import { DocumentReadError, DocumentTooLargeError, lazyDocument, maxDocumentBytes, readCapped } from "../../src/core/document.js";

function source(chunks: Uint8Array[], stated?: number) {
  const opened: number[] = [];
  return {
    opened,
    document: lazyDocument({
      fileName: "stock.txt",
      size: stated,
      open: async (limit) => {
        opened.push(limit);
        return (async function* () {
          yield* chunks;
        })();
      },
    }),
  };
}

describe("lazyDocument", () => {
  it("opens only when read, once, and keeps the bytes for a second read", async () => {
    const { document, opened } = source([Buffer.from("ab"), Buffer.from("c")], 3);
    expect(opened).toEqual([]);
    expect((await document.read()).toString()).toBe("abc");
    expect((await document.read(3)).toString()).toBe("abc");
    expect(opened).toEqual([maxDocumentBytes]);
    await expect(document.read(2)).rejects.toMatchObject({ name: "DocumentTooLargeError", limit: 2, size: 3 });
  });

  it("refuses a stated size over the cap without opening, and never reads past the channel's ceiling", async () => {
    const { document, opened } = source([Buffer.from("abcd")], 4);
    await expect(document.read(3)).rejects.toBeInstanceOf(DocumentTooLargeError);
    expect(opened).toEqual([]);
    const big = source([Buffer.from("x")], maxDocumentBytes + 1);
    await expect(big.document.read(maxDocumentBytes * 2)).rejects.toMatchObject({ limit: maxDocumentBytes });
    expect(big.opened).toEqual([]);
  });

  it("cuts off a stream that passes the cap when no size was stated (or the stated one was wrong)", async () => {
    const { document } = source([Buffer.alloc(3), Buffer.alloc(3)], 1);
    await expect(document.read(5)).rejects.toMatchObject({ name: "DocumentTooLargeError", limit: 5, size: undefined });
    await expect(readCapped([Buffer.alloc(5)], 5)).resolves.toHaveLength(5);
  });

  it("turns a platform failure into a DocumentReadError that carries no message text, and may be read again", async () => {
    let fail = true;
    const document = lazyDocument({
      open: async () => {
        if (fail) throw new TypeError("fetch failed: https://api.telegram.org/file/bot123:SECRET/documents/file_1");
        return [Buffer.from("ok")];
      },
    });
    const error = await document.read().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DocumentReadError);
    expect(String((error as Error).message)).not.toContain("SECRET");
    fail = false;
    expect((await document.read()).toString()).toBe("ok");
    expect(document.fileName).toBe("document");
  });
});
