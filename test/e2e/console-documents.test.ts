/**
 * Documents in the console chat: a document the bot sends is written under the files dir with a
 * name that cannot leave it, and its path printed with the caption; `/file <path> <caption…>`
 * hands a file from disk to the handler as a document with the caption as text.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { consoleModule } from "../../src/channels/console/module.js";
import { DocumentReadError } from "../../src/core/document.js";
import type { Inbound } from "../../src/core/inbound.js";
import { msg } from "../../src/core/message.js";
import { documentReply } from "../../src/core/reply.js";
import { Translator } from "../../src/i18n/translator.js";
import { phrase } from "../helpers/shown.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "console-docs-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function chat(filesDir: string) {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = "";
  output.on("data", (chunk: Buffer) => (printed += chunk.toString()));
  const module = consoleModule({ translator: new Translator("id"), locale: "id", input, output, interactive: false, filesDir });
  return { input, module, printed: () => printed };
}

describe("documents in the console chat", () => {
  it("writes a sent document under the files dir, name kept inside it, and prints where", async () => {
    const files = join(dir, "out");
    const { module, printed } = chat(files);
    await module.sender.send("local", [documentReply("../../etc/passwd", Buffer.from("data"), "text/plain", msg("order-not-found", { order: "ORD-C" }))], "id");
    const [name] = readdirSync(files);
    expect(name).toMatch(/-passwd$/);
    expect(readFileSync(join(files, name!), "utf8")).toBe("data");
    expect(printed()).toContain(phrase("console-document-saved", { name: "../../etc/passwd", path: join(files, name!) }));
    expect(printed()).toContain(phrase("order-not-found", { order: "ORD-C" }));
  });

  it("/file hands a file from disk to the handler as a document with the caption as text", async () => {
    const stock = join(dir, "stock.txt");
    writeFileSync(stock, "A\nB\n");
    const { input, module } = chat(dir);
    const seen: { inbound: Inbound; bytes?: string; error?: unknown }[] = [];
    await module.start({
      handle: async (inbound) => {
        const record: (typeof seen)[number] = { inbound };
        seen.push(record);
        await inbound.document?.read().then(
          (bytes) => (record.bytes = bytes.toString()),
          (error: unknown) => (record.error = error),
        );
        return { locale: "id", replies: [] };
      },
      handleGroup: async () => null,
    });
    input.end(`/file ${stock} /stock add ML86\n/file ${join(dir, "missing.txt")}\nhalo\n`);
    await module.ended;
    expect(seen[0]?.inbound).toMatchObject({ text: "/stock add ML86", document: { fileName: "stock.txt", size: 4 } });
    expect(seen[0]?.bytes).toBe("A\nB\n");
    expect(seen[1]?.inbound.text).toBeUndefined();
    expect(seen[1]?.error).toBeInstanceOf(DocumentReadError);
    expect(seen[2]?.inbound).toEqual({ channel: "console", chatId: "local", userId: "local", isGroup: false, text: "halo" });
    expect(existsSync(join(dir, "missing.txt"))).toBe(false);
  });
});
