import { describe, expect, it } from "vitest";
import { decodeMenuPress } from "../../src/bot/callback-data.js";
import { parseIntent } from "../../src/bot/intent.js";
import { textReply, type Reply } from "../../src/core/reply.js";
import { menuButtons, renderMenuTitle, renderText, splitText } from "../../src/channels/render.js";
import { Translator } from "../../src/i18n/translator.js";
import { msg } from "../../src/core/message.js";

type MenuReply = Extract<Reply, { kind: "menu" }>;

const translator = new Translator("id");

const menu: MenuReply = {
  kind: "menu",
  title: [msg("menu-main-title", { shop: "Toko Uji" }), msg("menu-page", { page: 1, pages: 2 })],
  items: [{ label: msg("menu-category", { category: msg("category-game"), count: 3 }) }, { label: msg("menu-item-saldo") }, { label: msg("menu-item-help") }],
  menuId: 42,
  footer: msg("menu-footer"),
};

describe("renderText", () => {
  it("renders a one-message text reply", () => {
    expect(renderText(translator, "id", textReply(msg("checkout-cancelled")))).toBe("Dibatalkan.");
    expect(renderText(translator, "en", textReply(msg("checkout-cancelled")))).toBe("Cancelled.");
  });

  it("renders a text reply of several messages in order, each on its own line", () => {
    const text = renderText(translator, "id", textReply(msg("menu-expired"), msg("product-out-of-stock", { name: "ML86" })));
    expect(text.split("\n").filter((line) => line.length > 0)).toEqual(["⌛ Menu ini sudah kedaluwarsa. Ini menu terbaru:", "Maaf, ML86 sedang habis."]);
  });

  it("renders a photo as its caption", () => {
    const photo: Reply = { kind: "photo", png: Buffer.from([0x89, 0x50, 0x4e, 0x47]), caption: msg("confirm-price", { price: "Rp 18.500" }) };
    expect(renderText(translator, "id", photo)).toBe("💵 Harga: Rp 18.500");
  });

  it("renders a menu as title lines, numbered items from 1, and the footer", () => {
    expect(renderText(translator, "id", menu)).toBe(
      [
        "🏪 Toko Uji — pilih kategori:",
        "Halaman 1/2",
        "",
        "1. 🎮 Top-up game (3)",
        "2. 💰 Saldo & isi saldo",
        "3. ❓ Bantuan",
        "",
        "Balas dengan nomor pilihan.",
      ].join("\n"),
    );
  });

  it("renders in the requested locale", () => {
    expect(renderText(translator, "en", menu)).toContain("1. 🎮 Game top-ups (3)");
  });

  it("leaves out the footer block when there is none", () => {
    const bare: MenuReply = { kind: "menu", title: msg("payment-title"), items: [{ label: msg("pay-method-wallet") }], menuId: 1 };
    expect(renderText(translator, "id", bare)).toBe("💳 Pilih cara bayar:\n\n1. Saldo");
  });

  it("bolds only the first title line", () => {
    const text = renderText(translator, "id", menu, (line) => `*${line}*`);
    expect(text.split("\n").slice(0, 2)).toEqual(["*🏪 Toko Uji — pilih kategori:*", "Halaman 1/2"]);
    expect(text).not.toContain("*1.");
  });
});

describe("renderMenuTitle", () => {
  it("renders the title lines without items or footer", () => {
    expect(renderMenuTitle(translator, "id", menu)).toBe("🏪 Toko Uji — pilih kategori:\nHalaman 1/2");
  });
});

