/**
 * The checkout as a pure step function:
 *
 *   main menu (categories) → group → product → target input → confirm → payment → effect
 *
 * `checkoutStep(session, intent, facts)` returns the next session, the replies, and at most one
 * effect for the edge to carry out (place an order, run an info command). No I/O happens here,
 * so every path is testable with plain values.
 */
import { msg, type Msg } from "../core/message.js";
import type { CatalogItem, CatalogView } from "../commerce/catalog.js";
import { chosenOs, describeInputs, orderUnits, osChoicesOf, parseTargetInput, type TargetInputs } from "../providers/inputs.js";
import { formatRupiah, type Rupiah } from "../core/money.js";
import type { CategoryId } from "../providers/types.js";
import type { Intent } from "./intent.js";
import type { MenuItem, Reply } from "../core/reply.js";
import type { MenuCommand, MenuEntry, PaymentMethod, Session, Step } from "./session.js";

/** Products per page of a product menu. */
export const pageSize = 8;

/** What the step function needs to know about the world. */
export interface CheckoutFacts {
  catalog: CatalogView;
  /** Payment methods offered for a product, in display order. */
  paymentMethods: (item: CatalogItem) => PaymentMethod[];
  /** The buyer's wallet balance, when the caller loaded it (shown in the payment menu). */
  walletBalance?: Rupiah;
  /** When set, buying is paused and this is the owner's message to buyers. */
  buyingPaused?: string | null;
  shopName: string;
}

/** Something the edge must do after the step. */
export type CheckoutEffect =
  | { type: "place_order"; code: string; inputs: TargetInputs; method: PaymentMethod; price: Rupiah; quantity?: number }
  | { type: "command"; command: MenuCommand }
  /** The buyer asked to be told when a sold-out product is back. */
  | { type: "notify_restock"; code: string };

export interface StepResult {
  session: Session;
  replies: Reply[];
  effect?: CheckoutEffect;
}

/** Advances the checkout by one buyer intent. */
export function checkoutStep(session: Session, intent: Intent, facts: CheckoutFacts): StepResult {
  switch (intent.kind) {
    case "command":
      if (intent.command === "start" || intent.command === "menu") return present({ ...session, step: { name: "main" } }, facts);
      if (intent.command === "cancel") {
        return present({ ...session, step: { name: "main" } }, facts, [msg("checkout-cancelled")]);
      }
      // Other commands are answered by the router, outside the checkout.
      return { session, replies: [] };
    case "press": {
      if (!session.menu || intent.menuId !== session.menu.id) return present(session, facts, [msg("menu-expired")]);
      const entry = session.menu.entries[intent.index];
      if (!entry) return present(session, facts, [msg("menu-expired")]);
      return choose(session, entry, facts);
    }
    case "stale":
      return present(session, facts, [msg("menu-expired")]);
    case "number":
      if (session.step.name === "input") return onInput(session, session.step.code, intent.text, facts, intent.index);
      return onNumber(session, intent.index, facts);
    case "text":
      if (session.step.name === "input") return onInput(session, session.step.code, intent.text, facts);
      return onText(session, intent.text, facts);
    case "unknown_command":
      return present(session, facts, [msg("unknown-command", { command: `/${intent.name}` })]);
    case "empty":
      return present(session, facts, [msg("text-only")]);
  }
}

/** Shows the current step again (its menu or prompt), after optional notices. */
export function present(session: Session, facts: CheckoutFacts, notices: Msg[] = []): StepResult {
  const step = session.step.name === "idle" ? ({ name: "main" } as const) : session.step;
  const view = render(step, facts);
  if (view.kind === "gone") {
    // The product vanished from the catalog (or the buyer's page no longer exists): start over.
    return present({ ...session, step: { name: "main" } }, facts, [...notices, msg("product-gone")]);
  }
  const menuId = session.menuSeq + 1;
  const next: Session = { ...session, step, menuSeq: menuId, menu: { id: menuId, entries: view.entries } };
  // Notices ("cancelled", "that menu expired") head the menu instead of a message of their own:
  // one message to read, and a tapped menu can still be edited in place.
  const menu: Reply = {
    kind: "menu",
    ...(notices.length > 0 ? { notices } : {}),
    title: view.title,
    items: view.items,
    menuId,
    ...(view.footer ? { footer: view.footer } : {}),
  };
  return { session: next, replies: [menu] };
}

