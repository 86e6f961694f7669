/**
 * `sanitizeOutsideText` on its own: what is escaped, what is kept, and that escaping twice
 * changes nothing (audit entries are stored escaped and escaped again when shown).
 */
import { describe, expect, it } from "vitest";
import { msg } from "../../src/core/message.js";
import { sanitizeOutsideText, sanitizeReplies } from "../../src/admin/sanitize.js";

describe("sanitizeOutsideText", () => {
  it("escapes line breaks, C0/C1 controls, bidi overrides and isolates, zero-width and tag characters", () => {
    expect(sanitizeOutsideText("a\nb\r\tc")).toBe("a\\nb\\r\\tc");
    expect(sanitizeOutsideText("x\u0000\u0007\u001b[31m\u007f\u0085\u009b")).toBe("x\\u0000\\u0007\\u001B[31m\\u007F\\u0085\\u009B");
    expect(sanitizeOutsideText("ORD-\u202Ecba\u202C \u202A\u202B\u202D")).toBe("ORD-\\u202Ecba\\u202C \\u202A\\u202B\\u202D");
    expect(sanitizeOutsideText("\u2066\u2067\u2068\u2069\u200E\u200F\u061C")).toBe("\\u2066\\u2067\\u2068\\u2069\\u200E\\u200F\\u061C");
    expect(sanitizeOutsideText("tele\u200Bgram:5\u200C01\u2060\uFEFF")).toBe("tele\\u200Bgram:5\\u200C01\\u2060\\uFEFF");
    expect(sanitizeOutsideText("line\u2028para\u2029")).toBe("line\\u2028para\\u2029");
    // Tag characters can smuggle invisible ASCII ("hi" here).
    expect(sanitizeOutsideText("ok\u{E0068}\u{E0069}")).toBe("ok\\u{E0068}\\u{E0069}");
    // A joiner outside an emoji sequence is escaped too.
    expect(sanitizeOutsideText("a\u200Db")).toBe("a\\u200Db");
  });

  it("keeps ordinary text, emoji with variation selectors and joined emoji", () => {
    for (const text of ["Budi Santoso", "Rp 18.500 — lunas ✅", "⚠️ 🇮🇩", "👨‍👩‍👧", "🏳️‍🌈", "محمد", "日本語", "back\\slash"]) {
      expect(sanitizeOutsideText(text)).toBe(text);
    }
  });

  it("is idempotent", () => {
    const once = sanitizeOutsideText("A\n\u202EB\u0000\u{E0041}");
    expect(sanitizeOutsideText(once)).toBe(once);
  });

  it("reaches nested message arguments in every kind of reply and leaves keys and numbers alone", () => {
    const line = msg("admin-notify-failed", { order: "ORD-1", detail: "x\ny", reason: msg("provider-error-failed", { why: "\u202E" }), count: 3 });
    expect(sanitizeReplies([{ kind: "text", text: [line] }])).toEqual([
      { kind: "text", text: [msg("admin-notify-failed", { order: "ORD-1", detail: "x\\ny", reason: msg("provider-error-failed", { why: "\\u202E" }), count: 3 })] },
    ]);
  });
});
