import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { crc16, crc16Hex } from "../../src/payments/crc16.js";
import {
  QrisError,
  buildQris,
  parseQris,
  qrisAmount,
  toDynamicQris,
  validateStaticQris,
  type QrisErrorReason,
} from "../../src/payments/qris.js";
import { TlvError, encodeField, findField, parseTlv, serialiseTlv, type TlvField } from "../../src/payments/tlv.js";

const vectorsSchema = z.object({
  crc16_check_values: z.record(z.string(), z.string().regex(/^[0-9A-F]{4}$/)),
  static_valid: z.array(z.string()).min(1),
  static_bad_crc: z.array(z.string()).min(1),
  static_with_amount_tag: z.string(),
});
const vectors = vectorsSchema.parse(
  JSON.parse(readFileSync(new URL("../fixtures/qris-vectors.json", import.meta.url), "utf8")),
);

/**
 * Our own statics; CRCs and the expected dynamic payloads below were computed independently with
 * Python's binascii.crc_hqx(utf8, 0xFFFF) and string surgery, not with the code under test.
 * OWN_TIPS: no tag 01, amount with decimals, tip tags 55 + 56, four-field template 26, template 62.
 * OWN_UNICODE: non-ASCII merchant name (9 code points incl. an astral emoji, more UTF-8 bytes), tag 57.
 */
const OWN_TIPS =
  "00020126660019ID.CO.WARUNGPAY.WWW01189360099900000123450210WRG00000420303UMI520458165303360540825000.00550202560410005802ID5914Warung Bu Tini6007Bandung61054011562250110INV-STATIC0707KASIR016304D51D";
const OWN_UNICODE =
  "00020101021126450019ID.CO.WARUNGPAY.WWW0118936009990000067890520458125303360570155802ID5911Kedai Sé ☕😀6010Yogyakarta62060702A163043968";

const GOLDEN_DYNAMIC: readonly { from: string; amount: number; expected: string }[] = [
  {
    from: vectors.static_valid[0] ?? "",
    amount: 18500,
    expected:
      "00020101021226660017ID.CO.EXAMPLE.WWW01159360086704567890215MIDCONTOH1234560303UMI51370014ID.CO.QRIS.WWW0215ID10191234567815204123453033605405185005802ID5914NamaMerchantA16009NamaKota16110123456789062070703K196304395A",
  },
  {
    from: vectors.static_with_amount_tag,
    amount: 120000,
    expected:
      "00020101021226670018ID.CO.EXAMPLE2.WWW01159360001404567890215MIDCONTOH1234560303UMI51370014ID.CO.QRIS.WWW0215ID101912345678152041234530336054061200005802ID5914NamaMerchantC36009NamaKota16110123456789062070703K196304B034",
  },
  {
    from: OWN_TIPS,
    amount: 18500,
    expected:
      "00020101021226660019ID.CO.WARUNGPAY.WWW01189360099900000123450210WRG00000420303UMI5204581653033605405185005802ID5914Warung Bu Tini6007Bandung61054011562250110INV-STATIC0707KASIR016304AD88",
  },
  {
    from: OWN_UNICODE,
    amount: 1,
    expected:
      "00020101021226450019ID.CO.WARUNGPAY.WWW0118936009990000067890520458125303360540115802ID5911Kedai Sé ☕😀6010Yogyakarta62060702A163041F6E",
  },
];

const ALL_STATICS = [...vectors.static_valid, vectors.static_with_amount_tag, OWN_TIPS, OWN_UNICODE];
const AMOUNTS = [1, 18500, 1_000_000, 9_999_999_999_999];
const REPLACED = new Set(["01", "54", "55", "56", "57", "63"]);

/** The static's fields with `edit` applied, re-signed with a valid CRC so only the edit is at fault. */
function resigned(edit: (fields: TlvField[]) => TlvField[], base = vectors.static_valid[0] ?? ""): string {
  return buildQris(edit(parseTlv(base)));
}

function replaceValue(id: string, value: string): (fields: TlvField[]) => TlvField[] {
  return (fields) => fields.map((f) => (f.id === id ? { id, value } : f));
}

function without(id: string): (fields: TlvField[]) => TlvField[] {
  return (fields) => fields.filter((f) => f.id !== id);
}

function reasonOf(run: () => unknown): QrisErrorReason | "no error" {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(QrisError);
    return (error as QrisError).reason;
  }
  return "no error";
}

function errorOf(run: () => unknown): QrisError {
  try {
    run();
  } catch (error) {
    if (error instanceof QrisError) return error;
    throw error;
  }
  throw new Error("expected a QrisError");
}

