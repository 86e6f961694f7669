/**
 * QRIS, Indonesia's profile of the EMVCo merchant-presented QR. The shop owner configures the static
 * QRIS printed on their sticker; for each order we derive a dynamic payload carrying the exact amount,
 * so the buyer's wallet opens with the total filled in and cannot be edited or tipped.
 */

import { z } from "zod";
import type { Rupiah } from "../core/money.js";
import { crc16Hex } from "./crc16.js";
import { TlvError, findField, parseTlv, serialiseTlv, type TlvField } from "./tlv.js";

/** Every QrisError reason, so callers (e.g. localised owner messages) can handle them exhaustively. */
export const qrisErrorReasons = [
  /** The text is not well-formed TLV (bad header, length past the end, leftovers), here or in a template. */
  "broken_tlv",
  /** There is no CRC field, it is not last, or it is not 4 hex digits. */
  "missing_crc",
  /** The CRC does not match the content: the payload was altered or mistyped. */
  "bad_crc",
  /** It does not start with the EMVCo payload format indicator `000201`. */
  "not_emv",
  /** Tag 53 is missing or not 360 (IDR). */
  "not_idr",
  /** Tag 59 is missing or blank. */
  "no_merchant_name",
  /** Tag 58 is missing, so there is no place to put the amount. */
  "no_country_code",
  /** An amount (ours or the payload's tag 54) is not a whole rupiah value of 1..13 digits. */
  "bad_amount",
  /** A per-transaction (dynamic) QRIS was given where the shop's static one is needed. */
  "not_static",
] as const;
/** Why a QRIS payload or amount was rejected. */
export type QrisErrorReason = (typeof qrisErrorReasons)[number];

/**
 * A rejected QRIS payload or amount. Messages describe the fault by tag and offset and never quote
 * the payload, so they can go to logs and to the owner at start-up as they are.
 */
export class QrisError extends Error {
  override readonly name = "QrisError";
  constructor(
    readonly reason: QrisErrorReason,
    message: string,
  ) {
    super(message);
  }
}

/** A nested template (merchant account 26–51, additional data 62) split into its sub-fields. */
export interface QrisTemplate {
  readonly id: string;
  readonly fields: readonly TlvField[];
}

/** A checked QRIS payload. */
export interface QrisView {
  /** Every top-level field in payload order, values verbatim, tag 63 last. */
  readonly fields: readonly TlvField[];
  /** Tag 01: "11" static, "12" dynamic; undefined when the payload omits it (EMVCo makes it optional). */
  readonly pointOfInitiation: string | undefined;
  readonly merchantName: string;
  /** Tag 60. Mandatory in EMVCo, but nothing here depends on it, so it is not enforced. */
  readonly merchantCity: string | undefined;
  /** Tag 53; always "360" (IDR), since anything else is rejected. */
  readonly currency: string;
  /** Tag 58, e.g. "ID". */
  readonly countryCode: string;
  /** Tag 54 in whole rupiah, if the payload carries an amount. */
  readonly amount: Rupiah | undefined;
  /** Templates in payload order. */
  readonly templates: readonly QrisTemplate[];
  /** Tag 63 as written in the payload. */
  readonly crc: string;
}

const TAG = {
  formatIndicator: "00",
  pointOfInitiation: "01",
  currency: "53",
  amount: "54",
  countryCode: "58",
  merchantName: "59",
  merchantCity: "60",
  crc: "63",
} as const;

const FORMAT_INDICATOR = "01";
const IDR = "360";
const POI_DYNAMIC = "12";
/** Tag 54 holds at most 13 characters, so 13 nines is the largest amount it can carry. */
const MAX_AMOUNT_CHARS = 13;
const MAX_AMOUNT = 9_999_999_999_999;
/** Amount and tip fields of the static payload; the dynamic one carries only our own amount. */
const AMOUNT_TAGS: ReadonlySet<string> = new Set(["54", "55", "56", "57"]);

const amountSchema = z.number().int().min(1).max(MAX_AMOUNT);
/** EMVCo amounts may carry decimals ("34000.00"); rupiah must still come out whole. */
const AMOUNT_TEXT = /^([0-9]+)(?:\.([0-9]+))?$/;

