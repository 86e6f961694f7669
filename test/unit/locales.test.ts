import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buyerCommands } from "../../src/bot/intent.js";
import { paymentMethodIds } from "../../src/payments/methods/registry.js";
import { inputKinds } from "../../src/providers/inputs.js";
import { orderStatuses } from "../../src/commerce/orders.js";
import { voucherRefusals } from "../../src/commerce/vouchers.js";
import { Translator, readLocaleSource } from "../../src/i18n/translator.js";
import { locales, type Locale } from "../../src/core/message.js";
import { providerErrorCodes } from "../../src/providers/errors.js";
import { categoryIds, type DeliveryItem } from "../../src/providers/types.js";

const translator = new Translator("id");
const srcDir = fileURLToPath(new URL("../../src/", import.meta.url));

/** Message ids as written in a .ftl file (`key =` at the start of a line; terms start with `-`). */
function declaredKeys(locale: Locale): string[] {
  return [...readLocaleSource(locale).matchAll(/^([a-zA-Z][\w-]*)[ \t]*=/gm)].map((match) => match[1]!);
}

/** The `$variables` a message's source text refers to, per key. */
function variablesByKey(locale: Locale): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>();
  let current: string | undefined;
  for (const line of readLocaleSource(locale).split("\n")) {
    const start = /^([a-zA-Z][\w-]*)[ \t]*=/.exec(line);
    if (start) {
      current = start[1]!;
      result.set(current, new Set());
    } else if (!/^\s/.test(line)) {
      current = undefined;
    }
    if (current) for (const match of line.matchAll(/\$([a-zA-Z][\w-]*)/g)) result.get(current)!.add(match[1]!);
  }
  return result;
}

// Every label a DeliveryItem can carry; the type check below fails when one is added to the type.
const deliveryLabels = ["serial", "email", "password", "username", "url", "ip", "note", "plan", "expires", "invoice"] as const satisfies readonly DeliveryItem["label"][];
type MissingDeliveryLabel = Exclude<DeliveryItem["label"], (typeof deliveryLabels)[number]>;
const deliveryLabelsComplete: [MissingDeliveryLabel] extends [never] ? true : false = true;

