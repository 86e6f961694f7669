/**
 * Shop settings commands: `/markup`, `/product`, `/maintenance`. Changes apply to the catalog
 * and the buyer bot at once and survive restarts (see `settings.ts`).
 */
import { msg, type Msg } from "../core/message.js";
import { formatRupiah } from "../core/money.js";
import { answer, type AdminServices, type CommandHandler } from "./command-context.js";
import { formatDateTime } from "./format.js";
import { formatMarkup, type MarkupTarget } from "./markup.js";

/** `/markup` shows the rules; `/markup <global|provider|code> <value|off>` sets or removes one. */
export const markupCommand: CommandHandler<"markup"> = async ({ set }, { services }) => {
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
};

/** `/product off|on <code>`: hides a product from buyers, or shows it again. */
export const productCommand: CommandHandler<"product"> = async ({ visible, code }, { services }) => {
  const hidden = services.settings.hidden().has(code);
  if (visible) {
    if (!hidden) return answer("not_hidden", msg("admin-product-not-hidden", { code }));
    await services.settings.setVisible(code, true);
    return answer("shown", msg("admin-product-shown", { code }));
  }
  if (hidden) return answer("already_hidden", msg("admin-product-already-hidden", { code }));
  if (!knownProduct(services, code)) return answer("unknown_product", msg("admin-product-unknown", { code }));
  await services.settings.setVisible(code, false);
  return answer("hidden", msg("admin-product-hidden", { code }));
};

/** `/maintenance` shows the state; `on [message]` pauses buying (browsing still works); `off` resumes. */
export const maintenanceCommand: CommandHandler<"maintenance"> = async ({ change }, { services, actor, locale }) => {
  const current = services.settings.maintenance();
  if (change === null) {
    return current
      ? answer("shown", msg("admin-maintenance-status-on", { message: current.message, by: current.by, date: formatDateTime(current.at) }))
      : answer("shown", msg("admin-maintenance-status-off"));
  }
  if (!change.on) {
    if (!current) return answer("already_off", msg("admin-maintenance-status-off"));
    await services.settings.setMaintenance(null);
    return answer("off", msg("admin-maintenance-off"));
  }
  // Buyers see this text as is, so a default is written out now in the shop's language.
  const message = change.message ?? services.translator.render(locale, msg("admin-maintenance-default"));
  await services.settings.setMaintenance({ message, by: actor.id });
  return answer("on", msg("admin-maintenance-on", { message }));
};

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

/** A code the catalog sells now, or one an admin hid (hidden products are not in the view). */
function knownProduct(services: AdminServices, code: string): boolean {
  return services.catalog.view().find(code) !== undefined || services.settings.hidden().has(code);
}