/**
 * Parses and checks a QRIS payload: TLV structure (top level and templates), CRC, format indicator,
 * IDR currency, country code, merchant name and any amount. Throws QrisError on the first fault.
 */
export function parseQris(payload: string): QrisView {
  const fields = readFields(payload);
  checkCrc(payload, fields);
  checkFormatIndicator(fields);
  checkUniqueTags(fields);
  const templates = readTemplates(fields);
  const currency = requireIdr(fields);
  const countryCode = requireCountryCode(fields);
  const merchantName = requireMerchantName(fields);
  return {
    fields,
    pointOfInitiation: findField(fields, TAG.pointOfInitiation)?.value,
    merchantName,
    merchantCity: findField(fields, TAG.merchantCity)?.value,
    currency,
    countryCode,
    amount: readAmount(fields),
    templates,
    crc: fields[fields.length - 1]?.value ?? "",
  };
}

/**
 * Start-up check of the owner's static QRIS: everything parseQris checks, plus that it is not a
 * dynamic (per-transaction) payload, whose reference would be reused for every order.
 */
export function validateStaticQris(payload: string): QrisView {
  const view = parseQris(payload);
  if (view.pointOfInitiation === POI_DYNAMIC) {
    throw new QrisError(
      "not_static",
      "the configured QRIS is dynamic (tag 01 = 12), made for a single transaction; configure the shop's static QRIS (tag 01 = 11)",
    );
  }
  return view;
}

/**
 * The per-order payload: tag 01 set to "12", tags 54–57 dropped, `amount` written as tag 54 right
 * before tag 58, every other field kept verbatim and in order, and a fresh CRC last.
 */
export function toDynamicQris(staticPayload: string, amount: Rupiah): string {
  const amountField: TlvField = { id: TAG.amount, value: formatAmount(amount) };
  const kept = parseQris(staticPayload).fields.filter((f) => !AMOUNT_TAGS.has(f.id) && f.id !== TAG.crc);
  const withPoi = setDynamicPoi(kept);
  const countryIndex = withPoi.findIndex((f) => f.id === TAG.countryCode);
  // parseQris guarantees tag 58 exists, so countryIndex is a real position.
  return buildQris([...withPoi.slice(0, countryIndex), amountField, ...withPoi.slice(countryIndex)]);
}

/** The amount (tag 54) of a valid QRIS payload in whole rupiah, or undefined for an open amount. */
export function qrisAmount(payload: string): Rupiah | undefined {
  return parseQris(payload).amount;
}

/**
 * Serialises top-level fields in order and appends a fresh CRC as tag 63. Any tag 63 in `fields` is
 * dropped, so a parsed view's fields rebuild the original payload.
 */
export function buildQris(fields: readonly TlvField[]): string {
  const body = asQrisError(() => serialiseTlv(fields.filter((f) => f.id !== TAG.crc)));
  const signed = `${body}${TAG.crc}04`;
  return `${signed}${crc16Hex(signed)}`;
}

function readFields(payload: string): TlvField[] {
  const fields = asQrisError(() => parseTlv(payload));
  if (fields.length === 0) {
    throw new QrisError("broken_tlv", "the QRIS payload is empty");
  }
  return fields;
}

function checkCrc(payload: string, fields: readonly TlvField[]): void {
  const crcIndex = fields.findIndex((f) => f.id === TAG.crc);
  if (crcIndex === -1) {
    throw new QrisError("missing_crc", "the QRIS payload has no CRC field (tag 63)");
  }
  if (crcIndex !== fields.length - 1) {
    throw new QrisError("missing_crc", "the CRC field (tag 63) is not the last field of the QRIS payload");
  }
  const written = fields[crcIndex]?.value ?? "";
  if (!/^[0-9A-Fa-f]{4}$/.test(written)) {
    throw new QrisError("missing_crc", "the CRC field (tag 63) of the QRIS payload is not 4 hex digits");
  }
  // The CRC covers everything before its own 4 hex digits, including the "6304" header.
  const computed = crc16Hex(payload.slice(0, -written.length));
  if (written.toUpperCase() !== computed) {
    throw new QrisError(
      "bad_crc",
      `the QRIS CRC (tag 63) says ${written} but the content computes to ${computed}: the payload was altered or mistyped`,
    );
  }
}