describe("crc16 (CRC-16/CCITT-FALSE)", () => {
  it.each(Object.entries(vectors.crc16_check_values))("%j → %s (shared check values)", (input, hex) => {
    expect(crc16Hex(input)).toBe(hex);
  });

  it("matches the standard check values independently of the vector file", () => {
    expect(crc16("123456789")).toBe(0x29b1);
    expect(crc16Hex("")).toBe("FFFF");
    expect(crc16Hex("A")).toBe("B915");
  });

  it("pads to 4 uppercase hex digits", () => {
    expect(crc16Hex("J")).toBe("087E");
  });

  it("hashes strings as UTF-8 bytes", () => {
    const text = "Kedai Sé ☕😀";
    expect(crc16(text)).toBe(crc16(Buffer.from(text, "utf8")));
    expect(crc16(text)).not.toBe(crc16(Buffer.from(text, "latin1")));
  });
});

describe("tlv", () => {
  it("splits fields and serialises them back byte for byte", () => {
    const fields = parseTlv("000201010211");
    expect(fields).toEqual([
      { id: "00", value: "01" },
      { id: "01", value: "11" },
    ]);
    expect(serialiseTlv(fields)).toBe("000201010211");
  });

  it("counts characters (code points), not bytes or UTF-16 units", () => {
    expect(encodeField("59", "A😀é")).toBe("5903A😀é");
    expect(parseTlv("5903A😀é6002ID")).toEqual([
      { id: "59", value: "A😀é" },
      { id: "60", value: "ID" },
    ]);
  });

  it("accepts an empty value", () => {
    expect(parseTlv("5900")).toEqual([{ id: "59", value: "" }]);
  });

  it.each([
    ["length past the end", "000201590510", /declares 5 character\(s\) but only 2 remain/],
    ["non-digit id", "0002015X02ID", /offset 6 is not a 2-digit id/],
    ["non-digit length", "00020159A2ID", /offset 6 is not a 2-digit id/],
    ["trailing garbage", "000201X", /1 stray character\(s\) after the last field at offset 6/],
    ["trailing newline", "000201\r\n", /2 whitespace character\(s\) after the last field at offset 6/],
  ])("rejects %s", (_name, text, message) => {
    expect(() => parseTlv(text)).toThrow(TlvError);
    expect(() => parseTlv(text)).toThrow(message);
  });

  it("refuses to encode what TLV cannot hold", () => {
    expect(() => encodeField("5", "x")).toThrow(TlvError);
    expect(() => encodeField("59", "x".repeat(100))).toThrow(/at most 99/);
    expect(encodeField("59", "x".repeat(99))).toBe(`5999${"x".repeat(99)}`);
  });
});

describe("parseQris", () => {
  it.each(vectors.static_valid)("parses the shared valid static %#", (payload) => {
    const view = parseQris(payload);
    expect(view.pointOfInitiation).toBe("11");
    expect(view.currency).toBe("360");
    expect(view.countryCode).toBe("ID");
    expect(view.merchantCity).toBe("NamaKota1");
    expect(view.merchantName).toMatch(/^NamaMerchant/);
    expect(view.amount).toBeUndefined();
    expect(view.crc).toBe(payload.slice(-4));
    expect(view.fields[0]).toEqual({ id: "00", value: "01" });
    expect(view.fields.at(-1)?.id).toBe("63");
    expect(validateStaticQris(payload)).toEqual(view);
  });

  it("splits templates 26 and 62 into their sub-fields", () => {
    const view = parseQris(vectors.static_valid[0] ?? "");
    expect(view.templates.map((t) => t.id)).toEqual(["26", "51", "62"]);
    expect(view.templates[0]?.fields).toEqual([
      { id: "00", value: "ID.CO.EXAMPLE.WWW" },
      { id: "01", value: "936008670456789" },
      { id: "02", value: "MIDCONTOH123456" },
      { id: "03", value: "UMI" },
    ]);
    expect(view.templates[2]?.fields).toEqual([{ id: "07", value: "K19" }]);
    expect(findField(view.templates[1]?.fields ?? [], "02")?.value).toBe("ID1019123456781");
  });

  it("reads our own vectors: no tag 01, decimals in 54, multi-field 62, non-ASCII name", () => {
    const tips = parseQris(OWN_TIPS);
    expect(tips.pointOfInitiation).toBeUndefined();
    expect(tips.amount).toBe(25000);
    expect(tips.templates.find((t) => t.id === "62")?.fields).toEqual([
      { id: "01", value: "INV-STATIC" },
      { id: "07", value: "KASIR01" },
    ]);
    const unicode = parseQris(OWN_UNICODE);
    expect(unicode.merchantName).toBe("Kedai Sé ☕😀");
    expect(unicode.merchantCity).toBe("Yogyakarta");
  });

  it("reads the amount of the static with an amount tag", () => {
    expect(parseQris(vectors.static_with_amount_tag).amount).toBe(34000);
    expect(qrisAmount(vectors.static_with_amount_tag)).toBe(34000);
    expect(qrisAmount(vectors.static_valid[0] ?? "")).toBeUndefined();
  });

  it.each(ALL_STATICS)("round-trips parse → build → parse byte for byte %#", (payload) => {
    const view = parseQris(payload);
    const rebuilt = buildQris(view.fields);
    expect(rebuilt).toBe(payload);
    expect(parseQris(rebuilt)).toEqual(view);
    expect(serialiseTlv(parseTlv(payload))).toBe(payload);
    for (const template of view.templates) {
      expect(serialiseTlv(template.fields)).toBe(findField(view.fields, template.id)?.value);
    }
  });

  it("accepts a lowercase CRC but builds uppercase", () => {
    const payload = vectors.static_valid[1] ?? "";
    const lower = `${payload.slice(0, -4)}${payload.slice(-4).toLowerCase()}`;
    expect(lower).not.toBe(payload);
    expect(buildQris(parseQris(lower).fields)).toBe(payload);
  });
});

