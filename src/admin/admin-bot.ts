/**
 * The admin side of the bot, channel-neutral: a group message in, an answer (or nothing) out.
 *
 *   group message → admin command? → typed by the sender? → authorised? → arguments valid? → handler → audit → reply
 *
 * Anything that is not an admin command is ignored (groups are not for shopping). A forwarded
 * command never runs: the text is someone else's (a buyer's "/credit …" forwarded by an admin
 * must not move money); an admin is told so, anyone else is ignored. An admin command from a
 * stranger in the admin group gets a short refusal — never data, never an effect — and is
 * audited. In other groups names the buyer side also uses (`/help`, `/orders`…) are left alone,
 * and admin-only ones are refused at most once a minute per group and counted, not audited (see
 * `foreign-refusals.ts`). Every command an admin runs is audited with its result. Everything
 * answered is sanitized: arguments come from outside. Handlers never throw to the channel: a
 * failure becomes a short error reply.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { msg, type Locale } from "../core/message.js";
import type { Answer, Inbound } from "../core/inbound.js";
import { textReply } from "../core/reply.js";
import type { AdminAccess } from "./access.js";
import type { AuditLog } from "./audit-log.js";
import type { ForeignRefusals } from "./foreign-refusals.js";
import { sanitizeReplies } from "./sanitize.js";
import type { AdminCommand, CommandContext, CommandOutcome, PreparedCommand } from "./commands/command.js";
import type { Actor, AdminServices } from "./commands/context.js";
import { adminOnlyNames, parseCommand, readCommand, type CommandText } from "./commands/read.js";
import { adminCommands } from "./commands/registry.js";

/** What the admin bot needs: who may act, the shop's services, and where to audit. */
export interface AdminBotDeps {
  access: AdminAccess;
  services: AdminServices;
  audit: Pick<AuditLog, "record">;
  /** Refusals outside the admin group: counted, and answered at most once a minute per group. */
  foreignRefusals: Pick<ForeignRefusals, "shouldAnswer">;
  /** The admin group's locale (the shop's default). */
  locale: Locale;
  logger: Logger;
  /** The bot's own @username on Telegram, once known: `/help@other_bot` is not for us. */
  botUsername?: () => string | null;
  /** Settled once settings are loaded; commands wait for it so they never act on defaults. */
  ready?: Promise<void>;
  /** The commands answered, in help order; the shop's registry unless a test brings its own list. */
  commands?: readonly AdminCommand[];
}

/** Answers group messages that are admin commands. */
export class AdminBot {
  private readonly commands: readonly AdminCommand[];
  private readonly adminOnly: ReadonlySet<string>;

  constructor(private readonly deps: AdminBotDeps) {
    this.commands = deps.commands ?? adminCommands;
    this.adminOnly = adminOnlyNames(this.commands);
  }

  /** Answers a group message; null when it is not ours to answer. Never throws. */
  async handle(inbound: Inbound): Promise<Answer | null> {
    try {
      const answer = await this.answer(inbound);
      return answer && { locale: answer.locale, replies: sanitizeReplies(answer.replies) };
    } catch (error) {
      this.deps.logger.error({ err: error }, "could not handle an admin message");
      return this.reply(msg("admin-error"));
    }
  }

  private async answer(inbound: Inbound): Promise<Answer | null> {
    const text = readCommand(inbound.text, inbound.channel, this.commands);
    if (!text || !this.addressedToUs(text)) return null;
    const actor = actorOf(inbound);
    const standing = this.deps.access.standing(inbound);
    if (inbound.forwarded) {
      if (standing !== "admin") return null;
      await this.audit(actor, text, "forwarded");
      return this.reply(msg("admin-forwarded-ignored"));
    }
    if (standing === "elsewhere") {
      // Outside the admin group the shared names are the shop's; only admin-only ones get an answer.
      if (!this.adminOnly.has(text.name)) return null;
      return (await this.deps.foreignRefusals.shouldAnswer(inbound.channel, inbound.chatId)) ? this.reply(msg("admin-refused")) : null;
    }
    if (standing === "stranger") {
      await this.audit(actor, text, "refused");
      return this.reply(msg("admin-refused"));
    }
    const parsed = parseCommand(text, this.commands);
    if (!parsed.ok) {
      await this.audit(actor, text, "invalid");
      return this.reply(msg("admin-usage-invalid", { usage: parsed.usage }));
    }
    const outcome = await this.run(parsed, {
      services: this.deps.services,
      actor,
      locale: this.deps.locale,
      commands: this.commands,
      ...(inbound.document ? { document: inbound.document } : {}),
    });
    await this.audit(actor, text, outcome.result);
    return { locale: this.deps.locale, replies: outcome.replies };
  }

  private async run({ command, run }: PreparedCommand, context: CommandContext): Promise<CommandOutcome> {
    try {
      await this.deps.ready;
      return await run(context);
    } catch (error) {
      this.deps.logger.error({ command: command.name, err: error }, "admin command failed");
      return { replies: [textReply(msg("admin-error"))], result: "error" };
    }
  }

  private addressedToUs(text: CommandText): boolean {
    if (!text.mention) return true;
    const ours = this.deps.botUsername?.() ?? null;
    return ours === null || ours.toLowerCase() === text.mention.toLowerCase();
  }

  private reply(...lines: Parameters<typeof textReply>): Answer {
    return { locale: this.deps.locale, replies: [textReply(...lines)] };
  }

  /** Records an action; a failing audit write is logged, never allowed to hide the answer. */
  private async audit(actor: Actor, text: CommandText, result: string): Promise<void> {
    try {
      const command = this.commands.find((candidate) => candidate.name === text.name);
      const args = command?.auditArgs ? command.auditArgs(text.args) : text.args;
      await this.deps.audit.record({ by: actor.id, ...(actor.name ? { name: actor.name } : {}), chat: actor.chat, command: text.name, args, result });
    } catch (error) {
      this.deps.logger.error({ command: text.name, err: error }, "could not write the admin audit log");
    }
  }
}

function actorOf(inbound: Inbound): Actor {
  return {
    id: `${inbound.channel}:${inbound.userId}`,
    ...(inbound.displayName ? { name: inbound.displayName } : {}),
    chat: `${inbound.channel}:${inbound.chatId}`,
    messageKey: `${inbound.channel}:${inbound.chatId}:${inbound.messageId ?? randomUUID()}`,
  };
}
