import { describe, expect, it } from "vitest";
import { encodeMenuPress } from "../../src/bot/callback-data.js";
import { applyVoucher, checkoutStep, pageSize, type CheckoutFacts, type StepResult } from "../../src/bot/checkout.js";
import { parseIntent, type Intent } from "../../src/bot/intent.js";
import { asList, type Reply } from "../../src/core/reply.js";
import { newSession, parseSession, type MenuEntry, type Session } from "../../src/bot/session.js";
import { renderText } from "../../src/channels/render.js";
import { CatalogView } from "../../src/commerce/catalog.js";
import { Translator } from "../../src/i18n/translator.js";
import { locales, type Msg } from "../../src/core/message.js";
import { SandboxProvider } from "../../src/providers/sandbox/adapter.js";
import type { ProviderProduct } from "../../src/providers/types.js";

type MenuReply = Extract<Reply, { kind: "menu" }>;

const translator = new Translator("id");

function product(fields: Partial<ProviderProduct> & Pick<ProviderProduct, "sku">): ProviderProduct {
  return {
    provider: "alxzen",
    category: "game",
    group: "Mobile Legends",
    name: `Product ${fields.sku}`,
    basePrice: 10_000,
    stock: null,
    input: "game_id_zone",
    delivery: "serial",
    ...fields,
  };
}

/**
 * The shop used by most tests (every price is cost + Rp 500):
 *   1 game  → Free Fire: FF70 (10.000) · Mobile Legends: ML86 (18.500), ML172 (36.000)
 *   2 data  → Telkomsel: TSEL10 (45.500, phone)
 *   3 app   → Netflix: NFXSOLD (25.500, out of stock), NFX1 (30.500, no input)
 *   4 plan  → Premzone: GOLD (90.500, provider down)
 *   5 saldo · 6 orders · 7 help
 */
const shopProducts: ProviderProduct[] = [
  product({ sku: "ML86", basePrice: 18_000, name: "Mobile Legends 86 Diamonds" }),
  product({ sku: "ML172", basePrice: 35_500, name: "Mobile Legends 172 Diamonds" }),
  product({ sku: "FF70", group: "Free Fire", basePrice: 9_500, input: "game_id", name: "Free Fire 70 Diamonds" }),
  product({ sku: "TSEL10", provider: "odzreshop", category: "data", group: "Telkomsel", basePrice: 45_000, input: "phone" }),
  product({ sku: "NFX1", provider: "aluy", category: "app", group: "Netflix", basePrice: 30_000, input: "none", delivery: "account" }),
  product({ sku: "NFXSOLD", provider: "aluy", category: "app", group: "Netflix", basePrice: 25_000, input: "none", stock: 0, name: "Netflix habis" }),
  product({ sku: "GOLD", provider: "premzone", category: "plan", group: "Premzone", basePrice: 90_000, input: "none", delivery: "plan", name: "Premzone Gold" }),
];

function catalogOf(products: ProviderProduct[]): CatalogView {
  return new CatalogView(products, {
    markup: { global: { percent: 0, flat: 500 }, providers: {}, products: {} },
    downProviders: new Set(["premzone"]),
  });
}

function shopFacts(overrides: Partial<CheckoutFacts> = {}): CheckoutFacts {
  return { catalog: catalogOf(shopProducts), paymentMethods: () => ["wallet", "qris"], shopName: "Toko Uji", ...overrides };
}

/** Ten VPS plans in one group: two pages of products. */
function vpsFacts(): CheckoutFacts {
  const plans = Array.from({ length: 10 }, (_, i) =>
    product({ sku: `VPS${i + 1}`, provider: "icsstore", category: "vps", group: "VPS", basePrice: (i + 1) * 10_000, input: "none", delivery: "vps" }),
  );
  return shopFacts({ catalog: catalogOf(plans) });
}

function allKeys(message: Msg): string[] {
  const nested = Object.values(message.args ?? {}).flatMap((arg) => (typeof arg === "object" ? allKeys(arg) : []));
  return [message.key, ...nested];
}

function replyMessages(reply: Reply): Msg[] {
  switch (reply.kind) {
    case "text":
      return asList(reply.text);
    case "photo":
    case "document":
      return asList(reply.caption);
    case "menu":
      return [...asList(reply.title), ...reply.items.map((item) => item.label), ...(reply.footer ? [reply.footer] : [])];
  }
}

/** Every reply must render in every locale with known keys and all arguments filled in. */
function expectRenderable(result: StepResult): void {
  for (const reply of result.replies) {
    for (const key of replyMessages(reply).flatMap(allKeys)) {
      for (const locale of locales) expect(translator.has(locale, key), `${locale} has ${key}`).toBe(true);
    }
    for (const locale of locales) {
      const text = renderText(translator, locale, reply);
      expect(text).not.toMatch(/[{}$]/);
    }
  }
}

/** One chat, driven through `checkoutStep` the way the bot does: the returned session is kept. */
class Chat {
  session: Session = newSession("id");
  last: StepResult | undefined;

  constructor(public facts: CheckoutFacts = shopFacts()) {}

  send(intent: Intent): StepResult {
    const result = checkoutStep(this.session, intent, this.facts);
    expectRenderable(result);
    // Sessions are stored as JSON and read back through the schema; every one we produce must survive that.
    expect(parseSession(JSON.stringify(result.session))).toEqual(result.session);
    this.session = result.session;
    this.last = result;
    return result;
  }

  type(text: string): StepResult {
    return this.send(parseIntent({ text }));
  }

  /** Taps item `index` (0-based) of the current menu. */
  tap(index: number): StepResult {
    return this.send(parseIntent({ action: encodeMenuPress(this.menuId(), index) }));
  }

  /** Taps the first item of the current menu whose entry matches. */
  tapEntry(match: (entry: MenuEntry) => boolean): StepResult {
    const index = this.entries().findIndex(match);
    expect(index, "entry on the current menu").toBeGreaterThanOrEqual(0);
    return this.tap(index);
  }