describe("rejections", () => {
  const base = vectors.static_valid[0] ?? "";

  it.each(vectors.static_bad_crc)("rejects the shared bad-CRC vector %# as bad_crc", (payload) => {
    const error = errorOf(() => parseQris(payload));
    expect(error.reason).toBe("bad_crc");
    expect(error.message).toContain("B1EE");
    expect(error.message).toContain("B1EF");
    expect(reasonOf(() => toDynamicQris(payload, 18500))).toBe("bad_crc");
    expect(reasonOf(() => validateStaticQris(payload))).toBe("bad_crc");
  });

  it("detects a single changed character as bad_crc", () => {
    expect(reasonOf(() => parseQris(base.replace("NamaMerchantA", "NamaMerchantB")))).toBe("bad_crc");
  });

  it.each<[string, string, QrisErrorReason]>([
    ["an empty payload", "", "broken_tlv"],
    ["a truncated payload (length runs past the end)", base.slice(0, -2), "broken_tlv"],
    ["a non-digit id", `XX${base.slice(2)}`, "broken_tlv"],
    ["a non-digit length", base.replace("5802ID", "58X2ID"), "broken_tlv"],
    ["trailing garbage", `${base}Z`, "broken_tlv"],
    ["a trailing newline", `${base}\n`, "broken_tlv"],
    ["a well-formed extra field after the CRC", `${base}0000`, "missing_crc"],
  ])("rejects %s as %s", (_name, payload, reason) => {
    expect(reasonOf(() => parseQris(payload))).toBe(reason);
  });

  it("rejects a broken sub-TLV inside a template even when the CRC is right", () => {
    const payload = resigned(replaceValue("26", "0017ID.CO.EXAMPLE"));
    const error = errorOf(() => parseQris(payload));
    expect(error.reason).toBe("broken_tlv");
    expect(error.message).toMatch(/^template 26: /);
  });

  it("rejects a repeated top-level tag", () => {
    const payload = resigned((fields) => [...fields, { id: "59", value: "Other" }]);
    expect(reasonOf(() => parseQris(payload))).toBe("broken_tlv");
  });

  it("rejects a payload without tag 63 as missing_crc", () => {
    expect(reasonOf(() => parseQris(serialiseTlv(parseTlv(base).slice(0, -1))))).toBe("missing_crc");
  });

  it("rejects a CRC field that is not 4 hex digits as missing_crc", () => {
    expect(reasonOf(() => parseQris(`${base.slice(0, -4)}12G4`))).toBe("missing_crc");
  });

  it("rejects a CRC field that is not last as missing_crc", () => {
    const fields = parseTlv(base);
    const crc = fields.at(-1) as TlvField;
    const moved = serialiseTlv([...fields.slice(0, 1), crc, ...fields.slice(1, -1)]);
    expect(reasonOf(() => parseQris(moved))).toBe("missing_crc");
  });

  it("rejects a payload that does not start with 000201 as not_emv", () => {
    expect(reasonOf(() => parseQris(resigned(replaceValue("00", "02"))))).toBe("not_emv");
    expect(reasonOf(() => parseQris(resigned(without("00"))))).toBe("not_emv");
  });

  it("rejects a non-IDR or missing currency as not_idr", () => {
    const usd = errorOf(() => parseQris(resigned(replaceValue("53", "840"))));
    expect(usd.reason).toBe("not_idr");
    expect(usd.message).toContain("840");
    expect(reasonOf(() => parseQris(resigned(without("53"))))).toBe("not_idr");
    expect(reasonOf(() => toDynamicQris(resigned(replaceValue("53", "840")), 18500))).toBe("not_idr");
  });

  it("rejects a missing or blank merchant name as no_merchant_name", () => {
    expect(reasonOf(() => parseQris(resigned(without("59"))))).toBe("no_merchant_name");
    expect(reasonOf(() => parseQris(resigned(replaceValue("59", ""))))).toBe("no_merchant_name");
    expect(reasonOf(() => validateStaticQris(resigned(replaceValue("59", "   "))))).toBe("no_merchant_name");
  });

  it("rejects a missing country code as no_country_code (there is nowhere to put tag 54)", () => {
    expect(reasonOf(() => toDynamicQris(resigned(without("58")), 18500))).toBe("no_country_code");
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 10_000_000_000_000])(
    "rejects the amount %s as bad_amount",
    (amount) => {
      expect(reasonOf(() => toDynamicQris(base, amount))).toBe("bad_amount");
    },
  );

  it.each(["12.50", "abc", "0", "", "12345678901234", "1e5"])("rejects a payload amount of %j as bad_amount", (text) => {
    const payload = resigned((fields) => [...fields.slice(0, 5), { id: "54", value: text }, ...fields.slice(5)]);
    expect(reasonOf(() => parseQris(payload))).toBe("bad_amount");
  });

  it("rejects a dynamic payload at start-up as not_static", () => {
    const dynamic = toDynamicQris(base, 18500);
    expect(reasonOf(() => validateStaticQris(dynamic))).toBe("not_static");
  });

  it("never quotes the payload in its messages", () => {
    const failures = [
      () => parseQris(vectors.static_bad_crc[0] ?? ""),
      () => parseQris(`${base}Z`),
      () => parseQris(resigned(replaceValue("53", "840"))),
      () => parseQris(resigned(without("59"))),
      () => parseQris(resigned(replaceValue("26", "0017ID.CO.EXAMPLE"))),
      () => validateStaticQris(toDynamicQris(base, 18500)),
    ];
    for (const fail of failures) {
      const { message } = errorOf(fail);
      expect(message).not.toContain("MIDCONTOH");
      expect(message).not.toContain("NamaMerchant");
      expect(message).not.toContain("000201");
    }
  });
});