function checkFormatIndicator(fields: readonly TlvField[]): void {
  const first = fields[0];
  if (first?.id !== TAG.formatIndicator || first.value !== FORMAT_INDICATOR) {
    throw new QrisError("not_emv", "the payload does not start with the EMVCo format indicator (tag 00 = 01)");
  }
}

/** EMVCo ids are unique per level; a repeat means the generator is broken and the view would be ambiguous. */
function checkUniqueTags(fields: readonly TlvField[]): void {
  const seen = new Set<string>();
  for (const { id } of fields) {
    if (seen.has(id)) {
      throw new QrisError("broken_tlv", `tag ${id} appears more than once in the QRIS payload`);
    }
    seen.add(id);
  }
}

function isTemplateTag(id: string): boolean {
  const n = Number(id);
  return (n >= 26 && n <= 51) || n === 62;
}

function readTemplates(fields: readonly TlvField[]): QrisTemplate[] {
  return fields
    .filter((f) => isTemplateTag(f.id))
    .map((f) => ({ id: f.id, fields: asQrisError(() => parseTlv(f.value), `template ${f.id}: `) }));
}

function requireIdr(fields: readonly TlvField[]): string {
  const currency = findField(fields, TAG.currency)?.value;
  if (currency !== IDR) {
    const found = currency ?? "missing";
    throw new QrisError("not_idr", `the QRIS currency (tag 53) is ${found}; only IDR (360) is accepted`);
  }
  return currency;
}

function requireCountryCode(fields: readonly TlvField[]): string {
  const country = findField(fields, TAG.countryCode)?.value;
  if (!country) {
    throw new QrisError("no_country_code", "the QRIS payload has no country code (tag 58)");
  }
  return country;
}

function requireMerchantName(fields: readonly TlvField[]): string {
  const name = findField(fields, TAG.merchantName)?.value;
  if (!name?.trim()) {
    throw new QrisError("no_merchant_name", "the QRIS payload has no merchant name (tag 59 missing or blank)");
  }
  return name;
}

function readAmount(fields: readonly TlvField[]): Rupiah | undefined {
  const text = findField(fields, TAG.amount)?.value;
  if (text === undefined) {
    return undefined;
  }
  const match = text.length <= MAX_AMOUNT_CHARS ? AMOUNT_TEXT.exec(text) : null;
  const hasCents = /[^0]/.test(match?.[2] ?? "");
  const amount = match && !hasCents ? Number(match[1]) : Number.NaN;
  if (!amountSchema.safeParse(amount).success) {
    throw new QrisError("bad_amount", "the QRIS amount (tag 54) is not a positive whole number of rupiah");
  }
  return amount;
}

function formatAmount(amount: Rupiah): string {
  if (!amountSchema.safeParse(amount).success) {
    throw new QrisError("bad_amount", `the amount must be a whole number of rupiah from 1 to ${MAX_AMOUNT}, got ${amount}`);
  }
  return String(amount);
}

/** Sets tag 01 to "12" in place, or inserts it right after tag 00 when the static payload omits it. */
function setDynamicPoi(fields: readonly TlvField[]): TlvField[] {
  const poi: TlvField = { id: TAG.pointOfInitiation, value: POI_DYNAMIC };
  if (fields.some((f) => f.id === TAG.pointOfInitiation)) {
    return fields.map((f) => (f.id === TAG.pointOfInitiation ? poi : f));
  }
  return [...fields.slice(0, 1), poi, ...fields.slice(1)];
}

/** Runs TLV code and reports its failures as QrisError broken_tlv, prefixed with where they happened. */
function asQrisError<T>(run: () => T, context = ""): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof TlvError) {
      throw new QrisError("broken_tlv", `${context}${error.message}`);
    }
    throw error;
  }
}
