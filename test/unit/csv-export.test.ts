/**
 * The CSV writer and the export files: a UTF-8 byte order mark, CRLF rows, RFC 4180 quoting that
 * a strict parser reads back cell for cell, the formula-injection guard on text (never on numbers,
 * so negative rupiah stay numbers), WIB times, masked targets, totals lines, and periods (7d, 30d,
 * WIB calendar months).
 */
import { describe, expect, it } from "vitest";
import { exportFileName, exportPeriod, exportPeriodText, ledgerCsv, maskTarget, ordersCsv } from "../../src/admin/exports.js";
import type { Order } from "../../src/commerce/orders.js";
import type { LedgerEntry } from "../../src/commerce/wallet.js";
import { csvCell, toCsv } from "../../src/core/csv.js";
import { nextWibTime, wibMonthRange } from "../../src/core/time.js";

/** A strict RFC 4180 reader (CRLF rows, quoted fields with doubled quotes), to read our files back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    let cell = "";
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error("unterminated quote");
        if (text[i] === '"' && text[i + 1] === '"') (cell += '"'), (i += 2);
        else if (text[i] === '"') {
          i++;
          break;
        } else cell += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== "," && text[i] !== "\r") {
        if (text[i] === '"' || text[i] === "\n") throw new Error(`bare ${JSON.stringify(text[i])} in an unquoted field`);
        cell += text[i++];
      }
    }
    row.push(cell);
    if (text[i] === ",") i++;
    else if (text.startsWith("\r\n", i)) {
      rows.push(row);
      row = [];
      i += 2;
    } else throw new Error(`unexpected ${JSON.stringify(text[i])} at ${i}`);
  }
  if (row.length > 0) throw new Error("last row not ended by CRLF");
  return rows;
}

/** The file as a spreadsheet sees it: BOM checked and dropped, rows parsed. */
function read(csv: Buffer): string[][] {
  expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  return parseCsv(csv.subarray(3).toString("utf8"));
}

describe("CSV writer", () => {
  it("starts with a UTF-8 BOM, ends every row with CRLF, keeps non-ASCII text", () => {
    const csv = toCsv([["name", "price"], ["Kopi ☕ Ñusantara", 18_500]]);
    expect(csv.subarray(3).toString("utf8")).toBe("name,price\r\nKopi ☕ Ñusantara,18500\r\n");
    expect(read(csv)).toEqual([["name", "price"], ["Kopi ☕ Ñusantara", "18500"]]);
  });

  it("quotes commas, quotes and line breaks so a strict parser reads them back", () => {
    const tricky = ['a,b', 'say "hi"', "two\nlines", "cr\rlf\r\n", ' spaced ', ""];
    expect(read(toCsv([tricky]))).toEqual([tricky]);
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
  });

  it("guards text cells that a spreadsheet would run as a formula, but not numbers", () => {
    for (const start of ["=", "+", "-", "@", "\t", "\r"]) expect(read(toCsv([[`${start}cmd|' /C calc'!A0`]]))).toEqual([[`'${start}cmd|' /C calc'!A0`]]);
    expect(csvCell("=HYPERLINK(\"http://evil\",\"x\")")).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(csvCell("-5000")).toBe("'-5000");
    expect(csvCell(-5000)).toBe("-5000");
    expect(csvCell("ORD-1")).toBe("ORD-1");
    expect(read(toCsv([["@SUM(A1)", -1]]))).toEqual([["'@SUM(A1)", "-1"]]);
  });

  it("writes nothing for empty cells and refuses a fraction of a rupiah", () => {
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
    expect(() => csvCell(1.5)).toThrow(RangeError);
  });
});

function order(id: string, createdAt: number, price: number, cost: number, status: Order["status"], inputs: Record<string, string> = {}): Order {
  return {
    id,
    buyer: "telegram:1",
    channel: "telegram",
    chatId: "1",
    locale: "id",
    product: { code: "SB-NFX1", provider: "sandbox", sku: "NFX1", name: "Netflix, 1 bulan", category: "app", group: "Netflix", basePrice: cost, stock: null, input: "email", delivery: "account" },
    inputs,
    price,
    cost,
    payment: { method: "wallet", amount: price },
    status,
    refId: `WB${id.slice(4)}`,
    attempts: 0,
    purchaseAttempts: 0,
    history: [],
    createdAt,
    updatedAt: createdAt,
  };
}

