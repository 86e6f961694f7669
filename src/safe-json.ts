/** JSON.parse that answers null instead of throwing, for stored values checked with zod next. */
export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