type View = { kind: "menu"; title: Msg[]; items: MenuItem[]; entries: MenuEntry[]; footer?: Msg } | { kind: "gone" };

/** Builds the menu of a step: what the buyer sees and what each position means. */
function render(step: Exclude<Step, { name: "idle" }>, facts: CheckoutFacts): View {
  const menu = new MenuBuilder();
  switch (step.name) {
    case "main": {
      for (const category of facts.catalog.categories()) {
        menu.add(msg("menu-category", { category: categoryLabelKey(category.id), count: category.count }), { t: "cat", category: category.id });
      }
      menu.add(msg("menu-item-saldo"), { t: "cmd", command: "saldo" });
      menu.add(msg("menu-item-orders"), { t: "cmd", command: "orders" });
      menu.add(msg("menu-item-help"), { t: "cmd", command: "help" });
      return menu.view([msg("menu-main-title", { shop: facts.shopName })], msg("menu-footer"));
    }
    case "group": {
      const groups = facts.catalog.groups(step.category);
      if (groups.length === 0) return { kind: "gone" };
      for (const group of groups) menu.add(msg("menu-group", { group }), { t: "grp", category: step.category, group });
      menu.add(msg("menu-item-back"), { t: "main" });
      return menu.view([msg("menu-group-title", { category: categoryLabelKey(step.category) })], msg("menu-footer"));
    }
    case "product": {
      const products = facts.catalog.products(step.category, step.group);
      const pages = Math.max(1, Math.ceil(products.length / pageSize));
      if (products.length === 0 || step.page >= pages) return { kind: "gone" };
      for (const item of products.slice(step.page * pageSize, (step.page + 1) * pageSize)) {
        menu.add(productLabel(item), { t: "prod", code: item.code });
      }
      if (step.page > 0) menu.add(msg("menu-item-prev-page"), { t: "page", page: step.page - 1 });
      if (step.page < pages - 1) menu.add(msg("menu-item-next-page"), { t: "page", page: step.page + 1 });
      menu.add(msg("menu-item-back"), { t: "back" });
      const title = [msg("menu-product-title", { title: step.group ?? categoryLabelKey(step.category) })];
      if (pages > 1) title.push(msg("menu-page", { page: step.page + 1, pages }));
      return menu.view(title, msg("menu-footer-code"));
    }
    case "input": {
      const item = facts.catalog.find(step.code);
      if (!item) return { kind: "gone" };
      menu.add(msg("menu-item-cancel"), { t: "cancel" });
      return menu.view([productSummary(item), msg(`input-prompt-${item.input}`)]);
    }
    case "os": {
      const item = facts.catalog.find(step.code);
      if (!item) return { kind: "gone" };
      for (const choice of osChoicesOf(item.meta)) menu.add(msg("menu-os", { os: choice.label }), { t: "os", id: choice.id });
      menu.add(msg("menu-item-cancel"), { t: "cancel" });
      return menu.view([productSummary(item), msg("input-prompt-os")]);
    }
    case "confirm": {
      const item = facts.catalog.find(step.code);
      if (!item) return { kind: "gone" };
      menu.add(msg("menu-item-confirm"), { t: "confirm" });
      if (item.input !== "none" || osChoicesOf(item.meta).length > 0 || maxQuantity(item) > 1) menu.add(msg("menu-item-retarget"), { t: "retarget" });
      menu.add(msg("menu-item-cancel"), { t: "cancel" });
      return menu.view([msg("confirm-title"), productSummary(item), ...targetLine(step.inputs, item), ...quantityLine(item, step.qty), priceLine(priceOf(item, step.inputs, step.qty))]);
    }
    case "qty": {
      const item = facts.catalog.find(step.code);
      if (!item) return { kind: "gone" };
      const max = maxQuantity(item);
      for (let n = 1; n <= max; n++) menu.add(msg("menu-qty", { quantity: n, price: formatRupiah(item.price * n) }), { t: "qty", n });
      menu.add(msg("menu-item-cancel"), { t: "cancel" });
      return menu.view([productSummary(item), msg("input-prompt-qty", { max, stock: item.stock ?? max })]);
    }
    case "soldout": {
      const item = facts.catalog.find(step.code);
      if (!item) return { kind: "gone" };
      menu.add(msg("menu-item-notify"), { t: "notify", code: item.code });
      menu.add(msg("menu-item-back"), { t: "main" });
      return menu.view([msg("product-out-of-stock", { name: item.name })]);
    }
    case "payment": {
      const item = facts.catalog.find(step.code);
      if (!item) return { kind: "gone" };
      for (const method of facts.paymentMethods(item)) {
        const label =
          method === "wallet" && facts.walletBalance !== undefined
            ? msg("pay-method-wallet-balance", { balance: formatRupiah(facts.walletBalance) })
            : msg(`pay-method-${method}`);
        menu.add(label, { t: "pay", method });
      }
      menu.add(msg("menu-item-cancel"), { t: "cancel" });
      return menu.view([msg("payment-title"), priceLine(step.price)]);
    }
  }
}