  menuId(): number {
    const id = this.session.menu?.id;
    if (id === undefined) throw new Error("no menu shown");
    return id;
  }

  entries(): MenuEntry[] {
    return this.session.menu?.entries ?? [];
  }
}

function menuOf(result: StepResult): MenuReply {
  const menus = result.replies.filter((reply): reply is MenuReply => reply.kind === "menu");
  expect(menus).toHaveLength(1);
  return menus[0]!;
}

const itemKeys = (result: StepResult) => menuOf(result).items.map((item) => item.label.key);
const titleKeys = (result: StepResult) => asList(menuOf(result).title).map((message) => message.key);
const render = (reply: Reply) => renderText(translator, "id", reply);

/** The messages shown before the menu's title (notices), in the menu or as texts of their own. */
function notices(result: StepResult): Msg[] {
  return result.replies.flatMap((reply) => (reply.kind === "text" ? asList(reply.text) : reply.kind === "menu" ? (reply.notices ?? []) : []));
}
const noticeKeys = (result: StepResult) => notices(result).map((message) => message.key);

/** Walks a fresh chat to a step of the ML86 purchase. */
function chatAt(step: "idle" | "main" | "group" | "product" | "input" | "confirm" | "payment", facts = shopFacts()): Chat {
  const chat = new Chat(facts);
  if (step === "idle") return chat;
  chat.type("/start");
  if (step === "main") return chat;
  chat.type("1");
  if (step === "group") return chat;
  chat.type("2");
  if (step === "product") return chat;
  chat.type("ML86");
  if (step === "input") return chat;
  chat.type("12345678 (1234)");
  if (step === "confirm") return chat;
  chat.type("1");
  return chat;
}

describe("checkout: the whole path", () => {
  it("walks main → group → product → input → confirm → payment → place_order by typed numbers", () => {
    const chat = new Chat();

    const main = chat.type("/start");
    expect(chat.session.step).toEqual({ name: "main" });
    expect(titleKeys(main)).toEqual(["menu-main-title"]);
    expect(menuOf(main).footer?.key).toBe("menu-footer");
    expect(chat.entries()).toEqual([
      { t: "cat", category: "game" },
      { t: "cat", category: "data" },
      { t: "cat", category: "app" },
      { t: "cat", category: "plan" },
      { t: "cmd", command: "saldo" },
      { t: "cmd", command: "orders" },
      { t: "cmd", command: "help" },
    ]);
    expect(render(menuOf(main))).toContain("1. 🎮 Top-up game (3)");
    expect(render(menuOf(main))).toContain("Toko Uji");

    const group = chat.type("1");
    expect(chat.session.step).toEqual({ name: "group", category: "game" });
    expect(chat.entries()).toEqual([
      { t: "grp", category: "game", group: "Free Fire" },
      { t: "grp", category: "game", group: "Mobile Legends" },
      { t: "main" },
    ]);
    expect(itemKeys(group)).toEqual(["menu-group", "menu-group", "menu-item-back"]);

    const products = chat.type("2");
    expect(chat.session.step).toEqual({ name: "product", category: "game", group: "Mobile Legends", page: 0 });
    expect(chat.entries()).toEqual([{ t: "prod", code: "ML86" }, { t: "prod", code: "ML172" }, { t: "back" }]);
    expect(render(menuOf(products))).toContain("1. Mobile Legends 86 Diamonds — Rp 18.500");
    expect(menuOf(products).footer?.key).toBe("menu-footer-code");

    const input = chat.type("1");
    expect(chat.session.step).toEqual({ name: "input", code: "ML86" });
    expect(titleKeys(input)).toEqual(["product-summary", "input-prompt-game_id_zone"]);
    expect(chat.entries()).toEqual([{ t: "cancel" }]);

    const confirm = chat.type("12345678 (1234)");
    expect(chat.session.step).toEqual({ name: "confirm", code: "ML86", inputs: { userId: "12345678", zoneId: "1234" } });
    expect(titleKeys(confirm)).toEqual(["confirm-title", "product-summary", "confirm-target", "confirm-price"]);
    expect(render(menuOf(confirm))).toContain("12345678 (1234)");
    expect(render(menuOf(confirm))).toContain("Rp 18.500");
    expect(chat.entries()).toEqual([{ t: "confirm" }, { t: "retarget" }, { t: "cancel" }]);

    const payment = chat.type("1");
    expect(chat.session.step).toEqual({ name: "payment", code: "ML86", inputs: { userId: "12345678", zoneId: "1234" }, price: 18_500 });
    expect(titleKeys(payment)).toEqual(["payment-title", "confirm-price"]);
    expect(chat.entries()).toEqual([{ t: "pay", method: "wallet" }, { t: "pay", method: "qris" }, { t: "cancel" }]);

    const placed = chat.type("1");
    expect(placed.effect).toEqual({ type: "place_order", code: "ML86", inputs: { userId: "12345678", zoneId: "1234" }, method: "wallet", price: 18_500 });
    expect(placed.replies).toEqual([]);
    expect(chat.session.step).toEqual({ name: "idle" });
    expect(chat.session.menu).toBeNull();
  });

  it("walks the same path by button presses", () => {
    const chat = new Chat();
    chat.type("/start");
    chat.tap(0);
    expect(chat.session.step).toEqual({ name: "group", category: "game" });
    chat.tap(1);
    expect(chat.session.step).toEqual({ name: "product", category: "game", group: "Mobile Legends", page: 0 });
    chat.tap(0);
    expect(chat.session.step).toEqual({ name: "input", code: "ML86" });
    chat.type("12345678|1234");
    chat.tap(0);
    expect(chat.session.step.name).toBe("payment");
    const placed = chat.tap(1);
    expect(placed.effect).toEqual({ type: "place_order", code: "ML86", inputs: { userId: "12345678", zoneId: "1234" }, method: "qris", price: 18_500 });
  });

  it("places the price fixed at confirmation, with the normalised phone, for a phone product", () => {
    const chat = new Chat();
    chat.type("/menu");
    chat.type("2"); // data: one group, straight to products
    expect(chat.session.step).toEqual({ name: "product", category: "data", group: "Telkomsel", page: 0 });
    chat.type("1");
    expect(chat.session.step).toEqual({ name: "input", code: "TSEL10" });
    chat.type("+62 812-3456-7890");
    expect(chat.session.step).toEqual({ name: "confirm", code: "TSEL10", inputs: { phone: "081234567890" } });
    chat.type("1");
    const placed = chat.type("1");
    expect(placed.effect).toEqual({ type: "place_order", code: "TSEL10", inputs: { phone: "081234567890" }, method: "wallet", price: 45_500 });
  });

  it("buys from the sandbox catalog by typing a code", async () => {
    const facts = shopFacts({ catalog: new CatalogView(await new SandboxProvider().listProducts(), { markup: { global: { percent: 0, flat: 0 }, providers: {}, products: {} } }) });
    const chat = new Chat(facts);
    const input = chat.type("sb-panel1");
    expect(chat.session.step).toEqual({ name: "input", code: "SB-PANEL1" });
    expect(render(menuOf(input))).toContain("SANDBOX");
    chat.type("Budi_01");
    expect(chat.session.step).toEqual({ name: "confirm", code: "SB-PANEL1", inputs: { username: "budi_01" } });
    chat.type("1");
    const placed = chat.type("1");
    expect(placed.effect).toEqual({ type: "place_order", code: "SB-PANEL1", inputs: { username: "budi_01" }, method: "wallet", price: 5_000 });
  });
});

