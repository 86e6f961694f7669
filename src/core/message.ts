/**
 * What the shop says, before it is put into words: a message key plus its arguments, and the
 * locales it can be rendered in. Rendering lives in `i18n/translator.ts`; every layer below the
 * channels speaks in these.
 */

export const locales = ["id", "en"] as const;
export type Locale = (typeof locales)[number];

/** A message reference: a Fluent key plus its arguments. An argument may itself be a message. */
export interface Msg {
  key: string;
  args?: Record<string, MsgArg>;
}
export type MsgArg = string | number | Msg;

/** Shorthand for building a {@link Msg}. */
export function msg(key: string, args?: Msg["args"]): Msg {
  return args ? { key, args } : { key };
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (locales as readonly string[]).includes(value);
}
