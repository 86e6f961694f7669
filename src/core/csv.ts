/**
 * A CSV writer for spreadsheets (RFC 4180): fields quoted when they hold a comma, a quote or a
 * line break, quotes doubled, rows ended by CRLF, and a UTF-8 byte order mark first so Excel
 * reads non-ASCII names right (Google Sheets ignores it). Numbers are written as plain integers
 * (rupiah), so a spreadsheet sums them. A text cell that a spreadsheet would run as a formula
 * (starting with `=`, `+`, `-`, `@`, tab or CR: "CSV injection") is prefixed with `'`, which makes
 * it plain text; numbers never are, so `-5000` stays a number.
 *
 * @example
 * toCsv([["order", "price"], ["ORD-1", 18500], ["=HYPERLINK(…)", -2000]]);
 * // "\uFEFForder,price\r\nORD-1,18500\r\n'=HYPERLINK(…),-2000\r\n" as UTF-8 bytes
 */

/** One cell: text, an integer, or empty. */
export type CsvCell = string | number | null | undefined;

const formulaStart = /^[=+\-@\t\r]/;
const needsQuotes = /[",\r\n]/;

/** One cell as CSV text. Throws on a number that is not a safe integer (money is whole rupiah). */
export function csvCell(cell: CsvCell): string {
  if (cell === null || cell === undefined) return "";
  if (typeof cell === "number") {
    if (!Number.isSafeInteger(cell)) throw new RangeError(`CSV numbers must be whole: ${cell}`);
    return String(cell);
  }
  const text = formulaStart.test(cell) ? `'${cell}` : cell;
  return needsQuotes.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The rows as CSV text with CRLF line ends (no byte order mark). */
export function csvText(rows: readonly (readonly CsvCell[])[]): string {
  return rows.map((row) => `${row.map(csvCell).join(",")}\r\n`).join("");
}

/** The rows as a CSV file's bytes: UTF-8 with a byte order mark. */
export function toCsv(rows: readonly (readonly CsvCell[])[]): Buffer {
  return Buffer.from(`\uFEFF${csvText(rows)}`, "utf8");
}