describe("orders export", () => {
  it("has a header row, WIB times, integer rupiah, masked targets, oldest first, and totals of all and of delivered", () => {
    const at = Date.parse("2025-01-31T17:30:05Z"); // 2025-02-01 00:30:05 WIB
    const { csv, rows, total, delivered } = ordersCsv([
      order("ORD-BBBBBBBB", at + 1000, 20_000, 18_000, "refunded", { userId: "081234567890" }),
      order("ORD-AAAAAAAA", at, 18_500, 17_000, "delivered", { email: "buyer@gmail.com" }),
    ]);
    expect(rows).toBe(2);
    expect(total).toBe(38_500);
    expect(delivered).toBe(18_500);
    const table = read(csv);
    expect(table[0]).toEqual(["order", "created_wib", "buyer", "product_code", "product", "target", "price", "cost", "status", "payment_method"]);
    expect(table[1]).toEqual(["ORD-AAAAAAAA", "2025-02-01 00:30:05", "telegram:1", "SB-NFX1", "Netflix, 1 bulan", "b***r@gmail.com", "18500", "17000", "delivered", "wallet"]);
    expect(table[2]?.[5]).toBe("08********90");
    expect(table[3]).toEqual(["TOTAL (2)", "", "", "", "", "", "38500", "35000", "", ""]);
    expect(table[4]).toEqual(["TOTAL delivered (1)", "", "", "", "", "", "18500", "17000", "", ""]);
  });

  it("an empty period is a header and zero totals", () => {
    expect(read(ordersCsv([]).csv)).toEqual([
      ["order", "created_wib", "buyer", "product_code", "product", "target", "price", "cost", "status", "payment_method"],
      ["TOTAL (0)", "", "", "", "", "", "0", "0", "", ""],
      ["TOTAL delivered (0)", "", "", "", "", "", "0", "0", "", ""],
    ]);
  });
});

describe("ledger export", () => {
  it("signs amounts (debits negative, as numbers), keeps notes as text, and totals credits, debits and net", () => {
    const at = Date.parse("2025-03-01T00:00:00Z");
    const entry = (id: string, amount: number, reason: LedgerEntry["reason"], extra: Partial<LedgerEntry> = {}): { buyer: string; entry: LedgerEntry } => ({
      buyer: "whatsapp:6281",
      entry: { id, amount, reason, at, ...extra },
    });
    const { csv, credits, debits } = ledgerCsv([
      entry("qris:TOP-1", 50_000, "topup"),
      entry("pay:ORD-1", -18_500, "purchase", { orderId: "ORD-1" }),
      entry("manual:1", 1_000, "manual", { note: "=1+1, sorry" }),
    ]);
    expect([credits, debits]).toEqual([51_000, -18_500]);
    const table = read(csv);
    expect(table[0]).toEqual(["entry", "time_wib", "buyer", "amount", "reason", "order", "note"]);
    expect(table[2]).toEqual(["pay:ORD-1", "2025-03-01 07:00:00", "whatsapp:6281", "-18500", "purchase", "ORD-1", ""]);
    expect(table[3]?.[6]).toBe("'=1+1, sorry");
    expect(table.slice(-3)).toEqual([
      ["TOTAL credits (2)", "", "", "51000", "", "", ""],
      ["TOTAL debits (1)", "", "", "-18500", "", "", ""],
      ["TOTAL net (3)", "", "", "32500", "", "", ""],
    ]);
  });
});

describe("periods and WIB clock", () => {
  it("reads 7d, 30d and YYYY-MM (a WIB month), and refuses anything else", () => {
    const now = Date.parse("2025-02-10T00:00:00Z");
    expect(exportPeriod("7d", now)).toEqual({ label: "7d", from: now - 7 * 86_400_000, to: now });
    const january = exportPeriod("2025-01", now);
    expect(new Date(january.from).toISOString()).toBe("2024-12-31T17:00:00.000Z");
    expect(new Date(january.to).toISOString()).toBe("2025-01-31T16:59:59.999Z");
    for (const bad of ["2025-13", "2025-1", "1999-01", "7", "today", "30D"]) expect(exportPeriodText.safeParse(bad).success).toBe(false);
    expect(wibMonthRange(2024, 12).to + 1).toBe(wibMonthRange(2025, 1).from);
    expect(exportFileName("orders", january)).toBe("orders-2025-01.csv");
    expect(exportFileName("ledger", exportPeriod("30d", now))).toBe("ledger-30d-2025-02-10.csv");
  });

  it("masks the middle of targets and leaves short ones", () => {
    expect(maskTarget("1234")).toBe("1234");
    expect(maskTarget("123456")).toBe("1****6");
    expect(maskTarget("081234567890")).toBe("08********90");
    expect(maskTarget("ab@x.id")).toBe("ab@x.id");
  });

  it("finds the next WIB time of day", () => {
    expect(new Date(nextWibTime(3, 0, Date.parse("2025-01-31T19:59:00Z"))).toISOString()).toBe("2025-01-31T20:00:00.000Z");
    expect(new Date(nextWibTime(3, 0, Date.parse("2025-01-31T20:00:00Z"))).toISOString()).toBe("2025-02-01T20:00:00.000Z");
    expect(new Date(nextWibTime(23, 30, Date.parse("2025-01-31T16:00:00Z"))).toISOString()).toBe("2025-01-31T16:30:00.000Z");
  });
});
