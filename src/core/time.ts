/** Times as buyers read them: the shop's clock is Jakarta time (WIB). */

// Swedish formatting is ISO-like (`2025-01-31 14:05`): unambiguous in every language.
const wibMinutes: Intl.DateTimeFormatOptions = {
  timeZone: "Asia/Jakarta",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hour12: false,
};
const wib = new Intl.DateTimeFormat("sv-SE", wibMinutes);

/** `2025-01-31 14:05`, Jakarta time. */
export function formatWib(at: number): string {
  return wib.format(new Date(at));
}

/** The shop's offset from UTC: WIB is UTC+7 all year (Indonesia has no daylight saving). */
export const wibOffsetMs = 7 * 3_600_000;

const wibSeconds = new Intl.DateTimeFormat("sv-SE", { ...wibMinutes, second: "2-digit" });

/** `2025-01-31 14:05:09`, Jakarta time: what spreadsheets read as a date and time. */
export function formatWibSeconds(at: number): string {
  return wibSeconds.format(new Date(at));
}

/** The first and last millisecond of a calendar month in WIB (`month` 1–12). */
export function wibMonthRange(year: number, month: number): { from: number; to: number } {
  const from = Date.UTC(year, month - 1, 1) - wibOffsetMs;
  const to = Date.UTC(year, month, 1) - wibOffsetMs - 1;
  return { from, to };
}

/**
 * The next moment after `now` that the WIB clock shows `hour:minute`, in epoch ms.
 *
 * @example
 * nextWibTime(3, 0, Date.parse("2025-01-31T19:59:00Z")); // 2025-01-31T20:00:00Z (03:00 WIB on Feb 1)
 */
export function nextWibTime(hour: number, minute: number, now: number): number {
  const wibNow = new Date(now + wibOffsetMs);
  let at = Date.UTC(wibNow.getUTCFullYear(), wibNow.getUTCMonth(), wibNow.getUTCDate(), hour, minute) - wibOffsetMs;
  if (at <= now) at += 24 * 3_600_000;
  return at;
}
