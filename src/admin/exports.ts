/**
 * `/export orders|ledger [7d|30d|YYYY-MM]`: the period's orders or ledger entries as a CSV file
 * for Excel or Google Sheets (see `core/csv.ts`): a header row, one row per order or entry, WIB
 * times, rupiah as plain integers, and totals at the end. Buyer targets (game ids, numbers,
 * emails) are masked: the file may leave the admin group (to a bookkeeper); `/order` shows them whole.
 *
 * @example
 * const period = parseExportPeriod("2025-01");                 // { label: "2025-01", from, to }
 * const file = ordersCsv(await orders.createdBetween(period.from, period.to, 50_000));
 */
import { z } from "zod";
import type { LedgerEntry, Wallet } from "../commerce/wallet.js";
import type { Order, OrderStore } from "../commerce/orders.js";
import { msg, type Msg } from "../core/message.js";
import { formatRupiah } from "../core/money.js";
import { toCsv, type CsvCell } from "../core/csv.js";
import { formatWibSeconds, wibMonthRange } from "../core/time.js";

/** What can be exported. */
export const exportKinds = ["orders", "ledger"] as const;
export type ExportKind = (typeof exportKinds)[number];

/** A period to export: a label for the file name and caption, and its bounds (epoch ms, inclusive). */
export interface ExportPeriod {
  label: string;
  from: number;
  to: number;
}

/** At most this many rows per file (a larger period: export it month by month). */
export const maxExportRows = 50_000;

const dayMs = 86_400_000;

/** `7d`, `30d` (up to now) or `YYYY-MM` (a WIB calendar month, 2020 onwards). */
export const exportPeriodText = z.union([
  z.enum(["7d", "30d"]),
  z
    .string()
    .regex(/^(20\d\d)-(0[1-9]|1[0-2])$/)
    .refine((text) => Number(text.slice(0, 4)) >= 2020),
]);

/** The bounds of a period text already checked by {@link exportPeriodText}. */
export function exportPeriod(text: z.infer<typeof exportPeriodText>, now = Date.now()): ExportPeriod {
  if (text === "7d" || text === "30d") return { label: text, from: now - (text === "7d" ? 7 : 30) * dayMs, to: now };
  const { from, to } = wibMonthRange(Number(text.slice(0, 4)), Number(text.slice(5, 7)));
  return { label: text, from, to };
}

/** Hides the middle of a target: `08********90`, `bu***@gmail.com`; short values (a zone, months) stay. */
export function maskTarget(value: string): string {
  const at = value.lastIndexOf("@");
  if (at > 0) return `${maskPart(value.slice(0, at))}${value.slice(at)}`;
  return maskPart(value);
}

function maskPart(text: string): string {
  if (text.length <= 4) return text;
  const keep = text.length >= 8 ? 2 : 1;
  return `${text.slice(0, keep)}${"*".repeat(text.length - keep * 2)}${text.slice(-keep)}`;
}

/** A finished export: the file's bytes, its rows (without header and totals) and its money totals. */
export interface CsvExport {
  csv: Buffer;
  rows: number;
}

/** The orders' CSV: one row per order, oldest first, then totals of all rows and of the delivered ones. */
export function ordersCsv(orders: readonly Order[]): CsvExport & { total: number; delivered: number } {
  const sorted = [...orders].sort((a, b) => a.createdAt - b.createdAt);
  const rows: CsvCell[][] = [["order", "created_wib", "buyer", "product_code", "product", "target", "price", "cost", "status", "payment_method"]];
  const sum = (list: readonly Order[]) => ({ price: list.reduce((total, order) => total + order.price, 0), cost: list.reduce((total, order) => total + order.cost, 0) });
  for (const order of sorted) {
    rows.push([
      order.id,
      formatWibSeconds(order.createdAt),
      order.buyer,
      order.product.code,
      order.product.name,
      Object.values(order.inputs).map(maskTarget).join(" "),
      order.price,
      order.cost,
      order.status,
      order.payment.method,
    ]);
  }
  const delivered = sorted.filter((order) => order.status === "delivered");
  const all = sum(sorted);
  const done = sum(delivered);
  rows.push([`TOTAL (${sorted.length})`, "", "", "", "", "", all.price, all.cost, "", ""]);
  rows.push([`TOTAL delivered (${delivered.length})`, "", "", "", "", "", done.price, done.cost, "", ""]);
  return { csv: toCsv(rows), rows: sorted.length, total: all.price, delivered: done.price };
}