/** Acts on one menu entry. */
function choose(session: Session, entry: MenuEntry, facts: CheckoutFacts): StepResult {
  const step = session.step;
  switch (entry.t) {
    case "main":
    case "cancel":
      return present({ ...session, step: { name: "main" } }, facts, entry.t === "cancel" ? [msg("checkout-cancelled")] : []);
    case "cmd":
      return { session, replies: [], effect: { type: "command", command: entry.command } };
    case "cat":
      return openCategory(session, entry.category, facts);
    case "grp":
      return present({ ...session, step: { name: "product", category: entry.category, group: entry.group, page: 0 } }, facts);
    case "page":
      if (step.name !== "product") return present(session, facts, [msg("menu-expired")]);
      return present({ ...session, step: { ...step, page: entry.page } }, facts);
    case "back":
      if (step.name === "product" && step.group !== undefined && facts.catalog.groups(step.category).length > 1) {
        return present({ ...session, step: { name: "group", category: step.category } }, facts);
      }
      return present({ ...session, step: { name: "main" } }, facts);
    case "prod":
      return openProduct(session, entry.code, facts);
    case "retarget": {
      if (step.name !== "confirm") return present(session, facts, [msg("menu-expired")]);
      const item = facts.catalog.find(step.code);
      if (item?.input === "none" && osChoicesOf(item.meta).length === 0 && maxQuantity(item) > 1) {
        return present({ ...session, step: { name: "qty", code: step.code, inputs: step.inputs } }, facts);
      }
      if (item?.input === "none") return present({ ...session, step: { name: "os", code: step.code, inputs: {} } }, facts);
      return present({ ...session, step: { name: "input", code: step.code } }, facts);
    }
    case "os": {
      if (step.name !== "os") return present(session, facts, [msg("menu-expired")]);
      const item = facts.catalog.find(step.code);
      if (!item) return present({ ...session, step: { name: "main" } }, facts, [msg("product-gone")]);
      const inputs = { ...step.inputs, os: String(entry.id) };
      // The list may have changed since the menu was shown: only one of today's choices is taken.
      if (chosenOs(inputs, item.meta) === "invalid") return present(session, facts, [msg("menu-expired")]);
      return present({ ...session, step: { name: "confirm", code: step.code, inputs } }, facts);
    }
    case "confirm": {
      if (step.name !== "confirm") return present(session, facts, [msg("menu-expired")]);
      if (facts.buyingPaused) return present(session, facts, [msg("shop-paused", { message: facts.buyingPaused })]);
      const item = facts.catalog.find(step.code);
      if (!item) return present({ ...session, step: { name: "main" } }, facts, [msg("product-gone")]);
      if (!item.available) return unavailable(session, item, facts);
      // The OS list changed since it was chosen: choose again rather than order an OS no longer offered.
      if (chosenOs(step.inputs, item.meta) === "invalid") {
        const { os: _os, ...inputs } = step.inputs;
        return present({ ...session, step: { name: "os", code: step.code, inputs } }, facts, [msg("menu-expired")]);
      }
      const qty = step.qty !== undefined ? { qty: step.qty } : {};
      return present({ ...session, step: { name: "payment", code: step.code, inputs: step.inputs, price: priceOf(item, step.inputs, step.qty), ...qty } }, facts);
    }
    case "pay": {
      if (step.name !== "payment") return present(session, facts, [msg("menu-expired")]);
      if (facts.buyingPaused) return present(session, facts, [msg("shop-paused", { message: facts.buyingPaused })]);
      const done: Session = { ...session, step: { name: "idle" }, menu: null };
      return {
        session: done,
        replies: [],
        effect: { type: "place_order", code: step.code, inputs: step.inputs, method: entry.method, price: step.price, ...(step.qty !== undefined ? { quantity: step.qty } : {}) },
      };
    }
    case "qty": {
      if (step.name !== "qty") return present(session, facts, [msg("menu-expired")]);
      const item = facts.catalog.find(step.code);
      if (!item) return present({ ...session, step: { name: "main" } }, facts, [msg("product-gone")]);
      if (!item.available) return unavailable(session, item, facts);
      // The stock may have shrunk since the menu was drawn: ask again within today's limit.
      if (entry.n > maxQuantity(item)) return present(session, facts, [msg("menu-expired")]);
      return present({ ...session, step: { name: "confirm", code: step.code, inputs: step.inputs, qty: entry.n } }, facts);
    }
    case "notify":
      return { session: { ...session, step: { name: "idle" }, menu: null }, replies: [], effect: { type: "notify_restock", code: entry.code } };
  }
}

