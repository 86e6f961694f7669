/**
 * `/markup` shows the rules; `/markup <global|provider|code> <value|off>` sets or removes one.
 * Changes apply to the catalog at once and survive restarts (see `settings.ts`).
 */
import { z } from "zod";
import { msg, type Msg } from "../../core/message.js";
import { formatRupiah } from "../../core/money.js";
import { providerIds } from "../../providers/types.js";
import { formatMarkup, markupSchema, parseMarkupValue, type MarkupTarget } from "../markup.js";
import { answer } from "./answer.js";
import { keyword, productCode, words } from "./args.js";
import { defineAdminCommand } from "./command.js";
import type { AdminServices } from "./context.js";
import { knownProduct } from "./known-product.js";

const markupTarget = z.string().transform((text, ctx): MarkupTarget => {
  const lower = text.toLowerCase();
  if (lower === "global") return { level: "global" };
  const asProvider = z.enum(providerIds).safeParse(lower);
  if (asProvider.success) return { level: "provider", provider: asProvider.data };
  const asCode = productCode.safeParse(text);
  if (asCode.success) return { level: "product", code: asCode.data };
  ctx.addIssue({ code: "custom", message: "not a markup target" });
  return z.NEVER;
});
/** A markup, or null for `off` (remove the rule so the next less specific one applies). */
const markupValue = z.union([
  keyword.pipe(z.literal("off")).transform(() => null),
  z
    .string()
    .transform((text) => parseMarkupValue(text))
    .pipe(markupSchema),
]);

export const markupCommand = defineAdminCommand({
  name: "markup",
  args: words
    .pipe(z.union([z.tuple([]), z.tuple([markupTarget, z.string().pipe(markupValue)])]))
    .refine((parts) => parts.length === 0 || parts[0].level !== "global" || parts[1] !== null, { message: "the global markup cannot be removed" })
    .transform((parts) => (parts.length === 0 ? { set: null } : { set: { target: parts[0], markup: parts[1] } })),
  usage: msg("admin-usage-markup"),
  run: async ({ set }, { services }) => {
    if (set === null) return answer("shown", ...markupLines(services));
    const { target, markup } = set;
    if (target.level === "provider" && !services.providers.has(target.provider)) {
      return answer("unknown_provider", msg("admin-provider-unknown", { provider: target.provider }));
    }
    if (target.level === "product" && !knownProduct(services, target.code)) {
      return answer("unknown_product", msg("admin-product-unknown", { code: target.code }));
    }
    await services.settings.setMarkup(target, markup);
    const label = targetLabel(target);
    const lines: Msg[] = [markup === null ? msg("admin-markup-removed", { target: label }) : msg("admin-markup-set", { target: label, value: formatMarkup(markup) })];
    const item = target.level === "product" ? services.catalog.view().find(target.code) : undefined;
    if (item) lines.push(msg("admin-markup-example", { code: item.code, cost: formatRupiah(item.cost), price: formatRupiah(item.price) }));
    return answer(markup === null ? "removed" : "set", ...lines);
  },
});

function markupLines(services: AdminServices): Msg[] {
  const rules = services.settings.markupRules();
  return [
    msg("admin-markup-title"),
    msg("admin-markup-line", { target: targetLabel({ level: "global" }), value: formatMarkup(rules.global) }),
    ...Object.entries(rules.providers).map(([provider, markup]) => msg("admin-markup-line", { target: msg("admin-markup-target-provider", { provider }), value: formatMarkup(markup) })),
    ...Object.entries(rules.products).map(([code, markup]) => msg("admin-markup-line", { target: msg("admin-markup-target-product", { code }), value: formatMarkup(markup) })),
  ];
}

function targetLabel(target: MarkupTarget): Msg {
  switch (target.level) {
    case "global":
      return msg("admin-markup-target-global");
    case "provider":
      return msg("admin-markup-target-provider", { provider: target.provider });
    case "product":
      return msg("admin-markup-target-product", { code: target.code });
  }
}
