/**
 * CRC-16/CCITT-FALSE, the checksum EMVCo (and so QRIS) puts in tag 63: poly 0x1021, init 0xFFFF,
 * no reflection, no xor-out. Check value: "123456789" → 0x29B1.
 */

const POLY = 0x1021;
const INIT = 0xffff;

const utf8 = new TextEncoder();

/** One entry per possible top byte, so the hot loop is a lookup instead of eight shifts per byte. */
const TABLE: Uint16Array = buildTable();

function buildTable(): Uint16Array {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? (crc << 1) ^ POLY : crc << 1;
    }
    table[byte] = crc & 0xffff;
  }
  return table;
}

/**
 * CRC-16/CCITT-FALSE of `data`. Strings are hashed as their UTF-8 bytes, which is what a scanner
 * hashes after decoding the QR, so a non-ASCII merchant name still yields a CRC the wallet accepts.
 */
export function crc16(data: string | Uint8Array): number {
  const bytes = typeof data === "string" ? utf8.encode(data) : data;
  let crc = INIT;
  for (const byte of bytes) {
    // The index is masked to 0..255, so the lookup always hits the table.
    crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ byte) & 0xff]!) & 0xffff;
  }
  return crc;
}

/** CRC-16/CCITT-FALSE of `data` as EMVCo writes it: exactly 4 uppercase hex digits. */
export function crc16Hex(data: string | Uint8Array): string {
  return crc16(data).toString(16).toUpperCase().padStart(4, "0");
}
