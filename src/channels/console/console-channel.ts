/**
 * The console chat: you are the buyer, in a terminal. Interactive with a prompt when standard
 * input is a terminal; with piped input it reads the lines in order, prints every reply, waits
 * for orders still being fulfilled, and exits at end of input, so
 * `printf '/start\n1\n' | npm start` is a scriptable demo.
 *
 * Files: a document the bot sends is written under `CONSOLE_FILES_DIR` (or the system temp dir)
 * and its path printed; `/file <path> <caption…>` sends a file from disk as a document with the
 * caption as text (the path may not contain spaces).
 */
import { createReadStream, mkdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { createInterface } from "node:readline";
import type { Translator } from "../../i18n/translator.js";
import type { Locale } from "../../core/message.js";
import type { Inbound, InboundHandler } from "../../core/inbound.js";
import { lazyDocument, type InboundDocument } from "../../core/document.js";
import { msg } from "../../core/message.js";
import type { ChannelSender } from "../../core/outbox.js";
import type { Reply } from "../../core/reply.js";
import { renderText } from "../render.js";

export interface ConsoleChannelOptions {
  translator: Translator;
  locale: Locale;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  /** True when the input is a person at a terminal. */
  interactive?: boolean;
  /** Where documents the bot sends are written (created if missing); default: the system temp dir. */
  filesDir?: string;
}

/** What the console chat talks to. */
export interface ConsoleHandlers {
  handle: InboundHandler;
  /** Resolves when nothing is left in flight for the console buyer (checked at end of piped input). */
  settled?: () => Promise<void>;
}

const chatId = "local";

export class ConsoleChannel implements ChannelSender {
  readonly channel = "console" as const;
  private readonly output: NodeJS.WritableStream;
  private photoCount = 0;
  private documentCount = 0;

  constructor(private readonly options: ConsoleChannelOptions) {
    this.output = options.output ?? process.stdout;
  }

  async send(_chatId: string, replies: Reply[], locale: Locale): Promise<void> {
    for (const reply of replies) {
      let text = renderText(this.options.translator, locale, reply);
      if (reply.kind === "photo") {
        const file = join(tmpdir(), `warung-bot-${process.pid}-${++this.photoCount}.png`);
        writeFileSync(file, reply.png);
        text = `[QR image: ${file}]\n${text}`;
      }
      if (reply.kind === "document") {
        const file = this.saveDocument(reply.fileName, reply.bytes);
        const saved = this.options.translator.render(locale, msg("console-document-saved", { name: reply.fileName, path: file }));
        text = text.length > 0 ? `${saved}\n${text}` : saved;
      }
      this.output.write(`\n${indent(text)}\n`);
    }
  }

  /** Writes a sent document to the files dir under a unique name; returns its path. */
  private saveDocument(fileName: string, bytes: Buffer): string {
    const dir = this.options.filesDir ?? tmpdir();
    mkdirSync(dir, { recursive: true });
    // Only the name's safe characters: it comes from the reply, and must not climb out of the dir.
    const safe = basename(fileName).replace(/[^\w.-]/g, "_").replace(/^\.+/, "") || "document";
    const file = join(dir, `warung-bot-${process.pid}-${++this.documentCount}-${safe}`);
    writeFileSync(file, bytes);
    return file;
  }

  /** Runs the chat until `/quit` or end of input. */
  async run(handlers: ConsoleHandlers): Promise<void> {
    const { translator, locale } = this.options;
    const interactive = this.options.interactive ?? Boolean((process.stdin as { isTTY?: boolean }).isTTY);
    this.output.write(`${translator.t(locale, "console-intro")}\n`);
    const lines = createInterface({ input: this.options.input ?? process.stdin, terminal: interactive });
    const prompt = () => interactive && this.output.write("\n> ");
    prompt();
    for await (const line of lines) {
      const text = line.trim();
      if (text === "/quit" || text === "/exit") break;
      if (!interactive) this.output.write(`\n> ${text}\n`);
      const inbound: Inbound = { channel: "console", chatId, userId: chatId, isGroup: false, ...fileCommand(text) };
      const answer = await handlers.handle(inbound);
      await this.send(chatId, answer.replies, answer.locale);
      prompt();
    }
    lines.close();
    if (!interactive) await handlers.settled?.();
    this.output.write(`\n${translator.t(locale, "console-bye")}\n`);
  }
}

/**
 * A typed line as the inbound's text, or `/file <path> <caption…>` as a document from disk with
 * the caption as text. Nothing is read until a handler asks; a missing file fails that read.
 */
function fileCommand(text: string): Pick<Inbound, "text" | "document"> {
  const match = /^\/file\s+(\S+)(?:\s+([\s\S]*))?$/.exec(text);
  if (!match) return { text };
  const path = match[1]!;
  const caption = match[2]?.trim();
  return { ...(caption ? { text: caption } : {}), document: diskDocument(path) };
}

function diskDocument(path: string): InboundDocument {
  let size: number | undefined;
  try {
    size = statSync(path).size;
  } catch {
    size = undefined; // reported when read: the open below fails the same way
  }
  return lazyDocument({ fileName: basename(path), size, open: async () => createReadStream(path) });
}

/** Bot lines are indented so they stand apart from what you typed. */
function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");
}
