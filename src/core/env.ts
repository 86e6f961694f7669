/**
 * Building blocks for reading environment variables with zod. The root config and every module
 * that brings its own variables (providers, payment gateways) use the same ones, so an empty
 * value means "unset" everywhere and lists and numbers read alike.
 *
 * @example
 * const slice = z.object({ ACME_API_KEY: optionalText, ACME_TIMEOUT_MS: intText(15_000, 1_000, 60_000) });
 */
import { z } from "zod";

/** An empty or blank value counts as unset. */
export const emptyToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

/** An optional string: empty counts as unset. */
export const optionalText = z.preprocess(emptyToUndefined, z.string().trim().optional());

/** `true/false/1/0/yes/no`, or `fallback` when unset. */
export const boolText = (fallback: boolean) =>
  z.preprocess(emptyToUndefined, z.enum(["true", "false", "1", "0", "yes", "no"]).optional()).transform((value) =>
    value === undefined ? fallback : ["true", "1", "yes"].includes(value),
  );

/** A whole number in `[min, max]`, or `fallback` when unset. */
export const intText = (fallback: number, min: number, max: number) =>
  z.preprocess(emptyToUndefined, z.coerce.number().int().min(min).max(max).optional()).transform((value) => value ?? fallback);

/** An http(s) or redis URL, or `fallback` when unset. */
export const urlText = (fallback?: string) =>
  z.preprocess(emptyToUndefined, z.url({ protocol: /^(https?|redis|rediss)$/ }).optional()).transform((value) => value ?? fallback);

/** A comma-separated list; blanks dropped. */
export const commaList = z.preprocess(emptyToUndefined, z.string().optional()).transform((value) =>
  (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0),
);

/** One problem with one variable, ready to print as `NAME: problem (example: NAME=value)`. */
export interface EnvProblem {
  variable: string;
  problem: string;
  example?: string;
}

/** Parses `env` with a module's slice; the problems name the variable and the module's example. */
export function parseEnvSlice<T>(
  schema: z.ZodType<T>,
  env: Record<string, string | undefined>,
  examples: Readonly<Record<string, string>>,
): { ok: true; value: T } | { ok: false; problems: EnvProblem[] } {
  const parsed = schema.safeParse(env);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? "environment");
      return { variable, problem: issue.message, ...(examples[variable] ? { example: examples[variable] } : {}) };
    }),
  };
}