describe("checkout: product codes", () => {
  it.each(["idle", "main", "group", "product", "confirm", "payment"] as const)("jumps to a typed code from the %s step", (start) => {
    const chat = chatAt(start);
    chat.type("tsel10");
    expect(chat.session.step).toEqual({ name: "input", code: "TSEL10" });
  });

  it("matches codes case-insensitively and ignores surrounding spaces", () => {
    const chat = chatAt("main");
    chat.type("  Ml172 ");
    expect(chat.session.step).toEqual({ name: "input", code: "ML172" });
  });

  it("says it did not understand text that is not a code, and stays put", () => {
    const chat = chatAt("group");
    const result = chat.type("diamond murah dong");
    expect(noticeKeys(result)).toEqual(["not-understood"]);
    expect(chat.session.step).toEqual({ name: "group", category: "game" });
  });

  it("does not look up texts longer than any code", () => {
    const chat = chatAt("main");
    const result = chat.type(`ML86${" ".repeat(60)}x`);
    expect(noticeKeys(result)).toEqual(["not-understood"]);
  });
});

describe("checkout: products without input", () => {
  it("skips the input step and offers no retarget", () => {
    const chat = chatAt("main");
    chat.type("3"); // app → Netflix (single group)
    expect(chat.entries().slice(0, 2)).toEqual([
      { t: "prod", code: "NFXSOLD" },
      { t: "prod", code: "NFX1" },
    ]);
    const confirm = chat.type("2");
    expect(chat.session.step).toEqual({ name: "confirm", code: "NFX1", inputs: {} });
    expect(titleKeys(confirm)).toEqual(["confirm-title", "product-summary", "confirm-price"]);
    expect(chat.entries()).toEqual([{ t: "confirm" }, { t: "cancel" }]);
    chat.type("1");
    const placed = chat.type("1");
    expect(placed.effect).toEqual({ type: "place_order", code: "NFX1", inputs: {}, method: "wallet", price: 30_500 });
  });
});

describe("checkout: target input", () => {
  it("re-asks with the phone reason and does not advance", () => {
    const chat = new Chat();
    chat.type("TSEL10");
    const menuId = chat.menuId();
    const result = chat.type("021-345-6789");
    expect(noticeKeys(result)).toEqual(["input-error-phone"]);
    expect(titleKeys(result)).toEqual(["product-summary", "input-prompt-phone"]);
    expect(chat.session.step).toEqual({ name: "input", code: "TSEL10" });
    expect(chat.menuId()).toBeGreaterThan(menuId);
  });

  it("re-asks with the id+zone reason and does not advance", () => {
    const chat = chatAt("input");
    const result = chat.type("12345678");
    expect(noticeKeys(result)).toEqual(["input-error-game-id-zone"]);
    expect(chat.session.step).toEqual({ name: "input", code: "ML86" });
    expect(result.effect).toBeUndefined();
  });

  it("re-asks with the game id reason", () => {
    const chat = new Chat();
    chat.type("FF70");
    expect(noticeKeys(chat.type("abc"))).toEqual(["input-error-game-id"]);
    // A short number that is not on the menu either is still an invalid id, not a menu choice.
    expect(noticeKeys(chat.type("12"))).toEqual(["input-error-game-id"]);
    expect(chat.session.step).toEqual({ name: "input", code: "FF70" });
    chat.type("98765432");
    expect(chat.session.step).toEqual({ name: "confirm", code: "FF70", inputs: { userId: "98765432" } });
  });

  it("reads a short number at the input step as the menu's own choice (1 = cancel)", () => {
    const chat = new Chat();
    chat.type("FF70");
    const result = chat.type("1");
    expect(noticeKeys(result)).toEqual(["checkout-cancelled"]);
    expect(chat.session.step).toEqual({ name: "main" });
  });

  it("treats text at the input step as the target, even when it looks like a product code", () => {
    const chat = chatAt("input");
    const result = chat.type("ML172");
    expect(noticeKeys(result)).toEqual(["input-error-game-id-zone"]);
    expect(chat.session.step).toEqual({ name: "input", code: "ML86" });
  });

  it("lets the buyer change the target from the confirm step", () => {
    const chat = chatAt("confirm");
    chat.tapEntry((entry) => entry.t === "retarget");
    expect(chat.session.step).toEqual({ name: "input", code: "ML86" });
    chat.type("87654321 (4321)");
    expect(chat.session.step).toEqual({ name: "confirm", code: "ML86", inputs: { userId: "87654321", zoneId: "4321" } });
  });

  it("starts over when the product left the catalog while the buyer was typing", () => {
    const chat = chatAt("input");
    chat.facts = shopFacts({ catalog: catalogOf(shopProducts.filter((item) => item.sku !== "ML86")) });
    const result = chat.type("12345678 (1234)");
    expect(noticeKeys(result)).toEqual(["product-gone"]);
    expect(chat.session.step).toEqual({ name: "main" });
  });
});

