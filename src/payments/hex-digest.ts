/**
 * Constant-time comparison of a received hex signature with the one we computed: every signed
 * notification (the generic callback's HMAC, Midtrans' SHA-512, Tripay's HMAC) is checked the
 * same way, and anything that is not hex of the expected length is simply false.
 *
 * @example
 * sameHexDigest(createHmac("sha256", key).update(body).digest("hex"), headers["x-signature"]);
 */
import { timingSafeEqual } from "node:crypto";

export function sameHexDigest(expected: string, received: string | undefined): boolean {
  if (received === undefined || received.length !== expected.length || !/^[0-9a-fA-F]*$/.test(received)) return false;
  return timingSafeEqual(Buffer.from(expected, "hex"), Buffer.from(received.toLowerCase(), "hex"));
}