function openCategory(session: Session, category: CategoryId, facts: CheckoutFacts): StepResult {
  const groups = facts.catalog.groups(category);
  if (groups.length > 1) return present({ ...session, step: { name: "group", category } }, facts);
  return present({ ...session, step: { name: "product", category, group: groups[0], page: 0 } }, facts);
}

function openProduct(session: Session, code: string, facts: CheckoutFacts): StepResult {
  const item = facts.catalog.find(code);
  if (!item) return present(session, facts, [msg("product-gone")]);
  if (!item.available) return unavailable(session, item, facts, session);
  if (item.input === "none") return afterInputs(session, item, {}, facts);
  return present({ ...session, step: { name: "input", code: item.code } }, facts);
}

/** With the target read: the OS to install when the product offers a choice, else the confirm step. */
function afterInputs(session: Session, item: CatalogItem, inputs: TargetInputs, facts: CheckoutFacts): StepResult {
  if (osChoicesOf(item.meta).length > 0) return present({ ...session, step: { name: "os", code: item.code, inputs } }, facts);
  if (maxQuantity(item) > 1) return present({ ...session, step: { name: "qty", code: item.code, inputs } }, facts);
  return present({ ...session, step: { name: "confirm", code: item.code, inputs } }, facts);
}

function onNumber(session: Session, index: number, facts: CheckoutFacts): StepResult {
  // No menu on screen (a new chat, or just after an order): show the one the number was meant for.
  if (!session.menu) return present(session, facts);
  const entry = session.menu.entries[index];
  if (!entry) return present(session, facts, [msg("menu-bad-number", { count: session.menu.entries.length })]);
  return choose(session, entry, facts);
}

/** Free text outside the input step: a product code jumps straight to that product. */
function onText(session: Session, text: string, facts: CheckoutFacts): StepResult {
  const item = text.length <= 40 ? facts.catalog.find(text) : undefined;
  if (item) return openProduct(session, item.code, facts);
  return present(session, facts, [msg("not-understood")]);
}