describe("checkout: stale and wrong choices", () => {
  it("answers a press on an old menu with menu-expired and the current menu, acting on nothing", () => {
    const chat = chatAt("confirm");
    const confirmMenuId = chat.menuId();
    chat.type("1"); // → payment; item 0 of the old confirm menu was "confirm", of this one "wallet"
    const before = chat.session;
    const result = chat.send({ kind: "press", menuId: confirmMenuId, index: 0 });
    expect(result.effect).toBeUndefined();
    expect(noticeKeys(result)).toEqual(["menu-expired"]);
    expect(result.session.step).toEqual(before.step);
    expect(itemKeys(result)).toEqual(["pay-method-wallet", "pay-method-qris", "menu-item-cancel"]);
    expect(menuOf(result).menuId).toBe(result.session.menu?.id);
    expect(result.session.menu!.id).toBeGreaterThan(before.menu!.id);
  });

  it("treats a press on a menu id from the future the same way", () => {
    const chat = chatAt("payment");
    const result = chat.send({ kind: "press", menuId: chat.menuId() + 5, index: 0 });
    expect(result.effect).toBeUndefined();
    expect(noticeKeys(result)).toEqual(["menu-expired"]);
    expect(chat.session.step.name).toBe("payment");
  });

  it("answers a press on an index the current menu does not have with menu-expired", () => {
    const chat = chatAt("group");
    const result = chat.tap(3);
    expect(noticeKeys(result)).toEqual(["menu-expired"]);
    expect(chat.session.step).toEqual({ name: "group", category: "game" });
    expect(result.effect).toBeUndefined();
  });

  it("answers forged callback data with menu-expired and no step change", () => {
    const chat = chatAt("payment");
    const result = chat.send(parseIntent({ action: "pay:wallet" }));
    expect(result.effect).toBeUndefined();
    expect(noticeKeys(result)).toEqual(["menu-expired"]);
    expect(chat.session.step.name).toBe("payment");
  });

  it("answers a press after the order was placed (no menu) with the main menu", () => {
    const chat = chatAt("payment");
    const oldId = chat.menuId();
    chat.type("1");
    const result = chat.send({ kind: "press", menuId: oldId, index: 0 });
    expect(result.effect).toBeUndefined();
    expect(noticeKeys(result)).toEqual(["menu-expired"]);
    expect(chat.session.step).toEqual({ name: "main" });
  });

  it("answers a typed number beyond the menu with menu-bad-number and the menu's size", () => {
    const chat = chatAt("group");
    const result = chat.type("9");
    expect(notices(result)).toEqual([{ key: "menu-bad-number", args: { count: 3 } }]);
    expect(chat.session.step).toEqual({ name: "group", category: "game" });
    // The notice heads the same message as the menu, set off by a blank line.
    expect(result.replies).toHaveLength(1);
    expect(render(result.replies[0]!)).toMatch(/^Nomor itu tidak ada di menu\. Pilih 1–3\.\n\n.*Top-up game — pilih:\n\n1\. /);
  });

  // With no menu on screen yet (a new chat, or right after an order) a number cannot mean
  // anything: the main menu is shown, with no "choose 1–0" notice.
  it("shows the main menu when a number arrives before any menu", () => {
    const chat = new Chat();
    const result = chat.type("5");
    expect(noticeKeys(result)).toEqual([]);
    expect(menuOf(result).items.length).toBeGreaterThan(3);
    expect(chat.session.step).toEqual({ name: "main" });
  });

  it("answers an empty message with text-only and an unknown command by name", () => {
    const chat = chatAt("product");
    expect(noticeKeys(chat.type(""))).toEqual(["text-only"]);
    const unknown = chat.type("/beli ML86");
    expect(notices(unknown)).toEqual([{ key: "unknown-command", args: { command: "/beli" } }]);
    expect(chat.session.step).toEqual({ name: "product", category: "game", group: "Mobile Legends", page: 0 });
  });

  it("leaves info commands to the router and main-menu command entries to the edge", () => {
    const chat = chatAt("confirm");
    const before = chat.session;
    const saldo = chat.type("/saldo");
    expect(saldo).toEqual({ session: before, replies: [] });

    const main = chatAt("main");
    const atMain = main.session;
    const orders = main.tap(5);
    expect(orders.effect).toEqual({ type: "command", command: "orders" });
    expect(orders.session).toBe(atMain);
    expect(main.type("7").effect).toEqual({ type: "command", command: "help" });
    expect(main.type("5").effect).toEqual({ type: "command", command: "saldo" });
  });
});

