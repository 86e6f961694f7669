/**
 * Outside text (buyer names, gateway references, provider messages, admin-typed arguments)
 * defanged before it reaches the admin group or the audit log. A line break lets a value forge a
 * whole extra line ("✅ ORD-… paid"); a bidi override turns `ORD-ABC` into something that reads
 * differently from what it is; zero-width and tag characters make two different values look the
 * same or smuggle hidden text. Each such character is shown escaped (`\n`, `\u202E`) instead of
 * dropped, so an owner reading the group can see that someone tried.
 *
 * The escaped form contains none of the escaped characters, so escaping twice changes nothing:
 * text stored escaped can be escaped again on display.
 */
import type { Msg, MsgArg } from "../core/message.js";
import type { Reply } from "../core/reply.js";

/**
 * Control characters (C0, DEL, C1), format characters (bidi embeddings, overrides and isolates,
 * LRM/RLM, zero-width space/joiners, word joiner, BOM, tag characters…), line and paragraph
 * separators, and lone surrogates.
 */
const unsafe = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

const named: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escapeChar(char: string): string {
  const short = named[char];
  if (short) return short;
  const code = char.codePointAt(0)!;
  const hex = code.toString(16).toUpperCase();
  return code > 0xffff ? `\\u{${hex}}` : `\\u${hex.padStart(4, "0")}`;
}

/** `text` with every control, bidi and invisible format character escaped (see the module comment). */
export function sanitizeOutsideText(text: string): string {
  return text.replace(unsafe, (char: string, offset: number) => (isEmojiJoiner(text, char, offset) ? char : escapeChar(char)));
}

const pictograph = /\p{Extended_Pictographic}/u;

/**
 * A zero-width joiner between two pictographs (👨‍👩‍👧, 🏳️‍🌈) only glues one emoji together, and
 * buyers put those in their names; anywhere else it is escaped like the rest.
 */
function isEmojiJoiner(text: string, char: string, offset: number): boolean {
  if (char !== "\u200D") return false;
  const before = [...text.slice(Math.max(0, offset - 3), offset)].filter((c) => c !== "\uFE0F").at(-1);
  const after = [...text.slice(offset + 1, offset + 3)][0];
  return before !== undefined && after !== undefined && pictograph.test(before) && pictograph.test(after);
}

function sanitizeArg(arg: MsgArg): MsgArg {
  if (typeof arg === "string") return sanitizeOutsideText(arg);
  if (typeof arg === "number") return arg;
  return sanitizeMsg(arg);
}

/** A message whose every text argument, nested ones included, is sanitized; keys are ours and stay. */
export function sanitizeMsg(message: Msg): Msg {
  if (!message.args) return message;
  return { key: message.key, args: Object.fromEntries(Object.entries(message.args).map(([name, arg]) => [name, sanitizeArg(arg)])) };
}

function sanitizeText(text: Msg | Msg[]): Msg | Msg[] {
  return Array.isArray(text) ? text.map(sanitizeMsg) : sanitizeMsg(text);
}

/** Replies with every message argument sanitized: for anything posted in the admin group. */
export function sanitizeReplies(replies: readonly Reply[]): Reply[] {
  return replies.map((reply): Reply => {
    switch (reply.kind) {
      case "text":
        return { kind: "text", text: sanitizeText(reply.text) };
      case "photo":
        return { ...reply, caption: sanitizeText(reply.caption) };
      case "document":
        // The file itself is the shop's own (a backup, an export) and goes as it is; the caption is text.
        return reply.caption === undefined ? reply : { ...reply, caption: sanitizeText(reply.caption) };
      case "menu":
        return {
          ...reply,
          title: sanitizeText(reply.title),
          items: reply.items.map((item) => ({ ...item, label: sanitizeMsg(item.label) })),
          ...(reply.notices ? { notices: reply.notices.map(sanitizeMsg) } : {}),
          ...(reply.footer ? { footer: sanitizeMsg(reply.footer) } : {}),
        };
    }
  });
}