/** The buyer typed a target: validate it, or re-ask with the reason. */
function onInput(session: Session, code: string, text: string, facts: CheckoutFacts, menuIndex?: number): StepResult {
  const item = facts.catalog.find(code);
  if (!item) return present({ ...session, step: { name: "main" } }, facts, [msg("product-gone")]);
  const parsed = parseTargetInput(item.input, text);
  if (parsed.ok) return afterInputs(session, item, parsed.inputs, facts);
  // A short number that is not a valid target is the buyer answering the menu ("1. Batal").
  if (menuIndex !== undefined && session.menu?.entries[menuIndex]) return choose(session, session.menu.entries[menuIndex], facts);
  return present(session, facts, [msg(parsed.reason)]);
}

class MenuBuilder {
  private readonly items: MenuItem[] = [];
  private readonly entries: MenuEntry[] = [];

  add(label: Msg, entry: MenuEntry): void {
    this.items.push({ label });
    this.entries.push(entry);
  }

  view(title: Msg[], footer?: Msg): View {
    return { kind: "menu", title, items: this.items, entries: this.entries, ...(footer ? { footer } : {}) };
  }
}

/** A category's name, as a message argument. */
function categoryLabelKey(category: CategoryId): Msg {
  return msg(`category-${category}`);
}

function productLabel(item: CatalogItem): Msg {
  const sandbox = item.provider === "sandbox" ? "sandbox" : "real";
  if (!item.available) return msg("menu-product-unavailable", { name: item.name, price: formatRupiah(item.price), sandbox });
  // Own stock shows how many are left ("stok 12").
  if (item.multiUnit && item.stock !== null) return msg("menu-product-stock", { name: item.name, price: formatRupiah(item.price), stock: item.stock });
  return msg("menu-product", { name: item.name, price: formatRupiah(item.price), sandbox });
}

function productSummary(item: CatalogItem): Msg {
  return msg("product-summary", {
    name: item.name,
    code: item.code,
    description: item.description ?? "",
    sandbox: item.provider === "sandbox" ? "sandbox" : "real",
  });
}

function targetLine(inputs: TargetInputs, item: CatalogItem): Msg[] {
  const { os: _os, ...target } = inputs;
  const os = chosenOs(inputs, item.meta);
  const osLine = os && os !== "invalid" ? [msg("confirm-os", { os: os.label })] : [];
  if (target.months !== undefined) {
    return [msg("confirm-months", { months: orderUnits(target), monthly: formatRupiah(item.price) }), ...osLine];
  }
  return [...(Object.keys(target).length === 0 ? [] : [msg("confirm-target", { target: describeInputs(target) })]), ...osLine];
}

/** The order's price: the product's, times the months of a subscription, times the units bought. */
export function priceOf(item: CatalogItem, inputs: TargetInputs, quantity = 1): Rupiah {
  return item.price * orderUnits(inputs) * quantity;
}

/** Most units one order of `item` may buy: up to its stock, at most 10, for products sold by the unit (own stock); else 1. */
export function maxQuantity(item: CatalogItem): number {
  return item.multiUnit && item.stock !== null ? Math.max(1, Math.min(item.stock, 10)) : 1;
}

function quantityLine(item: CatalogItem, quantity: number | undefined): Msg[] {
  return quantity !== undefined && quantity > 1 ? [msg("confirm-quantity", { quantity, unit: formatRupiah(item.price) })] : [];
}

/**
 * A product that cannot be bought now: a sold-out own-stock product offers "Kabari saya"; anything
 * else says why over `stay` (the menu the buyer was on), else the main menu.
 */
function unavailable(session: Session, item: CatalogItem, facts: CheckoutFacts, stay?: Session): StepResult {
  if (item.multiUnit && item.unavailableReason === "out_of_stock") return present({ ...session, step: { name: "soldout", code: item.code } }, facts);
  return present(stay ?? { ...session, step: { name: "main" } }, facts, [unavailableNotice(item)]);
}

function priceLine(price: Rupiah): Msg {
  return msg("confirm-price", { price: formatRupiah(price) });
}

function unavailableNotice(item: CatalogItem): Msg {
  return msg(item.unavailableReason === "provider_down" ? "product-provider-down" : "product-out-of-stock", { name: item.name });
}
