/**
 * The console chat: you are the buyer, in a terminal. Interactive with a prompt when standard
 * input is a terminal; with piped input it reads the lines in order, prints every reply, waits
 * for orders still being fulfilled, and exits at end of input, so
 * `printf '/start\n1\n' | npm start` is a scriptable demo.
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Translator } from "../../i18n/translator.js";
import type { Locale } from "../../core/message.js";
import type { Inbound, InboundHandler } from "../../core/inbound.js";
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
      this.output.write(`\n${indent(text)}\n`);
    }
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
      const inbound: Inbound = { channel: "console", chatId, userId: chatId, isGroup: false, text };
      const answer = await handlers.handle(inbound);
      await this.send(chatId, answer.replies, answer.locale);
      prompt();
    }
    lines.close();
    if (!interactive) await handlers.settled?.();
    this.output.write(`\n${translator.t(locale, "console-bye")}\n`);
  }
}

/** Bot lines are indented so they stand apart from what you typed. */
function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");
}