describe("checkout: cancel", () => {
  const steps = ["idle", "main", "group", "product", "input", "confirm", "payment"] as const;

  it.each(steps)("/cancel from the %s step returns to main with checkout-cancelled", (start) => {
    const chat = chatAt(start);
    const result = chat.type("/cancel");
    expect(noticeKeys(result)).toEqual(["checkout-cancelled"]);
    expect(chat.session.step).toEqual({ name: "main" });
    expect(titleKeys(result)).toEqual(["menu-main-title"]);
    expect(result.effect).toBeUndefined();
  });

  it.each(["batal", "/batal", "/batal@WarungBot"])("%j cancels too", (text) => {
    const chat = chatAt("payment");
    expect(noticeKeys(chat.type(text))).toEqual(["checkout-cancelled"]);
    expect(chat.session.step).toEqual({ name: "main" });
  });

  it.each(["input", "confirm", "payment"] as const)("the cancel item of the %s menu cancels", (start) => {
    const chat = chatAt(start);
    const result = chat.tapEntry((entry) => entry.t === "cancel");
    expect(noticeKeys(result)).toEqual(["checkout-cancelled"]);
    expect(chat.session.step).toEqual({ name: "main" });
  });

  it("/menu and /start go back to main without a notice", () => {
    const chat = chatAt("confirm");
    expect(noticeKeys(chat.type("/menu"))).toEqual([]);
    expect(chat.session.step).toEqual({ name: "main" });
  });
});

describe("checkout: unavailable products", () => {
  it("shows an out-of-stock product as unavailable and refuses it by number, press and code", () => {
    const chat = chatAt("main");
    const menu = chat.type("3");
    expect(itemKeys(menu)[0]).toBe("menu-product-unavailable");
    expect(render(menuOf(menu))).toContain("Netflix habis — Rp 25.500 (tidak tersedia)");
    const step = chat.session.step;

    const byNumber = chat.type("1");
    expect(notices(byNumber)).toEqual([{ key: "product-out-of-stock", args: { name: "Netflix habis" } }]);
    expect(chat.session.step).toEqual(step);

    expect(noticeKeys(chat.tap(0))).toEqual(["product-out-of-stock"]);
    expect(chat.session.step).toEqual(step);

    expect(noticeKeys(chat.type("nfxsold"))).toEqual(["product-out-of-stock"]);
    expect(chat.session.step).toEqual(step);
  });

  it("shows a down provider's product as unavailable and refuses it", () => {
    const chat = chatAt("main");
    const menu = chat.type("4");
    expect(itemKeys(menu)).toEqual(["menu-product-unavailable", "menu-item-back"]);
    const result = chat.type("1");
    expect(notices(result)).toEqual([{ key: "product-provider-down", args: { name: "Premzone Gold" } }]);
    expect(chat.session.step).toEqual({ name: "product", category: "plan", group: "Premzone", page: 0 });
    expect(noticeKeys(chat.type("GOLD"))).toEqual(["product-provider-down"]);
  });

  it("refuses to go on to payment when stock ran out after the confirm screen", () => {
    const chat = chatAt("confirm");
    chat.facts = shopFacts({ catalog: catalogOf(shopProducts.map((item) => (item.sku === "ML86" ? { ...item, stock: 0 } : item))) });
    const result = chat.type("1");
    expect(noticeKeys(result)).toEqual(["product-out-of-stock"]);
    expect(chat.session.step).toEqual({ name: "main" });
  });

  it("starts over with product-gone when the product vanished before confirmation", () => {
    const chat = chatAt("confirm");
    chat.facts = shopFacts({ catalog: catalogOf(shopProducts.filter((item) => item.sku !== "ML86")) });
    const result = chat.tapEntry((entry) => entry.t === "confirm");
    expect(noticeKeys(result)).toEqual(["product-gone"]);
    expect(chat.session.step).toEqual({ name: "main" });
  });
});

describe("checkout: paging", () => {
  it("shows eight products, then next/back; page 2 has the rest with prev/back", () => {
    expect(pageSize).toBe(8);
    const chat = new Chat(vpsFacts());
    chat.type("/start");
    const first = chat.type("1");
    expect(chat.session.step).toEqual({ name: "product", category: "vps", group: "VPS", page: 0 });
    expect(chat.entries()).toEqual([
      ...[1, 2, 3, 4, 5, 6, 7, 8].map((n) => ({ t: "prod", code: `VPS${n}` })),
      { t: "page", page: 1 },
      { t: "back" },
    ]);
    expect(itemKeys(first).slice(8)).toEqual(["menu-item-next-page", "menu-item-back"]);
    expect(asList(menuOf(first).title)[1]).toEqual({ key: "menu-page", args: { page: 1, pages: 2 } });

    const second = chat.type("9");
    expect(chat.session.step).toEqual({ name: "product", category: "vps", group: "VPS", page: 1 });
    expect(chat.entries()).toEqual([{ t: "prod", code: "VPS9" }, { t: "prod", code: "VPS10" }, { t: "page", page: 0 }, { t: "back" }]);
    expect(render(menuOf(second))).toContain("Halaman 2/2");
    expect(render(menuOf(second))).toContain("1. Product VPS9 — Rp 90.500");

    chat.type("2");
    expect(chat.session.step).toEqual({ name: "confirm", code: "VPS10", inputs: {} });
  });

  it("goes back a page with prev and selects on the current page by number", () => {
    const chat = new Chat(vpsFacts());
    chat.type("/start");
    chat.type("1");
    chat.tapEntry((entry) => entry.t === "page");
    chat.tapEntry((entry) => entry.t === "page");
    expect(chat.session.step).toEqual({ name: "product", category: "vps", group: "VPS", page: 0 });
    chat.type("3");
    expect(chat.session.step).toEqual({ name: "confirm", code: "VPS3", inputs: {} });
  });

  it("shows no page line or page entries when everything fits", () => {
    const chat = chatAt("product");
    expect(titleKeys(chat.last!)).toEqual(["menu-product-title"]);
    expect(chat.entries().some((entry) => entry.t === "page")).toBe(false);
  });
});

