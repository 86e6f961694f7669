/**
 * User-facing text. Every string a buyer or admin sees lives in `locales/<locale>.ftl` (Fluent);
 * code refers to messages by key. Indonesian is the default, English the second language.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { FluentBundle, FluentResource, type FluentVariable } from "@fluent/bundle";
import { locales, type Locale, type Msg } from "../core/message.js";

const localesDir = fileURLToPath(new URL("../../locales/", import.meta.url));

/** Reads a locale's `.ftl` file. */
export function readLocaleSource(locale: Locale): string {
  return readFileSync(`${localesDir}${locale}.ftl`, "utf8");
}

/** Renders messages in every locale. Unknown keys fall back to the default locale, then to the key. */
export class Translator {
  private readonly bundles = new Map<Locale, FluentBundle>();

  /**
   * @param onFormatError told when a message rendered with errors (a missing argument shows as
   *   `{$name}`), so the bug gets noticed; given the key and Fluent's errors, never the arguments,
   *   which may hold a buyer's login.
   */
  constructor(
    readonly defaultLocale: Locale = "id",
    private readonly onFormatError?: (key: string, errors: readonly Error[]) => void,
  ) {
    for (const locale of locales) {
      // Isolation marks would wrap every placeable in invisible characters that break copy-paste
      // of order ids and serial numbers in chat apps.
      const bundle = new FluentBundle(locale, { useIsolating: false });
      const errors = bundle.addResource(new FluentResource(readLocaleSource(locale)));
      if (errors.length > 0) throw new Error(`locales/${locale}.ftl: ${errors.map(String).join("; ")}`);
      this.bundles.set(locale, bundle);
    }
  }

  /** The text of `key` in `locale`; arguments that are messages are rendered first. */
  t(locale: Locale, key: string, args?: Msg["args"]): string {
    let resolved: Record<string, FluentVariable> | undefined;
    if (args) {
      resolved = {};
      for (const [name, value] of Object.entries(args)) {
        resolved[name] = typeof value === "object" ? this.render(locale, value) : value;
      }
    }
    for (const candidate of [locale, this.defaultLocale]) {
      const bundle = this.bundles.get(candidate);
      const message = bundle?.getMessage(key);
      // Collecting errors (instead of letting Fluent throw) renders a missing argument as `{$name}`:
      // a slightly odd message is better than a buyer getting no answer at all.
      if (!bundle || !message?.value) continue;
      const errors: Error[] = [];
      const text = bundle.formatPattern(message.value, resolved, errors);
      if (errors.length > 0) this.onFormatError?.(key, errors);
      return text;
    }
    return key;
  }

  /** Renders a {@link Msg}. */
  render(locale: Locale, message: Msg): string {
    return this.t(locale, message.key, message.args);
  }

  /** True when the locale has the key (for tests and checks). */
  has(locale: Locale, key: string): boolean {
    return Boolean(this.bundles.get(locale)?.hasMessage(key));
  }
}
