/** Times as buyers read them: the shop's clock is Jakarta time (WIB). */

// Swedish formatting is ISO-like (`2025-01-31 14:05`): unambiguous in every language.
const wib = new Intl.DateTimeFormat("sv-SE", {
  timeZone: "Asia/Jakarta",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hour12: false,
});

/** `2025-01-31 14:05`, Jakarta time. */
export function formatWib(at: number): string {
  return wib.format(new Date(at));
}
