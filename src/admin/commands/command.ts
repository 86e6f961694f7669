/**
 * The contract of an admin command: its name, a zod schema that turns the text after the name
 * into typed arguments (or fails, and the usage line is shown), that usage line, and the handler.
 * What a message must look like to be a command, who may run it, auditing and the error reply
 * are the admin bot's; a command only says what it means and what it does.
 *
 * Adding a command is one file `admin/commands/<name>.ts`, one line in `admin/commands/registry.ts`
 * (its place there is its place in `/help`), and its strings (at least `admin-usage-<name>`) in
 * both locale files.
 *
 * @example
 * // admin/commands/retry.ts, trimmed
 * export const retryCommand = defineAdminCommand({
 *   name: "retry",
 *   args: words.pipe(z.tuple([orderId])).transform(([id]) => ({ id })),
 *   usage: msg("admin-usage-retry"),
 *   run: async ({ id }, { services, actor }) => {
 *     const result = await services.operations.retry(id, actor.id);
 *     return answer(result.kind, msg("admin-retry-queued", { order: id }));
 *   },
 * });
 */
import type { z } from "zod";
import type { InboundDocument } from "../../core/document.js";
import type { Locale, Msg } from "../../core/message.js";
import type { Reply } from "../../core/reply.js";
import type { Actor, AdminServices } from "./context.js";

/** Everything a handler gets for one command. */
export interface CommandContext {
  services: AdminServices;
  actor: Actor;
  /** The admin group's locale. */
  locale: Locale;
  /** The commands this bot answers, in help order (what `/help` lists). */
  commands: readonly AdminCommand[];
  /**
   * The document the command was sent with (its caption was the command), e.g. a stock list for
   * `/stock add`. Bytes are downloaded only on `read()`, under a cap; its name is outside text.
   */
  document?: InboundDocument;
}

/**
 * A handler's answer: what to reply, and a short machine word for the audit log. Replies may be
 * documents (a backup, an export); the admin bot sanitizes their captions like any text.
 */
export interface CommandOutcome {
  replies: Reply[];
  result: string;
}

/** One admin command as its file writes it; `Args` is inferred from the schema. */
export interface AdminCommandDefinition<Args extends object> {
  /** Lower-case ASCII letters, typed after `/` (or `.` on WhatsApp); English on every channel. */
  readonly name: string;
  /** The text after the name (trimmed, inner line breaks kept) to typed arguments; failing shows `usage`. */
  readonly args: z.ZodType<Args, string>;
  /** One line, `admin-usage-<name>`: shown in `/help` and after invalid arguments. */
  readonly usage: Msg;
  /** Does the work. May throw: the admin bot logs it and answers with a short error. */
  run(args: Args, context: CommandContext): Promise<CommandOutcome>;
  /**
   * The arguments as the audit log keeps them, for a command whose arguments carry a secret
   * (delivered credentials): by default they are kept as typed.
   */
  auditArgs?(args: string): string;
}

/** A command as it is read: its name and typed arguments. */
export interface ParsedCommand {
  readonly name: string;
}

/** Checked arguments bound to their handler, ready to run. */
export interface PreparedCommand {
  readonly command: ParsedCommand;
  run(context: CommandContext): Promise<CommandOutcome>;
}

/** A command as the registry holds it: its argument type hidden behind `prepare`. */
export interface AdminCommand {
  readonly name: string;
  readonly usage: Msg;
  /** Checks the arguments text: the command ready to run, or null when they do not fit. */
  prepare(args: string): PreparedCommand | null;
  /** See {@link AdminCommandDefinition.auditArgs}. */
  auditArgs?(args: string): string;
}

/**
 * Registers a command definition; its argument type is inferred from the schema and stays inside.
 * Throws at start-up on a name the command reader could never match.
 */
export function defineAdminCommand<Args extends object>(definition: AdminCommandDefinition<Args>): AdminCommand {
  if (!/^[a-z]+$/.test(definition.name)) throw new Error(`admin command name must be lower-case letters: ${definition.name}`);
  return {
    name: definition.name,
    usage: definition.usage,
    ...(definition.auditArgs ? { auditArgs: definition.auditArgs } : {}),
    prepare(text) {
      const parsed = definition.args.safeParse(text);
      if (!parsed.success) return null;
      const args = parsed.data;
      return { command: { ...args, name: definition.name }, run: (context) => definition.run(args, context) };
    },
  };
}
