/**
 * EMVCo TLV: each field is a 2-digit id, a 2-digit length and that many characters of value.
 * Lengths count characters (Unicode code points), not bytes or UTF-16 units, so a non-ASCII
 * merchant name is measured the way the spec and the scanning wallets measure it.
 * Pure: no I/O, no knowledge of which ids are templates.
 */

/** One TLV field. `value` is kept verbatim so re-serialising reproduces the input byte for byte. */
export interface TlvField {
  /** Two decimal digits, "00".."99". */
  readonly id: string;
  readonly value: string;
}

/**
 * A TLV string that cannot be read or a field that cannot be written. `offset` is the character
 * position where reading stopped, so the message locates the fault without quoting the payload.
 */
export class TlvError extends Error {
  override readonly name = "TlvError";
  constructor(
    message: string,
    readonly offset?: number,
  ) {
    super(message);
  }
}

const HEADER_LENGTH = 4;
const MAX_VALUE_LENGTH = 99;
const TWO_DIGITS = /^[0-9]{2}$/;
const HEADER = /^([0-9]{2})([0-9]{2})$/;

/**
 * Splits `text` into its top-level fields, in order. Throws TlvError when a header is not four
 * digits, a length runs past the end, or characters are left over after the last field.
 */
export function parseTlv(text: string): TlvField[] {
  const chars = Array.from(text);
  const fields: TlvField[] = [];
  let offset = 0;
  while (offset < chars.length) {
    const { field, next } = readField(chars, offset);
    fields.push(field);
    offset = next;
  }
  return fields;
}

function readField(chars: readonly string[], offset: number): { field: TlvField; next: number } {
  const header = HEADER.exec(chars.slice(offset, offset + HEADER_LENGTH).join(""));
  if (!header) {
    throw new TlvError(describeBadHeader(chars, offset), offset);
  }
  const [, id = "", lengthDigits = ""] = header;
  const length = Number(lengthDigits);
  const start = offset + HEADER_LENGTH;
  if (start + length > chars.length) {
    throw new TlvError(
      `field ${id} at offset ${offset} declares ${length} character(s) but only ${chars.length - start} remain`,
      offset,
    );
  }
  return { field: { id, value: chars.slice(start, start + length).join("") }, next: start + length };
}

/** Names the likely cause, since a pasted payload with a trailing newline is the common case. */
function describeBadHeader(chars: readonly string[], offset: number): string {
  const remaining = chars.length - offset;
  if (chars.slice(offset).every((c) => /\s/.test(c))) {
    return `${remaining} whitespace character(s) after the last field at offset ${offset}`;
  }
  if (remaining < HEADER_LENGTH) {
    return `${remaining} stray character(s) after the last field at offset ${offset}`;
  }
  return `field header at offset ${offset} is not a 2-digit id and 2-digit length`;
}

/** Writes one field as id + 2-digit character count + value. Throws TlvError if it cannot be encoded. */
export function encodeField(id: string, value: string): string {
  if (!TWO_DIGITS.test(id)) {
    throw new TlvError(`field id must be two digits, got ${JSON.stringify(id)}`);
  }
  const length = Array.from(value).length;
  if (length > MAX_VALUE_LENGTH) {
    throw new TlvError(`field ${id} is ${length} characters long; TLV allows at most ${MAX_VALUE_LENGTH}`);
  }
  return `${id}${String(length).padStart(2, "0")}${value}`;
}

/** Writes `fields` in the given order; the inverse of parseTlv. */
export function serialiseTlv(fields: readonly TlvField[]): string {
  return fields.map((field) => encodeField(field.id, field.value)).join("");
}

/** The first field with `id`, or undefined. EMVCo ids are unique per level, so first is the only one. */
export function findField(fields: readonly TlvField[], id: string): TlvField | undefined {
  return fields.find((field) => field.id === id);
}
