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
import { quotePrice, tierUnitPrice, type PriceQuote, type PriceTier, type VoucherTerms } from "../commerce/price-quote.js";
import type { Intent } from "./intent.js";
import type { MenuItem, Reply } from "../core/reply.js";
import type { MenuCommand, MenuEntry, PaymentMethod, Session, Step } from "./session.js";

/** Products per page of a product menu. */
export const pageSize = 8;

/** What the step function needs to know about the world. */
export interface CheckoutFacts {
  catalog: CatalogView;
  /**
   * Payment methods offered for a product, in display order. `discounted`: the order's price is
   * not the normal one or it carries a voucher, so methods charging the provider's own price
   * (provider QRIS) are left out.
   */
  paymentMethods: (item: CatalogItem, discounted?: boolean) => PaymentMethod[];
  /** The buyer's wallet balance, when the caller loaded it (shown in the payment menu). */
  walletBalance?: Rupiah;
  /** When set, buying is paused and this is the owner's message to buyers. */
  buyingPaused?: string | null;
  shopName: string;
  /** The buyer's price tier (issue 17): every price shown is at it. Absent or null: the normal price. */
  tier?: PriceTier | null;
  /** True when the shop has vouchers on: the confirm step offers one, and a typed code there is tried as one. */
  vouchers?: boolean;
}