describe("menuButtons", () => {
  it("labels buttons with the same numbers as the text menu", () => {
    expect(menuButtons(translator, "id", menu).map((button) => button.label)).toEqual(["1. 🎮 Top-up game (3)", "2. 💰 Saldo & isi saldo", "3. ❓ Bantuan"]);
  });

  it("carries data that decodes back to this menu and the button's index", () => {
    const buttons = menuButtons(translator, "id", menu);
    buttons.forEach((button, index) => {
      expect(decodeMenuPress(button.data)).toEqual({ menuId: 42, index });
      expect(parseIntent({ action: button.data })).toEqual({ kind: "press", menuId: 42, index });
    });
  });

  it("keeps data within Telegram's 64 bytes for a large menu", () => {
    const big: MenuReply = { ...menu, menuId: 987_654_321, items: Array.from({ length: 12 }, () => ({ label: msg("menu-item-back") })) };
    for (const button of menuButtons(translator, "id", big)) expect(Buffer.byteLength(button.data)).toBeLessThanOrEqual(64);
  });
});

describe("splitText", () => {
  /** All the text, ignoring where the line breaks were. */
  const content = (parts: string[]) => parts.join("").replace(/\n/g, "");

  it("returns short text as one chunk, unchanged", () => {
    expect(splitText("halo", 10)).toEqual(["halo"]);
    expect(splitText("a".repeat(10), 10)).toEqual(["a".repeat(10)]);
    expect(splitText("", 10)).toEqual([""]);
  });

  it("keeps every chunk within the limit", () => {
    const text = Array.from({ length: 200 }, (_, i) => `ORD-${String(i).padStart(8, "0")} · Mobile Legends ${i} Diamonds · Rp ${i}.000`).join("\n");
    for (const limit of [50, 100, 333, 4096]) {
      const chunks = splitText(text, limit);
      for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(limit);
      expect(content(chunks)).toBe(content([text]));
    }
  });

  it("splits at line breaks, so whole lines survive and the chunks join back to the text", () => {
    const lines = Array.from({ length: 30 }, (_, i) => `baris ${i}: ${"x".repeat(i % 7)}`);
    const text = lines.join("\n");
    const chunks = splitText(text, 60);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) for (const line of chunk.split("\n")) expect(lines).toContain(line);
    expect(chunks.join("\n")).toBe(text);
  });

  it("packs as many whole lines into a chunk as fit", () => {
    expect(splitText("aaa\nbbb\nccc\nddd", 7)).toEqual(["aaa\nbbb", "ccc\nddd"]);
    expect(splitText("aaa\nbbb\nccc", 8)).toEqual(["aaa\nbbb", "ccc"]);
  });

  it("cuts a single line longer than the limit into limit-sized pieces", () => {
    const line = "0123456789".repeat(5);
    const chunks = splitText(line, 12);
    expect(chunks).toEqual(["012345678901", "234567890123", "456789012345", "678901234567", "89"]);
    expect(chunks.join("")).toBe(line);
  });

  it("handles a long line between short ones without losing content", () => {
    const text = `judul\n${"y".repeat(25)}\npenutup`;
    const chunks = splitText(text, 10);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(10);
    expect(chunks[0]).toBe("judul");
    expect(chunks.at(-1)).toBe("penutup");
    expect(content(chunks)).toBe(content([text]));
  });

  // Cutting a long line never splits a surrogate pair, so no chunk carries a lone half of an emoji
  // (shown as "�" or refused as invalid UTF-8).
  it("never splits an emoji in half when it has to cut a long line", () => {
    const chunks = splitText("🎮".repeat(5), 3);
    const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    expect(chunks.join("")).toBe("🎮".repeat(5));
    for (const chunk of chunks) expect(chunk).not.toMatch(loneSurrogate);
  });
});

describe("Translator format errors", () => {
  it("renders a missing argument as a placeholder and reports the key, never the arguments", () => {
    const reported: { key: string; errors: readonly Error[] }[] = [];
    const strict = new Translator("id", (key, errors) => reported.push({ key, errors }));
    expect(strict.t("en", "menu-bad-number", {})).toBe("That number is not on the menu. Choose 1–{$count}.");
    expect(reported.map((entry) => entry.key)).toEqual(["menu-bad-number"]);
    expect(reported[0]!.errors.map((error) => error.message).join()).toContain("count");
    expect(strict.t("en", "menu-bad-number", { count: 3 })).toBe("That number is not on the menu. Choose 1–3.");
    expect(reported).toHaveLength(1);
  });
});
