/**
 * JSON from outside (a request body, a stored value) read without throwing: bad JSON is just
 * another input the zod schema that follows refuses.
 */
import type { z } from "zod";

/** JSON.parse that answers null instead of throwing, for values checked with zod next. */
export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** `text` parsed as JSON and checked against `schema`; null when either fails. */
export function parseJsonWith<T>(text: string, schema: z.ZodType<T>): T | null {
  const parsed = schema.safeParse(safeJson(text));
  return parsed.success ? parsed.data : null;
}