/** Something the edge must do after the step. */
export type CheckoutEffect =
  | { type: "place_order"; code: string; inputs: TargetInputs; method: PaymentMethod; price: Rupiah; voucher?: VoucherTerms; quantity?: number }
  | { type: "command"; command: MenuCommand }
  /** The buyer typed a voucher code on the confirm step: the edge looks it up and calls {@link applyVoucher}. */
  | { type: "check_voucher"; voucher: string }
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
      // A voucher code may be all digits; menu numbers here are 1 or 2.
      if (session.step.name === "voucher" && intent.text.length >= 3) return askVoucher(session, intent.text, facts);
      return onNumber(session, intent.index, facts);
    case "text":
      if (session.step.name === "input") return onInput(session, session.step.code, intent.text, facts);
      if (session.step.name === "voucher") return askVoucher(session, intent.text, facts);
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
        menu.add(productLabel(item, facts.tier), { t: "prod", code: item.code });
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
      if (facts.vouchers || step.voucher) menu.add(msg(step.voucher ? "menu-item-voucher-change" : "menu-item-voucher"), { t: "voucher" });
      if (step.voucher) menu.add(msg("menu-item-voucher-remove"), { t: "unvoucher" });
      if (item.input !== "none" || osChoicesOf(item.meta).length > 0 || maxQuantity(item) > 1) menu.add(msg("menu-item-retarget"), { t: "retarget" });
      menu.add(msg("menu-item-cancel"), { t: "cancel" });
      const quote = quoteOf(item, step.inputs, facts.tier, step.voucher, step.qty);
      return menu.view([msg("confirm-title"), productSummary(item), ...targetLine(step.inputs, item, facts.tier), ...quantityLine(item, step.qty, facts.tier), ...quoteLines(quote, facts.tier)]);
    }
    case "voucher": {
      const item = facts.catalog.find(step.code);
      if (!item) return { kind: "gone" };
      menu.add(msg("menu-item-back"), { t: "unvoucher" });
      menu.add(msg("menu-item-cancel"), { t: "cancel" });
      return menu.view([productSummary(item), msg("voucher-prompt")]);
    }
    case "qty": {
      const item = facts.catalog.find(step.code);
      if (!item) return { kind: "gone" };
      const max = maxQuantity(item);
      // The buyer's tier price, as the confirm step will quote it (before any voucher).
      const unit = tierUnitPrice(item.price, item.cost, facts.tier);
      for (let n = 1; n <= max; n++) menu.add(msg("menu-qty", { quantity: n, price: formatRupiah(unit * n) }), { t: "qty", n });
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
      const discounted = isDiscounted(step, item);
      const methods = facts.paymentMethods(item, discounted);
      for (const method of methods) {
        const label =
          method === "wallet" && facts.walletBalance !== undefined
            ? msg("pay-method-wallet-balance", { balance: formatRupiah(facts.walletBalance) })
            : msg(`pay-method-${method}`);
        menu.add(label, { t: "pay", method });
      }
      menu.add(msg("menu-item-cancel"), { t: "cancel" });
      // Say why a method the buyer may know (the provider's own QRIS) is missing for this price.
      const heldBack = discounted && facts.paymentMethods(item, false).length > methods.length ? [msg("payment-provider-price-only")] : [];
      return menu.view([msg("payment-title"), priceLine(step.price), ...heldBack]);
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
      const price = quoteOf(item, step.inputs, facts.tier, step.voucher, step.qty).final;
      return present({ ...session, step: { name: "payment", code: step.code, inputs: step.inputs, price, ...(step.voucher ? { voucher: step.voucher } : {}), ...(step.qty !== undefined ? { qty: step.qty } : {}) } }, facts);
    }
    case "pay": {
      if (step.name !== "payment") return present(session, facts, [msg("menu-expired")]);
      if (facts.buyingPaused) return present(session, facts, [msg("shop-paused", { message: facts.buyingPaused })]);
      const done: Session = { ...session, step: { name: "idle" }, menu: null };
      return {
        session: done,
        replies: [],
        effect: { type: "place_order", code: step.code, inputs: step.inputs, method: entry.method, price: step.price, ...(step.voucher ? { voucher: step.voucher } : {}), ...(step.qty !== undefined ? { quantity: step.qty } : {}) },
      };
    }
    case "voucher": {
      if (step.name !== "confirm") return present(session, facts, [msg("menu-expired")]);
      return present({ ...session, step: { ...step, name: "voucher" } }, facts);
    }
    case "unvoucher": {
      // From the voucher prompt: back to the confirm step as it was; from the confirm step: drop the voucher.
      if (step.name === "voucher") return present({ ...session, step: { ...step, name: "confirm" } }, facts);
      if (step.name !== "confirm") return present(session, facts, [msg("menu-expired")]);
      const { voucher: _voucher, ...rest } = step;
      return present({ ...session, step: rest }, facts, [msg("voucher-removed")]);
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

/**
 * Free text outside the input step: a product code jumps straight to that product; on the
 * confirm step anything else shaped like a code is tried as a voucher.
 */
function onText(session: Session, text: string, facts: CheckoutFacts): StepResult {
  const item = text.length <= 40 ? facts.catalog.find(text) : undefined;
  if (item) return openProduct(session, item.code, facts);
  if (session.step.name === "confirm" && facts.vouchers && voucherCodePattern.test(text.trim())) return askVoucher(session, text, facts);
  return present(session, facts, [msg("not-understood")]);
}

/** What a buyer may type as a voucher code. */
export const voucherCodePattern = /^[A-Za-z0-9_-]{3,32}$/;

/** A typed voucher code: the edge looks it up (an effect); a code that cannot be one is refused here. */
function askVoucher(session: Session, text: string, facts: CheckoutFacts): StepResult {
  const code = text.trim().toUpperCase();
  if (!voucherCodePattern.test(code)) return present(backToConfirm(session), facts, [msg("voucher-refused-unknown", { code: text.trim().slice(0, 32) })]);
  return { session: backToConfirm(session), replies: [], effect: { type: "check_voucher", voucher: code } };
}

function backToConfirm(session: Session): Session {
  return session.step.name === "voucher" ? { ...session, step: { ...session.step, name: "confirm" } } : session;
}

/** What the edge found for a typed voucher: its terms, or why it cannot be used. */
export type VoucherLookup = { ok: true; terms: VoucherTerms } | { ok: false; code: string; reason: string; args?: Record<string, string> };

/**
 * Applies the edge's answer to a `check_voucher` effect to the confirm step: the voucher's terms
 * are kept on the step and the confirm message shows the price before and after; a refusal says why.
 */
export function applyVoucher(session: Session, lookup: VoucherLookup, facts: CheckoutFacts): StepResult {
  const step = session.step;
  if (step.name !== "confirm") return present(session, facts, [msg("menu-expired")]);
  if (!lookup.ok) return present(session, facts, [msg(`voucher-refused-${lookup.reason}`, { code: lookup.code, ...lookup.args })]);
  return present({ ...session, step: { ...step, voucher: lookup.terms } }, facts, [msg("voucher-applied", { code: lookup.terms.code })]);
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

function productLabel(item: CatalogItem, tier: PriceTier | null | undefined): Msg {
  const sandbox = item.provider === "sandbox" ? "sandbox" : "real";
  const price = formatRupiah(tierUnitPrice(item.price, item.cost, tier));
  if (!item.available) return msg("menu-product-unavailable", { name: item.name, price, sandbox });
  // Own stock shows how many are left ("stok 12").
  if (item.multiUnit && item.stock !== null) return msg("menu-product-stock", { name: item.name, price, stock: item.stock });
  return msg("menu-product", { name: item.name, price, sandbox });
}

function productSummary(item: CatalogItem): Msg {
  return msg("product-summary", {
    name: item.name,
    code: item.code,
    description: item.description ?? "",
    sandbox: item.provider === "sandbox" ? "sandbox" : "real",
  });
}

function targetLine(inputs: TargetInputs, item: CatalogItem, tier: PriceTier | null | undefined): Msg[] {
  const { os: _os, ...target } = inputs;
  const os = chosenOs(inputs, item.meta);
  const osLine = os && os !== "invalid" ? [msg("confirm-os", { os: os.label })] : [];
  if (target.months !== undefined) {
    return [msg("confirm-months", { months: orderUnits(target), monthly: formatRupiah(tierUnitPrice(item.price, item.cost, tier)) }), ...osLine];
  }
  return [...(Object.keys(target).length === 0 ? [] : [msg("confirm-target", { target: describeInputs(target) })]), ...osLine];
}

/** The order's price lines at the buyer's tier, with a voucher (see `commerce/price-quote.ts`), for `quantity` units (own stock). */
export function quoteOf(item: CatalogItem, inputs: TargetInputs, tier?: PriceTier | null, voucher?: VoucherTerms, quantity = 1): PriceQuote {
  return quotePrice({ unitList: item.price, unitCost: item.cost, units: orderUnits(inputs) * quantity, tier: tier ?? null, voucher: voucher ?? null });
}

/**
 * True when the payment step's order is not at the normal price (a tier adjustment, a voucher
 * discount) or carries a voucher at all: a method charging the provider's own price cannot pay it.
 */
export function isDiscounted(step: { price: Rupiah; inputs: TargetInputs; voucher?: VoucherTerms }, item: CatalogItem): boolean {
  return step.voucher !== undefined || step.price !== item.price * orderUnits(step.inputs);
}

/** The confirm step's money: the normal price and each discount when there is one, then what the buyer pays. */
function quoteLines(quote: PriceQuote, tier: PriceTier | null | undefined): Msg[] {
  if (quote.tierDiscount === 0 && !quote.voucher) return [priceLine(quote.final)];
  const lines = [msg("confirm-price-list", { price: formatRupiah(quote.list) })];
  if (quote.tierDiscount !== 0) lines.push(msg("confirm-tier-discount", { tier: tier?.name ?? "", discount: formatRupiah(quote.tierDiscount) }));
  if (quote.voucher) lines.push(msg("confirm-voucher-discount", { code: quote.voucher.code, discount: formatRupiah(quote.voucher.discount) }));
  lines.push(priceLine(quote.final));
  return lines;
}

/** Most units one order of `item` may buy: up to its stock, at most 10, for products sold by the unit (own stock); else 1. */
export function maxQuantity(item: CatalogItem): number {
  return item.multiUnit && item.stock !== null ? Math.max(1, Math.min(item.stock, 10)) : 1;
}

/** The confirm's "3 × Rp 11.760" line: the unit at the buyer's tier, as the quote below it counts it. */
function quantityLine(item: CatalogItem, quantity: number | undefined, tier: PriceTier | null | undefined): Msg[] {
  return quantity !== undefined && quantity > 1 ? [msg("confirm-quantity", { quantity, unit: formatRupiah(tierUnitPrice(item.price, item.cost, tier)) })] : [];
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