describe("checkout: back navigation", () => {
  it("goes from a product list back to the group list when the category has several groups", () => {
    const chat = chatAt("product");
    chat.tapEntry((entry) => entry.t === "back");
    expect(chat.session.step).toEqual({ name: "group", category: "game" });
  });

  it("goes from the group list back to main", () => {
    const chat = chatAt("group");
    chat.type("3");
    expect(chat.session.step).toEqual({ name: "main" });
  });

  it("goes from a single-group product list straight back to main", () => {
    const chat = chatAt("main");
    chat.type("2");
    expect(chat.session.step).toEqual({ name: "product", category: "data", group: "Telkomsel", page: 0 });
    chat.type("2");
    expect(chat.session.step).toEqual({ name: "main" });
  });
});

describe("checkout: buying paused", () => {
  const paused = () => shopFacts({ buyingPaused: "Stok sedang diperbarui" });

  it("lets the buyer browse and enter a target", () => {
    const chat = chatAt("confirm", paused());
    expect(chat.session.step).toEqual({ name: "confirm", code: "ML86", inputs: { userId: "12345678", zoneId: "1234" } });
  });

  it("blocks going on to payment with the owner's message", () => {
    const chat = chatAt("confirm", paused());
    const result = chat.type("1");
    expect(notices(result)).toEqual([{ key: "shop-paused", args: { message: "Stok sedang diperbarui" } }]);
    expect(chat.session.step.name).toBe("confirm");
    expect(result.effect).toBeUndefined();
  });

  it("blocks paying when the pause started on the payment screen", () => {
    const chat = chatAt("payment");
    chat.facts = paused();
    const result = chat.type("1");
    expect(noticeKeys(result)).toEqual(["shop-paused"]);
    expect(result.effect).toBeUndefined();
    expect(chat.session.step.name).toBe("payment");
  });
});

describe("checkout: payment menu", () => {
  it("shows the wallet balance when it is known", () => {
    const chat = chatAt("confirm", shopFacts({ walletBalance: 50_000 }));
    const result = chat.type("1");
    expect(menuOf(result).items[0]?.label).toEqual({ key: "pay-method-wallet-balance", args: { balance: "Rp 50.000" } });
    expect(render(menuOf(result))).toContain("1. Saldo (sisa Rp 50.000)");
    expect(render(menuOf(result))).toContain("2. QRIS");
  });

  it("shows a plain wallet label when the balance was not loaded", () => {
    const chat = chatAt("payment");
    expect(itemKeys(chat.last!)).toEqual(["pay-method-wallet", "pay-method-qris", "menu-item-cancel"]);
  });

  it("offers the methods the facts allow for the product, in their order", () => {
    const chat = chatAt("confirm", shopFacts({ paymentMethods: (item) => (item.code === "ML86" ? ["provider_qris", "wallet"] : ["wallet"]) }));
    chat.type("1");
    expect(chat.entries()).toEqual([{ t: "pay", method: "provider_qris" }, { t: "pay", method: "wallet" }, { t: "cancel" }]);
    expect(chat.type("1").effect).toMatchObject({ type: "place_order", method: "provider_qris" });
  });

  it("asks for the methods of a discounted order (tier price) and says why one is held back", () => {
    const asked: boolean[] = [];
    const paymentMethods = (_item: unknown, discounted?: boolean) => {
      asked.push(discounted ?? false);
      return discounted ? ["wallet"] : ["provider_qris", "wallet"];
    };
    const chat = chatAt("confirm", shopFacts({ paymentMethods, tier: { name: "vip", percent: -5 } }));
    const payment = chat.type("1");
    expect(asked).toContain(true);
    expect(chat.entries()).toEqual([{ t: "pay", method: "wallet" }, { t: "cancel" }]);
    expect(titleKeys(payment)).toContain("payment-provider-price-only");
  });

  it("offers every method at the normal price, with no note", () => {
    const chat = chatAt("confirm", shopFacts({ paymentMethods: (_item, discounted) => (discounted ? ["wallet"] : ["provider_qris", "wallet"]) }));
    const payment = chat.type("1");
    expect(chat.entries()).toEqual([{ t: "pay", method: "provider_qris" }, { t: "pay", method: "wallet" }, { t: "cancel" }]);
    expect(titleKeys(payment)).not.toContain("payment-provider-price-only");
  });
});

describe("checkout: menu ids", () => {
  it("only grow, across every kind of step, stale press, cancel and a placed order", () => {
    const chat = new Chat();
    const seen: number[] = [];
    const record = (result: StepResult) => {
      for (const reply of result.replies) if (reply.kind === "menu") seen.push(reply.menuId);
      expect(chat.session.menu === null || chat.session.menu.id === chat.session.menuSeq).toBe(true);
    };
    record(chat.type("/start"));
    record(chat.type("1"));
    record(chat.type("99"));
    record(chat.type("2"));
    record(chat.send({ kind: "stale" }));
    record(chat.type("1"));
    record(chat.type("nope"));
    record(chat.type("12345678 1234"));
    record(chat.type("/cancel"));
    record(chat.type("ML86"));
    record(chat.type("12345678 1234"));
    record(chat.type("1"));
    const seqBeforeOrder = chat.session.menuSeq;
    record(chat.type("1")); // order placed, no menu
    expect(chat.session.menuSeq).toBe(seqBeforeOrder);
    record(chat.type("/menu"));
    expect(seen.length).toBeGreaterThan(10);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThan(seen[i - 1]!);
    expect(seen.at(-1)).toBe(seqBeforeOrder + 1);
  });
});

describe("checkout: a subscription period (aluy VPS, input months)", () => {
  const vps = product({ sku: "VPS1G", provider: "aluy", category: "vps", group: "VPS Starter", basePrice: 86_000, input: "months", delivery: "vps", name: "VPS 1 GB" });
  const facts = () => shopFacts({ catalog: catalogOf([vps]) });

  it("asks for 1, 3, 6 or 12 months and prices the order at the monthly price times the months", () => {
    const chat = new Chat(facts());
    chat.type("VPS1G");
    expect(titleKeys(chat.last!)).toEqual(["product-summary", "input-prompt-months"]);
    const wrong = chat.type("2");
    expect(noticeKeys(wrong)).toContain("input-error-months");
    const confirm = chat.type("3");
    expect(chat.session.step).toEqual({ name: "confirm", code: "VPS1G", inputs: { months: "3" } });
    const title = asList(menuOf(confirm).title);
    expect(title).toContainEqual(expect.objectContaining({ key: "confirm-months", args: { months: 3, monthly: "Rp 86.500" } }));
    expect(title).toContainEqual(expect.objectContaining({ key: "confirm-price", args: { price: "Rp 259.500" } }));
    chat.type("1");
    const placed = chat.type("1");
    expect(placed.effect).toEqual({ type: "place_order", code: "VPS1G", inputs: { months: "3" }, method: "wallet", price: 259_500 });
  });
});

