/**
 * What a buyer or an admin is shown, found by message key instead of by its copy: a test that
 * waits for `order-paid` keeps its meaning when the wording or the default language changes.
 */
import type { Locale, MsgArg } from "../../src/core/message.js";
import { Translator } from "../../src/i18n/translator.js";

const translator = new Translator();

/** An argument, or a pattern its rendered value must match (a serial number, an order id). */
export type ShownArg = MsgArg | RegExp;

/** The exact text of `key` in `locale` (Indonesian unless told), for labels and whole lines. */
export function phrase(key: string, args?: Record<string, MsgArg>, locale: Locale = "id"): string {
  return translator.t(locale, key, args);
}

/**
 * A pattern matching `key` as rendered in `locale`, somewhere in a message: the given arguments
 * must appear as rendered (or match, when a RegExp), and any argument left out matches any text
 * on the line.
 *
 * @example
 * await buyer.expect(shown("order-paid", { balance: formatRupiah(82_000) }));
 * expect(text).toMatch(shown("delivery-serial", { value: /SBX[0-9A-F]{16}/ }));
 */
export function shown(key: string, args: Record<string, ShownArg> = {}, locale: Locale = "id"): RegExp {
  const plain: Record<string, MsgArg> = {};
  const patterns = new Map<string, string>();
  for (const [name, value] of Object.entries(args)) {
    if (value instanceof RegExp) {
      const sentinel = `\u0000${patterns.size}\u0000`;
      patterns.set(sentinel, `(?:${value.source})`);
      plain[name] = sentinel;
    } else {
      plain[name] = value;
    }
  }
  // A missing argument renders as `{$name}`.
  let source = escape(translator.t(locale, key, plain)).replace(/\\\{\\\$\w+\\\}/g, ".+?");
  for (const [sentinel, pattern] of patterns) source = source.replace(sentinel, pattern);
  return new RegExp(source);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
