/**
 * The environment, parsed once with zod. Every variable is documented in `.env.example`.
 *
 * `loadConfig()` returns a typed config or a list of problems, one per variable, each naming the
 * variable, what is wrong and an example; `main.ts` prints them and exits non-zero.
 */
import { z } from "zod";

const emptyToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

/** An optional string: empty counts as unset. */
const optionalText = z.preprocess(emptyToUndefined, z.string().trim().optional());
const boolText = (fallback: boolean) =>
  z.preprocess(emptyToUndefined, z.enum(["true", "false", "1", "0", "yes", "no"]).optional()).transform((value) =>
    value === undefined ? fallback : ["true", "1", "yes"].includes(value),
  );
const intText = (fallback: number, min: number, max: number) =>
  z.preprocess(emptyToUndefined, z.coerce.number().int().min(min).max(max).optional()).transform((value) => value ?? fallback);
const urlText = (fallback?: string) =>
  z.preprocess(emptyToUndefined, z.url({ protocol: /^(https?|redis|rediss)$/ }).optional()).transform((value) => value ?? fallback);
const commaList = z.preprocess(emptyToUndefined, z.string().optional()).transform((value) =>
  (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0),
);

/** The examples shown when a variable is wrong. */
const examples: Record<string, string> = {
  TELEGRAM_BOT_TOKEN: "123456789:AAExampleTokenFromBotFather",
  TELEGRAM_API_ROOT: "https://api.telegram.org",
  TELEGRAM_MODE: "polling",
  TELEGRAM_WEBHOOK_URL: "https://shop.example.com",
  TELEGRAM_WEBHOOK_SECRET: "a-long-random-string",
  REDIS_URL: "redis://127.0.0.1:6379",
  DEFAULT_LOCALE: "id",
  SANDBOX: "auto",
  LOG_LEVEL: "info",
  MARKUP_PERCENT: "5",
  MARKUP_FLAT: "1000",
  SESSION_TTL_MINUTES: "30",
  HTTP_PORT: "8080",
  CONSOLE: "auto",
};

const schema = z.object({
  TELEGRAM_BOT_TOKEN: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^\d+:[\w-]{20,}$/, { message: "is not a bot token from @BotFather" })
      .optional(),
  ),
  TELEGRAM_API_ROOT: urlText("https://api.telegram.org"),
  TELEGRAM_MODE: z.preprocess(emptyToUndefined, z.enum(["polling", "webhook"]).default("polling")),
  TELEGRAM_WEBHOOK_URL: urlText(),
  TELEGRAM_WEBHOOK_SECRET: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{16,256}$/, { message: "must be 16–256 letters, digits, _ or -" })
      .optional(),
  ),
  REDIS_URL: urlText(),
  DEFAULT_LOCALE: z.preprocess(emptyToUndefined, z.enum(["id", "en"]).default("id")),
  SANDBOX: z.preprocess(emptyToUndefined, z.enum(["auto", "on", "off", "true", "false"]).default("auto")),
  LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info")),
  MARKUP_PERCENT: z.preprocess(emptyToUndefined, z.coerce.number().min(0).max(500).default(0)),
  MARKUP_FLAT: intText(0, 0, 10_000_000),
  SESSION_TTL_MINUTES: intText(30, 1, 24 * 60),
  HTTP_PORT: intText(8080, 0, 65_535),
  CONSOLE: z.preprocess(emptyToUndefined, z.enum(["auto", "on", "off"]).default("auto")),
  SHOP_NAME: z.preprocess(emptyToUndefined, z.string().max(64).default("Warung Bot")),
  ADMIN_TELEGRAM_IDS: commaList,
});

export type Config = z.infer<typeof schema> & {
  /** True when the sandbox provider is part of the catalog. */
  sandbox: boolean;
  /** True when the console chat should run (no chat platform configured, or CONSOLE=on). */
  console: boolean;
};

/** One problem with the environment, ready to print. */
export interface ConfigProblem {
  variable: string;
  problem: string;
  example?: string;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: ConfigProblem[] };

/** Parses an environment (default `process.env`). Pure: it never prints or exits. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ConfigResult {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? "environment");
      return { variable, problem: issue.message, example: examples[variable] };
    });
    return { ok: false, problems };
  }
  const raw = parsed.data;
  const problems: ConfigProblem[] = [];
  if (raw.TELEGRAM_MODE === "webhook") {
    if (!raw.TELEGRAM_WEBHOOK_URL) {
      problems.push({ variable: "TELEGRAM_WEBHOOK_URL", problem: "is required when TELEGRAM_MODE=webhook", example: examples.TELEGRAM_WEBHOOK_URL });
    }
    if (!raw.TELEGRAM_WEBHOOK_SECRET) {
      problems.push({ variable: "TELEGRAM_WEBHOOK_SECRET", problem: "is required when TELEGRAM_MODE=webhook", example: examples.TELEGRAM_WEBHOOK_SECRET });
    }
  }
  if (problems.length > 0) return { ok: false, problems };

  const realProviderConfigured = false; // Provider adapters switch this on once their credentials are set.
  const sandbox = raw.SANDBOX === "on" || raw.SANDBOX === "true" || (raw.SANDBOX === "auto" && !realProviderConfigured);
  const platformConfigured = Boolean(raw.TELEGRAM_BOT_TOKEN);
  const console = raw.CONSOLE === "on" || (raw.CONSOLE === "auto" && !platformConfigured);
  return { ok: true, config: { ...raw, sandbox, console } };
}

/** Formats problems as one line each: `NAME: what is wrong (example: NAME=value)`. */
export function formatConfigProblems(problems: ConfigProblem[]): string {
  return problems
    .map(({ variable, problem, example }) => `${variable}: ${problem}${example ? ` (example: ${variable}=${example})` : ""}`)
    .join("\n");
}