describe("toDynamicQris", () => {
  function expectDynamicOf(staticPayload: string, dynamic: string, amount: number): void {
    const before = parseQris(staticPayload).fields;
    const after = parseQris(dynamic);
    const ids = after.fields.map((f) => f.id);

    expect(after.pointOfInitiation).toBe("12");
    expect(ids.filter((id) => id === "54")).toHaveLength(1);
    expect(findField(after.fields, "54")?.value).toBe(String(amount));
    expect(after.amount).toBe(amount);
    expect(ids.indexOf("58")).toBe(ids.indexOf("54") + 1);
    expect(ids.filter((id) => ["55", "56", "57"].includes(id))).toEqual([]);
    expect(ids.at(-1)).toBe("63");
    expect(ids.indexOf("01")).toBe(1);

    const untouched = (fields: readonly TlvField[]) => serialiseTlv(fields.filter((f) => !REPLACED.has(f.id)));
    expect(untouched(after.fields)).toBe(untouched(before));
    expect(dynamic.slice(-4)).toBe(crc16Hex(dynamic.slice(0, -4)));
  }

  it.each(ALL_STATICS.flatMap((payload) => AMOUNTS.map((amount) => [payload, amount] as const)))(
    "turns a static into a valid dynamic payload (%#, amount %s)",
    (payload, amount) => {
      expectDynamicOf(payload, toDynamicQris(payload, amount), amount);
    },
  );

  it.each(GOLDEN_DYNAMIC)("matches the independently computed payload for $amount", ({ from, amount, expected }) => {
    expect(toDynamicQris(from, amount)).toBe(expected);
    expect(qrisAmount(expected)).toBe(amount);
  });

  it("replaces the old tag 54 of the static with an amount tag", () => {
    const dynamic = toDynamicQris(vectors.static_with_amount_tag, 18500);
    expect(dynamic).not.toContain("540534000");
    expect(dynamic).toContain("5405185005802ID");
    expect(qrisAmount(dynamic)).toBe(18500);
  });

  it("drops tip tags 55–57 so the buyer cannot add a tip", () => {
    const tips = parseQris(toDynamicQris(OWN_TIPS, 18500)).fields.map((f) => f.id);
    expect(tips).toEqual(["00", "01", "26", "52", "53", "54", "58", "59", "60", "61", "62", "63"]);
  });

  it("is stable when applied to its own output", () => {
    const base = vectors.static_valid[0] ?? "";
    expect(toDynamicQris(toDynamicQris(base, 1000), 18500)).toBe(toDynamicQris(base, 18500));
  });
});
