/**
 * How a message is read as an admin command: the prefix (`/`, and `.` on WhatsApp), the name,
 * an optional bot mention, and the arguments text; then the arguments checked by the command's
 * own schema. Nothing here touches state. Every function takes the list of commands, the shop's
 * registry by default.
 *
 * @example
 * const text = readCommand("/paid ORD-ABCD2345", "telegram");   // { name: "paid", args: "ORD-ABCD2345" }
 * const parsed = text && parseCommand(text);                      // { ok: true, command: { name: "paid", id: … }, run }
 */
import type { Channel } from "../../core/inbound.js";
import type { Msg } from "../../core/message.js";
import { parseIntent } from "../../bot/intent.js";
import type { AdminCommand, CommandContext, CommandOutcome, ParsedCommand } from "./command.js";
import { adminCommands } from "./registry.js";

/** A message read as an admin command, before its arguments are checked. */
export interface CommandText {
  name: string;
  /** Everything after the name, trimmed; inner line breaks kept (broadcasts keep their layout). */
  args: string;
  /** The bot named after `@` (Telegram `/help@shop_bot`), if any. */
  mention?: string;
}

/** Longest message looked at, like the buyer side: a huge paste is refused, never parsed. */
const maxCommandLength = 5_000;
const commandPattern = /^([/.])([A-Za-z]+)(?:@(\w+))?(?:\s+([\s\S]*))?$/;

/**
 * Reads `text` as one of `commands`. WhatsApp users also type `.paid …` (a slash opens nothing
 * there, and many bots use dots), so the dot prefix counts on WhatsApp only.
 */
export function readCommand(text: string | undefined, channel: Channel, commands: readonly AdminCommand[] = adminCommands): CommandText | null {
  const trimmed = (text ?? "").trim();
  if (trimmed.length > maxCommandLength) return null;
  const match = commandPattern.exec(trimmed);
  if (!match) return null;
  const [, prefix, rawName, mention, args] = match;
  if (prefix === "." && channel !== "whatsapp") return null;
  const name = rawName!.toLowerCase();
  if (!commands.some((command) => command.name === name)) return null;
  return { name, args: (args ?? "").trim(), ...(mention ? { mention } : {}) };
}

/** A command with checked arguments, ready to run; or the usage line to show. */
export type ParseResult = { ok: true; command: ParsedCommand; run(context: CommandContext): Promise<CommandOutcome> } | { ok: false; usage: Msg };

/** Checks a command's arguments. `text` comes from {@link readCommand} over the same list. */
export function parseCommand(text: CommandText, commands: readonly AdminCommand[] = adminCommands): ParseResult {
  const command = commands.find((candidate) => candidate.name === text.name);
  if (!command) throw new Error(`not an admin command: ${text.name}`);
  const prepared = command.prepare(text.args);
  return prepared ? { ok: true, command: prepared.command, run: prepared.run } : { ok: false, usage: command.usage };
}

/**
 * The names in `commands` that are not also buyer commands (`/help`, `/orders`, `/order`,
 * `/balance` are). Outside the admin group only these draw a refusal; the shared ones belong to
 * the shop there.
 */
export function adminOnlyNames(commands: readonly AdminCommand[]): ReadonlySet<string> {
  return new Set(commands.map((command) => command.name).filter((name) => parseIntent({ text: `/${name}` }).kind === "unknown_command"));
}

/** The registry's admin-only names. */
export const adminOnlyCommands: ReadonlySet<string> = adminOnlyNames(adminCommands);
