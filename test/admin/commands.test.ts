/**
 * Reading admin commands: prefixes per channel, bot mentions, and each command's arguments
 * turned into a typed command or its usage line.
 */
import { describe, expect, it } from "vitest";
import type { ParsedCommand as AdminCommand } from "../../src/admin/commands/command.js";
import { adminOnlyCommands, parseCommand, readCommand } from "../../src/admin/commands/read.js";
import { adminCommandNames, usages } from "../../src/admin/commands/registry.js";

function parse(text: string, channel: "telegram" | "whatsapp" = "telegram"): AdminCommand | "usage" | null {
  const read = readCommand(text, channel);
  if (!read) return null;
  const parsed = parseCommand(read);
  return parsed.ok ? parsed.command : "usage";
}

describe("readCommand", () => {
  it("takes / everywhere and . on WhatsApp only, with English names in any case", () => {
    expect(readCommand("/PAID ord-abcdefgh", "telegram")).toEqual({ name: "paid", args: "ord-abcdefgh" });
    expect(readCommand(".paid ORD-ABCDEFGH", "whatsapp")).toEqual({ name: "paid", args: "ORD-ABCDEFGH" });
    expect(readCommand(".paid ORD-ABCDEFGH", "telegram")).toBeNull();
    expect(readCommand("/help@warung_bot", "telegram")).toEqual({ name: "help", args: "", mention: "warung_bot" });
    expect(readCommand("/bayar ORD-ABCDEFGH", "telegram")).toBeNull();
    expect(readCommand("paid ORD-ABCDEFGH", "telegram")).toBeNull();
    expect(readCommand("/broadcast line one\n\nline two  ", "telegram")).toEqual({ name: "broadcast", args: "line one\n\nline two" });
    expect(readCommand(`/broadcast ${"x".repeat(6_000)}`, "telegram")).toBeNull();
  });

  it("knows which names are the admin's alone", () => {
    expect([...adminOnlyCommands].sort()).toEqual(["audit", "backup", "broadcast", "credit", "deposit", "export", "maintenance", "markup", "paid", "payment", "product", "promo", "reconcile", "refund", "replace", "resolve", "retry", "stats", "stock", "tier", "user", "voucher"]);
    expect(Object.keys(usages)).toHaveLength(26);
  });
});