/** The ledger's CSV: one row per entry (amount signed: credits +, debits −), then credits, debits and net. */
export function ledgerCsv(entries: readonly { buyer: string; entry: LedgerEntry }[]): CsvExport & { credits: number; debits: number } {
  const rows: CsvCell[][] = [["entry", "time_wib", "buyer", "amount", "reason", "order", "note"]];
  let credits = 0;
  let debits = 0;
  for (const { buyer, entry } of entries) {
    if (entry.amount >= 0) credits += entry.amount;
    else debits += entry.amount;
    rows.push([entry.id, formatWibSeconds(entry.at), buyer, entry.amount, entry.reason, entry.orderId ?? "", entry.note ?? ""]);
  }
  rows.push([`TOTAL credits (${entries.filter(({ entry }) => entry.amount >= 0).length})`, "", "", credits, "", "", ""]);
  rows.push([`TOTAL debits (${entries.filter(({ entry }) => entry.amount < 0).length})`, "", "", debits, "", "", ""]);
  rows.push([`TOTAL net (${entries.length})`, "", "", credits + debits, "", "", ""]);
  return { csv: toCsv(rows), rows: entries.length, credits, debits };
}

/** `orders-2025-01.csv`, `ledger-30d-2025-01-31.csv` (a rolling period names the day it ends, WIB). */
export function exportFileName(kind: ExportKind, period: ExportPeriod): string {
  const rolling = period.label.endsWith("d") ? `-${formatWibSeconds(period.to).slice(0, 10)}` : "";
  return `${kind}-${period.label}${rolling}.csv`;
}

/** A finished export as the group gets it: the file and the caption lines. */
export interface ExportFile {
  fileName: string;
  csv: Buffer;
  caption: Msg[];
}

/**
 * Reads the period's orders or ledger entries and writes the file. Orders come from the index of
 * all orders (by creation time); ledger entries from `Wallet.entriesBetween` (a scan: see there).
 */
export async function exportFile(
  stores: { orders: Pick<OrderStore, "createdBetween">; wallet: Pick<Wallet, "entriesBetween"> },
  kind: ExportKind,
  period: ExportPeriod,
): Promise<ExportFile> {
  const fileName = exportFileName(kind, period);
  if (kind === "orders") {
    // One more than the cap, to know whether the period held more.
    const orders = await stores.orders.createdBetween(period.from, period.to, maxExportRows + 1);
    const truncated = orders.length > maxExportRows;
    // createdBetween is newest first: the cap keeps the newest; the file lists them oldest first.
    const made = ordersCsv(orders.slice(0, maxExportRows));
    const caption = [msg("admin-export-orders", { period: period.label, count: made.rows, total: formatRupiah(made.total), delivered: formatRupiah(made.delivered) })];
    if (truncated) caption.push(msg("admin-export-truncated", { max: maxExportRows }));
    return { fileName, csv: made.csv, caption };
  }
  const { entries, truncated } = await stores.wallet.entriesBetween(period.from, period.to, maxExportRows);
  const made = ledgerCsv(entries);
  const caption = [msg("admin-export-ledger", { period: period.label, count: made.rows, credits: formatRupiah(made.credits), debits: formatRupiah(-made.debits) })];
  if (truncated) caption.push(msg("admin-export-truncated", { max: maxExportRows }));
  return { fileName, csv: made.csv, caption };
}
