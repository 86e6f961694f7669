import { describe, expect, it } from "vitest";
import { encodeMenuPress } from "../../src/bot/callback-data.js";
import { maxTextLength, parseIntent, type Intent } from "../../src/bot/intent.js";

const typed = (text: string): Intent => parseIntent({ text });

describe("parseIntent: slash commands", () => {
  it("reads a command without arguments", () => {
    expect(typed("/start")).toEqual({ kind: "command", command: "start", args: "" });
    expect(typed("/menu")).toEqual({ kind: "command", command: "menu", args: "" });
  });

  it("keeps the arguments, trimmed, including ones on the next line", () => {
    expect(typed("/topup 50000")).toEqual({ kind: "command", command: "topup", args: "50000" });
    expect(typed("/order   ORD-ABCD2345  ")).toEqual({ kind: "command", command: "order", args: "ORD-ABCD2345" });
    expect(typed("/lang en")).toEqual({ kind: "command", command: "lang", args: "en" });
    expect(typed("/topup\n100000")).toEqual({ kind: "command", command: "topup", args: "100000" });
  });

  it("accepts the @botname suffix Telegram adds in groups and menus", () => {
    expect(typed("/start@WarungBot")).toEqual({ kind: "command", command: "start", args: "" });
    expect(typed("/topup@warung_bot 25000")).toEqual({ kind: "command", command: "topup", args: "25000" });
  });

  it("is case-insensitive", () => {
    expect(typed("/START")).toEqual({ kind: "command", command: "start", args: "" });
    expect(typed("/Batal")).toEqual({ kind: "command", command: "cancel", args: "" });
  });

  it.each([
    ["/batal", "cancel"],
    ["/cancel", "cancel"],
    ["/bantuan", "help"],
    ["/help", "help"],
    ["/riwayat", "orders"],
    ["/orders", "orders"],
    ["/balance", "saldo"],
    ["/saldo", "saldo"],
    ["/isisaldo", "topup"],
    ["/pesanan", "order"],
    ["/bahasa", "lang"],
  ] as const)("maps the alias %s to %s", (text, command) => {
    expect(typed(text)).toEqual({ kind: "command", command, args: "" });
  });

  it("names an unknown command, lower-cased, without the slash or bot name", () => {
    expect(typed("/foo")).toEqual({ kind: "unknown_command", name: "foo" });
    expect(typed("/Beli ML86")).toEqual({ kind: "unknown_command", name: "beli" });
    expect(typed("/hack@WarungBot")).toEqual({ kind: "unknown_command", name: "hack" });
  });

  it("treats a lone slash or a slash before digits as text, not a command", () => {
    expect(typed("/")).toEqual({ kind: "text", text: "/" });
    expect(typed("/123")).toEqual({ kind: "text", text: "/123" });
  });
});

describe("parseIntent: bare words", () => {
  it.each([
    ["menu", "menu"],
    ["MENU", "menu"],
    ["batal", "cancel"],
    [" Batal ", "cancel"],
    ["cancel", "cancel"],
    ["bantuan", "help"],
    ["help", "help"],
    ["saldo", "saldo"],
  ] as const)("%j acts as the command %s", (text, command) => {
    expect(typed(text)).toEqual({ kind: "command", command, args: "" });
  });

  it("does not treat other command names or longer sentences as commands", () => {
    expect(typed("topup")).toEqual({ kind: "text", text: "topup" });
    expect(typed("riwayat")).toEqual({ kind: "text", text: "riwayat" });
    expect(typed("menu dong")).toEqual({ kind: "text", text: "menu dong" });
    expect(typed("batalkan")).toEqual({ kind: "text", text: "batalkan" });
  });
});

describe("parseIntent: numbers", () => {
  it("reads 1–999 as a 0-based menu index and keeps the original text", () => {
    expect(typed("1")).toEqual({ kind: "number", index: 0, text: "1" });
    expect(typed("12")).toEqual({ kind: "number", index: 11, text: "12" });
    expect(typed("999")).toEqual({ kind: "number", index: 998, text: "999" });
    expect(typed("  3\n")).toEqual({ kind: "number", index: 2, text: "3" });
    expect(typed("007")).toEqual({ kind: "number", index: 6, text: "007" });
  });

  it("reads 0, four or more digits, signs and decimals as text (ids, phone numbers)", () => {
    expect(typed("0")).toEqual({ kind: "text", text: "0" });
    expect(typed("000")).toEqual({ kind: "text", text: "000" });
    expect(typed("1000")).toEqual({ kind: "text", text: "1000" });
    expect(typed("12345678")).toEqual({ kind: "text", text: "12345678" });
    expect(typed("081234567890")).toEqual({ kind: "text", text: "081234567890" });
    expect(typed("-1")).toEqual({ kind: "text", text: "-1" });
    expect(typed("1.5")).toEqual({ kind: "text", text: "1.5" });
    expect(typed("1 2")).toEqual({ kind: "text", text: "1 2" });
  });
});

describe("parseIntent: text and empty messages", () => {
  it("reports a message without text (sticker, photo without caption) as empty", () => {
    expect(parseIntent({})).toEqual({ kind: "empty" });
    expect(typed("")).toEqual({ kind: "empty" });
    expect(typed("  \n\t ")).toEqual({ kind: "empty" });
  });

  it("passes free text through, trimmed", () => {
    expect(typed("  ml86 ")).toEqual({ kind: "text", text: "ml86" });
    expect(typed("12345678 (1234)")).toEqual({ kind: "text", text: "12345678 (1234)" });
  });

  it("passes emoji through as text", () => {
    expect(typed("🔥")).toEqual({ kind: "text", text: "🔥" });
    expect(typed("👍🏽 makasih")).toEqual({ kind: "text", text: "👍🏽 makasih" });
  });

  it("reads a 10,000-character text in full and caps anything longer", () => {
    expect(maxTextLength).toBe(10_000);
    const exact = "a".repeat(10_000);
    expect(typed(exact)).toEqual({ kind: "text", text: exact });
    const huge = typed("b".repeat(50_000));
    expect(huge.kind).toBe("text");
    expect(huge.kind === "text" && huge.text.length).toBe(10_000);
  });

  it("caps the arguments of a huge command at the text limit", () => {
    const intent = typed(`/topup ${"9".repeat(20_000)}`);
    expect(intent.kind).toBe("command");
    expect(intent.kind === "command" && intent.args.length).toBe(maxTextLength - "/topup ".length);
  });
});

describe("parseIntent: button presses", () => {
  it("decodes our callback data into a press", () => {
    expect(parseIntent({ action: encodeMenuPress(17, 3) })).toEqual({ kind: "press", menuId: 17, index: 3 });
    expect(parseIntent({ action: "m1:0:0" })).toEqual({ kind: "press", menuId: 0, index: 0 });
  });

  it("prefers the button over any text that came with it", () => {
    expect(parseIntent({ action: "m1:4:1", text: "/cancel" })).toEqual({ kind: "press", menuId: 4, index: 1 });
  });

  it.each(["", "m2:1:1", "m0:1:1", "M1:1:1", "m1:abc:1", "m1:1", "m1:1:1:1", "m1:-1:0", "m1:1:1000", "m1:1234567890:0", "buy:ML86", "cat:game", "<script>", "m1:1:1 "])(
    "reports forged or old-format data %j as stale",
    (action) => {
      expect(parseIntent({ action })).toEqual({ kind: "stale" });
    },
  );
});