/** What each `msg(\`prefix-${…}\`)` template in the code can expand to. */
const templateExpansions: Record<string, readonly string[]> = {
  "category-": categoryIds,
  "input-prompt-": inputKinds,
  "pay-method-": paymentMethodIds,
  "status-": orderStatuses,
  "delivery-": deliveryLabels,
  "provider-error-": [...providerErrorCodes, "failed"],
  "cmd-": buyerCommands,
  "vps-action-": ["status", "start", "shutdown", "restart", "stop", "reset_password", "reinstall"],
  "voucher-refused-": voucherRefusals,
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

interface CodeKeys {
  literal: Map<string, string>;
  templates: Map<string, string>;
  dynamic: string[];
}

/**
 * The message keys the code refers to: the first argument of `msg(…)` and the second of
 * `translator.t(locale, …)`. A literal is a key; a conditional or `??` contributes the literals
 * it can choose between; a template contributes its prefix. Anything else is listed as dynamic.
 */
function keysUsedInCode(): CodeKeys {
  const found: CodeKeys = { literal: new Map(), templates: new Map(), dynamic: [] };
  for (const file of sourceFiles(srcDir)) {
    const relative = file.slice(srcDir.length);
    if (relative === "core/message.ts" || relative === "i18n/translator.ts") continue; // define msg() and t(); their `key` parameters are not uses
    const source = readFileSync(file, "utf8");
    const calls = [...source.matchAll(/\bmsg\(\s*([^,)]*)/g), ...source.matchAll(/\.t\(\s*\w+\s*,\s*([^,)]*)/g)];
    for (const [, rawArg] of calls) {
      const arg = rawArg!.trim();
      const template = /^`([a-z][\w-]*-)\$\{[^}]+\}`$/.exec(arg);
      if (template) {
        found.templates.set(template[1]!, relative);
        continue;
      }
      // In `cond === "x" ? "a" : "b"` and `value ?? "a"`, only the literals after the last `?` are keys.
      const choices = arg.includes("?") ? arg.slice(arg.lastIndexOf("?") + 1) : arg;
      const literals = [...choices.matchAll(/"([^"]+)"/g)].map((match) => match[1]!);
      if (literals.length === 0) found.dynamic.push(`${relative}: msg(${arg})`);
      for (const key of literals) found.literal.set(key, relative);
    }
  }
  return found;
}

/** The input error keys the target parser can hand to `msg(parsed.reason)`. */
function inputErrorKeys(): string[] {
  const source = readFileSync(join(srcDir, "providers/inputs.ts"), "utf8");
  return [...new Set([...source.matchAll(/"(input-error-[\w-]+)"/g)].map((match) => match[1]!))];
}

describe("locale files", () => {
  it("declare the same keys in id and en", () => {
    const id = declaredKeys("id");
    const en = declaredKeys("en");
    expect(id.length).toBeGreaterThan(50);
    expect(en.filter((key) => !id.includes(key)), "in en.ftl only").toEqual([]);
    expect(id.filter((key) => !en.includes(key)), "in id.ftl only").toEqual([]);
  });

  it("declare no key twice", () => {
    for (const locale of locales) {
      const keys = declaredKeys(locale);
      expect(keys.filter((key, index) => keys.indexOf(key) !== index), locale).toEqual([]);
    }
  });

  // Fluent drops an entry with a syntax error as "junk" without an error from addResource, so a
  // broken message only shows up as a missing one.
  it.each(locales)("%s.ftl: every declared message actually parsed", (locale) => {
    const keys = declaredKeys(locale);
    expect(keys.filter((key) => !translator.has(locale, key))).toEqual([]);
  });

  it("use the same variables in both languages", () => {
    const id = variablesByKey("id");
    const en = variablesByKey("en");
    for (const [key, variables] of id) expect([...(en.get(key) ?? [])].sort(), key).toEqual([...variables].sort());
  });

  it.each(locales)("%s: every message renders with its arguments, leaving no raw { or $", (locale) => {
    for (const [key, variables] of variablesByKey(locale)) {
      // `sandbox` selects the [SANDBOX] variant; any other value falls through to the default.
      const args = Object.fromEntries([...variables].map((name) => [name, name === "sandbox" ? "sandbox" : `<${name}>`]));
      const text = translator.t(locale, key, args);
      expect(text, key).not.toBe(key);
      expect(text, key).not.toMatch(/[{}$]/);
      for (const name of variables) if (name !== "sandbox") expect(text, `${key} shows $${name}`).toContain(`<${name}>`);
    }
  });

  it("mark sandbox products in both variants of a menu line", () => {
    for (const locale of locales) {
      expect(translator.t(locale, "menu-product", { name: "X", price: "Rp 1", sandbox: "sandbox" })).toBe("X — Rp 1 [SANDBOX]");
      expect(translator.t(locale, "menu-product", { name: "X", price: "Rp 1", sandbox: "real" })).toBe("X — Rp 1");
    }
  });

  it("render a message given as an argument in the same locale", () => {
    expect(translator.render("id", { key: "menu-category", args: { category: { key: "category-game" }, count: 3 } })).toBe("🎮 Top-up game (3)");
    expect(translator.render("en", { key: "menu-category", args: { category: { key: "category-game" }, count: 3 } })).toBe("🎮 Game top-ups (3)");
  });
});

describe("message keys used by the code", () => {
  const used = keysUsedInCode();

  it("finds the keys (sanity check of the scan itself)", () => {
    expect(used.literal.size).toBeGreaterThan(40);
    expect(["bot/checkout.ts", "providers/aluy/my-vps.ts"]).toContain(used.literal.get("menu-expired"));
    expect(used.literal.get("console-intro")).toBe("channels/console/console-channel.ts");
    expect(used.literal.has("product-provider-down")).toBe(true);
    expect(used.literal.has("product-out-of-stock")).toBe(true);
    expect(used.literal.has("provider_down")).toBe(false);
    expect([...used.templates.keys()]).toEqual(expect.arrayContaining(["category-", "input-prompt-", "pay-method-", "status-", "delivery-", "cmd-"]));
    expect(deliveryLabelsComplete).toBe(true);
  });

  it("every literal key exists in both locales", () => {
    for (const locale of locales) {
      const missing = [...used.literal].filter(([key]) => !translator.has(locale, key)).map(([key, file]) => `${key} (${file})`);
      expect(missing, `missing in ${locale}.ftl`).toEqual([]);
    }
  });

  it("every template prefix is one this test knows how to expand", () => {
    const unknown = [...used.templates].filter(([prefix]) => !(prefix in templateExpansions)).map(([prefix, file]) => `${prefix}\${…} (${file})`);
    expect(unknown, "add the new template's expansions to templateExpansions").toEqual([]);
  });

  it("every expansion of every template exists in both locales", () => {
    for (const locale of locales) {
      const missing = Object.entries(templateExpansions)
        .flatMap(([prefix, values]) => values.map((value) => `${prefix}${value}`))
        .filter((key) => !translator.has(locale, key));
      expect(missing, `missing in ${locale}.ftl`).toEqual([]);
    }
  });

  it("the only computed key is the input parser's reason, and each reason exists", () => {
    expect(used.dynamic).toEqual(["bot/checkout.ts: msg(parsed.reason)"]);
    const reasons = inputErrorKeys();
    expect(reasons).toEqual(expect.arrayContaining(["input-error-phone", "input-error-generic", "input-error-too-long"]));
    for (const locale of locales) expect(reasons.filter((key) => !translator.has(locale, key)), locale).toEqual([]);
  });
});