describe("parseCommand", () => {
  it("reads order, payment and money arguments", () => {
    expect(parse("/orders")).toEqual({ name: "orders", status: null, limit: 10 });
    expect(parse("/orders FAILED 5")).toEqual({ name: "orders", status: "failed", limit: 5 });
    expect(parse("/orders 20")).toEqual({ name: "orders", status: null, limit: 20 });
    expect(parse("/orders 500")).toBe("usage");
    expect(parse("/orders lost")).toBe("usage");
    expect(parse("/order ord-abcd2345")).toEqual({ name: "order", id: "ORD-ABCD2345" });
    expect(parse("/paid top-0a1b2c3d4e")).toEqual({ name: "paid", id: "TOP-0A1B2C3D4E" });
    expect(parse("/paid 12345")).toBe("usage");
    expect(parse("/refund ORD-ABCD2345 buyer  typed\nthe wrong ID")).toEqual({ name: "refund", id: "ORD-ABCD2345", reason: "buyer  typed\nthe wrong ID" });
    expect(parse("/refund ORD-ABCD2345")).toEqual({ name: "refund", id: "ORD-ABCD2345", reason: null });
    expect(parse("/deposit ALXZEN 1,5jt")).toEqual({ name: "deposit", provider: "alxzen", amount: 1_500_000 });
    expect(parse("/deposit nowhere 1000")).toBe("usage");
  });

  it("reads buyers and signed amounts, and requires a reason for credits", () => {
    expect(parse("/user telegram:123")).toEqual({ name: "user", user: ["telegram:123"] });
    expect(parse("/user wa:+628123456")).toEqual({ name: "user", user: ["whatsapp:628123456"] });
    expect(parse("/user 08123456")).toEqual({ name: "user", user: ["telegram:08123456", "whatsapp:628123456"] });
    expect(parse("/user budi")).toBe("usage");
    expect(parse("/credit 628123456 -25.000 wrong top-up")).toEqual({ name: "credit", user: ["telegram:628123456", "whatsapp:628123456"], amount: -25_000, reason: "wrong top-up" });
    expect(parse("/credit telegram:5 +10rb bonus")).toEqual({ name: "credit", user: ["telegram:5"], amount: 10_000, reason: "bonus" });
    expect(parse("/credit telegram:5 10000")).toBe("usage");
    expect(parse("/credit telegram:5")).toBe("usage");
    expect(parse("/credit")).toBe("usage");
    expect(parse("/credit telegram:5 - oops")).toBe("usage");
    expect(parse("/credit telegram:5 0 nothing")).toBe("usage");
  });

  it("reads settings and reports", () => {
    expect(parse("/markup")).toEqual({ name: "markup", set: null });
    expect(parse("/markup GLOBAL 10%")).toEqual({ name: "markup", set: { target: { level: "global" }, markup: { percent: 10, flat: 0 } } });
    expect(parse("/markup Odzreshop off")).toEqual({ name: "markup", set: { target: { level: "provider", provider: "odzreshop" }, markup: null } });
    expect(parse("/markup sb-ml86 Rp2.000")).toEqual({ name: "markup", set: { target: { level: "product", code: "SB-ML86" }, markup: { percent: 0, flat: 2_000 } } });
    expect(parse("/markup global")).toBe("usage");
    expect(parse("/product OFF sb-nfx1")).toEqual({ name: "product", visible: false, code: "SB-NFX1" });
    expect(parse("/product hide SB-NFX1")).toBe("usage");
    expect(parse("/maintenance")).toEqual({ name: "maintenance", change: null });
    expect(parse("/maintenance ON Libur Lebaran, buka lagi 5 April")).toEqual({ name: "maintenance", change: { on: true, message: "Libur Lebaran, buka lagi 5 April" } });
    expect(parse("/maintenance on")).toEqual({ name: "maintenance", change: { on: true, message: null } });
    expect(parse("/maintenance off")).toEqual({ name: "maintenance", change: { on: false } });
    expect(parse("/maintenance off now")).toBe("usage");
  });

  it("reads vouchers, tiers and promo codes (issue 17)", () => {
    expect(parse("/voucher")).toEqual({ name: "voucher", action: { kind: "list" } });
    expect(parse("/voucher hemat10")).toEqual({ name: "voucher", action: { kind: "show", code: "HEMAT10" } });
    expect(parse("/voucher OFF hemat10")).toEqual({ name: "voucher", action: { kind: "off", code: "HEMAT10" } });
    expect(parse("/voucher add hemat10 10% min=50rb max=10000 uses=50 per_buyer=1 until=2026-12-31 only=game allow_loss")).toEqual({
      name: "voucher",
      action: {
        kind: "add",
        code: "HEMAT10",
        value: { kind: "percent", value: 10 },
        // The end of 31 December in Jakarta (UTC+7).
        options: { min: 50_000, max: 10_000, uses: 50, perBuyer: 1, until: Date.UTC(2026, 11, 31, 16, 59, 59, 999), only: { category: "game" }, allowLoss: true },
      },
    });
    expect(parse("/voucher add POTONG 5.000 only=sb-ml86,SB-FF70")).toMatchObject({ action: { value: { kind: "flat", value: 5_000 }, options: { only: { codes: ["SB-ML86", "SB-FF70"] } } } });
    expect(parse("/voucher add HEMAT 0%")).toBe("usage");
    expect(parse("/voucher add HEMAT 10% uses=0")).toBe("usage");
    expect(parse("/voucher add HEMAT 10% uses=5 uses=6")).toBe("usage");
    expect(parse("/voucher add HEMAT 10% colour=red")).toBe("usage");
    expect(parse("/tier telegram:42")).toMatchObject({ name: "tier", tier: null });
    expect(parse("/tier telegram:42 VIP")).toMatchObject({ name: "tier", tier: "vip" });
    expect(parse("/promo")).toEqual({ name: "promo", set: null });
    expect(parse("/promo sb-ml86 SUMMER10")).toEqual({ name: "promo", set: { code: "SB-ML86", promo: "SUMMER10" } });
    expect(parse("/promo SB-ML86 OFF")).toEqual({ name: "promo", set: { code: "SB-ML86", promo: null } });
    expect(parse("/promo SB-ML86 bad<code>")).toBe("usage");
    expect(parse("/stats 7D")).toEqual({ name: "stats", period: "7d" });
    expect(parse("/audit")).toEqual({ name: "audit", limit: 10 });
    expect(parse("/audit 0")).toBe("usage");
    expect(parse("/broadcast")).toBe("usage");
    expect(parse(".broadcast Halo semua", "whatsapp")).toEqual({ name: "broadcast", text: "Halo semua" });
  });
});

describe("odd input", () => {
  it("never throws: every command with junk arguments is a command or a usage line", () => {
    const junk = ["", "-", "+", "0", "%", "off", "ORD-", "TOP-", "a b c d e", "telegram:", "whatsapp:+", "-0", "1e9", "Rp", "9".repeat(40), "🙂 🙂", "global - -"];
    for (const name of adminCommandNames) {
      for (const args of junk) {
        expect(() => parseCommand({ name, args }), `/${name} ${args}`).not.toThrow();
      }
    }
  });
});