describe("checkout: the OS chosen at order time (aluy VPS templates)", () => {
  const templates = [
    { id: 1, label: "Ubuntu 24.04 LTS" },
    { id: 2, label: "Debian 12" },
  ];
  const base = { provider: "aluy", category: "vps", group: "VPS Starter", basePrice: 86_000, input: "months", delivery: "vps", name: "VPS 1 GB" } as const;
  const withOs = product({ ...base, sku: "VPS1G", meta: { kind: "preset", variantId: "v1", osChoices: JSON.stringify(templates) } });

  it("asks for the OS after the months as a numbered choice, shows it on the confirm step, and orders with it", () => {
    const chat = new Chat(shopFacts({ catalog: catalogOf([withOs]) }));
    chat.type("VPS1G");
    const os = chat.type("3");
    expect(chat.session.step).toEqual({ name: "os", code: "VPS1G", inputs: { months: "3" } });
    expect(titleKeys(os)).toEqual(["product-summary", "input-prompt-os"]);
    expect(menuOf(os).items.map((item) => item.label)).toEqual([
      expect.objectContaining({ key: "menu-os", args: { os: "Ubuntu 24.04 LTS" } }),
      expect.objectContaining({ key: "menu-os", args: { os: "Debian 12" } }),
      expect.objectContaining({ key: "menu-item-cancel" }),
    ]);
    expectRenderable(os);
    const confirm = chat.type("2");
    expect(chat.session.step).toEqual({ name: "confirm", code: "VPS1G", inputs: { months: "3", os: "2" } });
    const title = asList(menuOf(confirm).title);
    expect(title).toContainEqual(expect.objectContaining({ key: "confirm-os", args: { os: "Debian 12" } }));
    expect(title).toContainEqual(expect.objectContaining({ key: "confirm-months", args: { months: 3, monthly: "Rp 86.500" } }));
    expect(title).toContainEqual(expect.objectContaining({ key: "confirm-price", args: { price: "Rp 259.500" } }));
    expectRenderable(confirm);
    chat.type("1");
    const placed = chat.type("1");
    expect(placed.effect).toEqual({ type: "place_order", code: "VPS1G", inputs: { months: "3", os: "2" }, method: "wallet", price: 259_500 });
  });

  it("skips the step when the provider offers no OS list (aluy's default OS)", () => {
    const chat = new Chat(shopFacts({ catalog: catalogOf([product({ ...base, sku: "VPS1G", meta: { kind: "preset", variantId: "v1" } })]) }));
    chat.type("VPS1G");
    chat.type("1");
    expect(chat.session.step).toEqual({ name: "confirm", code: "VPS1G", inputs: { months: "1" } });
  });

  it("asks again when the list changed between the choice and the confirmation", () => {
    const chat = new Chat(shopFacts({ catalog: catalogOf([withOs]) }));
    chat.type("VPS1G");
    chat.type("1");
    chat.type("2");
    const changed = product({ ...base, sku: "VPS1G", meta: { kind: "preset", variantId: "v1", osChoices: JSON.stringify([templates[0]]) } });
    chat.facts = shopFacts({ catalog: catalogOf([changed]) });
    const again = chat.type("1");
    expect(again.effect).toBeUndefined();
    expect(chat.session.step).toEqual({ name: "os", code: "VPS1G", inputs: { months: "1" } });
  });
});

