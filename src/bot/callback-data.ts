/**
 * Button callback data. A button carries only the menu it belongs to and the item's position:
 * `m1:<menuId>:<index>` (`m1` = format version 1). The session remembers what each position of
 * the current menu means, so a tap and a typed number resolve the same way, and a tap on an
 * older menu, or forged data, can never act on anything: it is recognised as stale.
 */
import { z } from "zod";

const callbackSchema = z
  .string()
  .max(64)
  .regex(/^m1:(\d{1,9}):(\d{1,3})$/)
  .transform((data) => {
    const [, menuId, index] = data.split(":");
    return { menuId: Number(menuId), index: Number(index) };
  });

/** A decoded button press: which menu, which item (0-based). */
export interface MenuPress {
  menuId: number;
  index: number;
}

/** Encodes the callback data of item `index` (0-based) of menu `menuId`. */
export function encodeMenuPress(menuId: number, index: number): string {
  return `m1:${menuId}:${index}`;
}

/** Decodes callback data; null for anything that is not a well-formed current-version press. */
export function decodeMenuPress(data: string): MenuPress | null {
  const parsed = callbackSchema.safeParse(data);
  return parsed.success ? parsed.data : null;
}