describe("checkout: tier prices and vouchers (issue 17)", () => {
  const reseller = { name: "reseller", percent: -2 };
  const terms = { code: "HEMAT100", kind: "flat" as const, value: 100 };

  it("shows tier prices in the product menu and the price lines on confirm", () => {
    const chat = chatAt("product", shopFacts({ tier: reseller }));
    // ML86 sells at Rp 18.500; reseller -2 % = Rp 18.130.
    expect(render(menuOf(chat.last!))).toContain("Mobile Legends 86 Diamonds — Rp 18.130");
    chat.type("1");
    const confirm = chat.type("12345678 (1234)");
    expect(titleKeys(confirm)).toEqual(["confirm-title", "product-summary", "confirm-target", "confirm-price-list", "confirm-tier-discount", "confirm-price"]);
    expect(render(menuOf(confirm))).toContain("Rp 18.130");
    const payment = chat.type("1");
    expect(chat.session.step).toMatchObject({ name: "payment", price: 18_130 });
    expect(titleKeys(payment)).toEqual(["payment-title", "confirm-price"]);
  });

  it("offers a voucher only while the shop has one on; a typed code then asks the edge", () => {
    const without = chatAt("confirm");
    expect(without.entries()).not.toContainEqual({ t: "voucher" });
    expect(noticeKeys(without.type("HEMAT100"))).toEqual(["not-understood"]);

    const chat = chatAt("confirm", shopFacts({ vouchers: true }));
    expect(chat.entries()).toEqual([{ t: "confirm" }, { t: "voucher" }, { t: "retarget" }, { t: "cancel" }]);
    const typed = chat.type("hemat100");
    expect(typed.effect).toEqual({ type: "check_voucher", voucher: "HEMAT100" });
    const prompt = chat.tapEntry((entry) => entry.t === "voucher");
    expect(chat.session.step.name).toBe("voucher");
    expect(titleKeys(prompt)).toEqual(["product-summary", "voucher-prompt"]);
    // All digits is still a code here; "1" is the menu's "back".
    expect(chat.type("12345").effect).toEqual({ type: "check_voucher", voucher: "12345" });
    // The edge answers every check_voucher through applyVoucher, which shows the confirm step again.
    chat.session = applyVoucher(chat.session, { ok: false, code: "12345", reason: "unknown" }, chat.facts).session;
    chat.tapEntry((entry) => entry.t === "voucher");
    chat.type("1");
    expect(chat.session.step.name).toBe("confirm");
  });

  it("applies the edge's answer: price before and after, or the refusal's reason", () => {
    const chat = chatAt("confirm", shopFacts({ vouchers: true, tier: reseller }));
    const applied = applyVoucher(chat.session, { ok: true, terms }, chat.facts);
    chat.session = applied.session;
    expect(noticeKeys(applied)).toEqual(["voucher-applied"]);
    expect(titleKeys(applied)).toEqual(["confirm-title", "product-summary", "confirm-target", "confirm-price-list", "confirm-tier-discount", "confirm-voucher-discount", "confirm-price"]);
    expect(render(menuOf(applied))).toContain("Rp 18.030");
    expect(chat.entries()).toContainEqual({ t: "unvoucher" });
    chat.type("1");
    const placed = chat.type("1");
    expect(placed.effect).toMatchObject({ type: "place_order", price: 18_030, voucher: terms });

    const refused = applyVoucher(chatAt("confirm", shopFacts({ vouchers: true })).session, { ok: false, code: "X1X", reason: "expired" }, shopFacts());
    expect(noticeKeys(refused)).toEqual(["voucher-refused-expired"]);
  });

  it("never takes a voucher below cost: the confirm shows the floored price", () => {
    const chat = chatAt("confirm", shopFacts({ vouchers: true }));
    const applied = applyVoucher(chat.session, { ok: true, terms: { ...terms, value: 5_000 } }, chat.facts);
    // ML86 costs Rp 18.000: the Rp 5.000 voucher gives only Rp 500.
    expect(render(menuOf(applied))).toContain("Rp 18.000");
    expect(render(menuOf(applied))).toContain("-Rp 500");
  });
});

describe("checkout: own stock (quantity and Kabari saya)", () => {
  const stockProduct = (sku: string, stock: number) =>
    product({ sku, provider: "stock", category: "shop", group: "Produk toko", name: `Akun ${sku}`, basePrice: 4_000, fixedPrice: 12_000, stock, multiUnit: true, input: "none" });
  const facts = (stock: number) => shopFacts({ catalog: catalogOf([...shopProducts, stockProduct("AKUN", stock), stockProduct("SOLO", 1)]) });

  it("asks how many (1 up to min(stock, 10)) at the owner's price, and carries price × quantity to the order", () => {
    const chat = new Chat(facts(14));
    chat.type("/start");
    const list = chat.tapEntry((entry) => entry.t === "cat" && entry.category === "shop");
    expect(itemKeys(list)).toContain("menu-product-stock");
    expect(render(menuOf(list))).toContain("Akun AKUN — Rp 12.000 (stok 14)");
    const quantities = chat.type("AKUN");
    expect(chat.session.step).toEqual({ name: "qty", code: "AKUN", inputs: {} });
    expect(chat.entries().filter((entry) => entry.t === "qty")).toHaveLength(10);
    expect(titleKeys(quantities)).toContain("input-prompt-qty");
    const confirm = chat.type("3");
    expect(chat.session.step).toEqual({ name: "confirm", code: "AKUN", inputs: {}, qty: 3 });
    expect(render(menuOf(confirm))).toContain("Rp 36.000");
    expect(titleKeys(confirm)).toContain("confirm-quantity");
    chat.tapEntry((entry) => entry.t === "confirm");
    expect(chat.session.step).toMatchObject({ name: "payment", price: 36_000, qty: 3 });
    const paid = chat.tapEntry((entry) => entry.t === "pay" && entry.method === "wallet");
    expect(paid.effect).toEqual({ type: "place_order", code: "AKUN", inputs: {}, method: "wallet", price: 36_000, quantity: 3 });
  });

  it("shows the buyer's tier price in the quantity menu and the confirm's unit price (issue 17 review)", () => {
    // Rp 12.000 a unit; reseller -2 % = Rp 11.760, so 3 units are Rp 35.280.
    const chat = new Chat({ ...facts(14), tier: { name: "reseller", percent: -2 } });
    chat.type("/start");
    const quantities = chat.type("AKUN");
    expect(render(menuOf(quantities))).toContain("3 × — Rp 35.280");
    expect(render(menuOf(quantities))).not.toContain("Rp 36.000");
    const confirm = chat.type("3");
    expect(render(menuOf(confirm))).toContain("3 × Rp 11.760");
    expect(render(menuOf(confirm))).not.toContain("Rp 12.000");
    chat.tapEntry((entry) => entry.t === "confirm");
    expect(chat.session.step).toMatchObject({ name: "payment", price: 35_280, qty: 3 });
  });

  it("skips the quantity step when only one is left", () => {
    const chat = new Chat(facts(5));
    chat.type("/start");
    chat.type("SOLO");
    expect(chat.session.step).toEqual({ name: "confirm", code: "SOLO", inputs: {} });
  });

  it("offers 'Kabari saya' on a sold-out own product and asks the edge to remember the buyer", () => {
    const chat = new Chat(facts(0));
    chat.type("/start");
    const soldOut = chat.type("AKUN");
    expect(chat.session.step).toEqual({ name: "soldout", code: "AKUN" });
    expect(titleKeys(soldOut)).toEqual(["product-out-of-stock"]);
    const asked = chat.tapEntry((entry) => entry.t === "notify");
    expect(asked.effect).toEqual({ type: "notify_restock", code: "AKUN" });
  });
});
