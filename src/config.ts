/**
 * The environment, parsed once with zod. Every variable is documented in `.env.example`. Each
 * provider module reads its own variables (`providers/<id>/module.ts`); this file names none of them.
 *
 * `loadConfig()` returns a typed config or a list of problems, one per variable, each naming the
 * variable, what is wrong and an example; `main.ts` prints them and exits non-zero.
 */
import { z } from "zod";
import { parseEncryptionKey } from "./commerce/delivery-vault.js";
import { parsePriceTiers, parseTierUpgrades, type PriceTier, type TierUpgrade } from "./commerce/price-quote.js";
import { minBackupKeyLength } from "./store/backup-file.js";
import { boolText, commaList, emptyToUndefined, intText, optionalText, urlText, type EnvProblem } from "./core/env.js";
import { locales } from "./core/message.js";
import { processRoles } from "./core/role.js";
import type { PaymentMethodId } from "./payments/method.js";
import { paymentMethodIds } from "./payments/methods/registry.js";
import type { GatewayShared, QrisGateway } from "./payments/gateway.js";
import { qrisGatewayModules } from "./payments/gateways/registry.js";
import { validateStaticQris } from "./payments/qris.js";
import type { ProviderSetup } from "./providers/module.js";
import { providerModules, readProviderEnv, sandboxModule } from "./providers/registry.js";
import type { RedisTarget } from "./store/redis.js";
import { readRedisEnv, type RedisEnv } from "./store/redis-env.js";

/** The examples shown when a variable is wrong. */
const examples: Record<string, string> = {
  TELEGRAM_BOT_TOKEN: "123456789:AAExampleTokenFromBotFather",
  TELEGRAM_API_ROOT: "https://api.telegram.org",
  TELEGRAM_MODE: "polling",
  TELEGRAM_WEBHOOK_URL: "https://shop.example.com",
  TELEGRAM_WEBHOOK_SECRET: "a-long-random-string",
  REDIS_URL: "redis://127.0.0.1:6379",
  REDIS_KEY_PREFIX: "shop1:",
  DEFAULT_LOCALE: "id",
  SANDBOX: "auto",
  LOG_LEVEL: "info",
  MARKUP_PERCENT: "5",
  MARKUP_FLAT: "1000",
  DATA_ENCRYPTION_KEY: "(openssl rand -hex 32)",
  TELEGRAM_ADMIN_CHAT_ID: "-1001234567890",
  ADMIN_TELEGRAM_IDS: "11111111,22222222",
  WHATSAPP_PHONE: "6281234567890",
  WHATSAPP_ADMIN_GROUP_JID: "120363012345678901@g.us",
  ADMIN_WHATSAPP_NUMBERS: "6281234567890,6289876543210",
  PAYMENT_METHODS: "wallet,qris",
  QRIS_STATIC_PAYLOAD: "000201010211...6304ABCD",
  PAYMENT_CALLBACK_SECRET: "a-long-random-string",
  SESSION_TTL_MINUTES: "30",
  HTTP_PORT: "8080",
  HTTP_HOST: "127.0.0.1",
  METRICS_TOKEN: "a-long-random-string",
  CHAT_FLOOD_PER_SECOND: "1",
  CHAT_FLOOD_BURST: "10",
  CONSOLE: "auto",
  CONSOLE_FILES_DIR: "./console-files",
  SHOP_NAME: "Warung Bot",
  CATALOG_REFRESH_MINUTES: "5",
  PROVIDER_TIMEOUT_MS: "15000",
  PLACING_GRACE_SECONDS: "180",
  PURCHASE_MAX_ATTEMPTS: "3",
  LOW_BALANCE_IDR: "100000",
  WHATSAPP_ENABLED: "true",
  WHATSAPP_SEND_PER_SECOND: "1",
  WHATSAPP_PRESENCE: "true",
  WHATSAPP_QR_FILE: "whatsapp-qr.png",
  QRIS_UNIQUE_CODE_MAX: "999",
  QRIS_MAX_OPEN_PER_BUYER: "3",
  PAYMENT_TTL_MINUTES: "15",
  ROLE: "all",
  QRIS_GATEWAYS: "midtrans,static",
  QRIS_FEE_PAYER: "buyer",
  QRIS_GATEWAY_TIMEOUT_MS: "10000",
  PRICE_TIERS: "member:0,reseller:-3%,vip:-5%",
  TIER_UPGRADE: "reseller:1000000,vip:5000000",
  REFERRAL_PERCENT: "2",
  REFERRAL_DAYS: "90",
  BACKUP_KEY: "(openssl rand -base64 32)",
  BACKUP_DIR: "/var/backups/warung-bot",
  BACKUP_AT: "03:00",
  BACKUP_KEEP: "7",
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
  REDIS_KEY_PREFIX: z.preprocess(emptyToUndefined, z.string().regex(/^[\w:.-]{0,64}$/, { message: "must be up to 64 letters, digits, _ : . -" }).default("")),
  DEFAULT_LOCALE: z.preprocess(emptyToUndefined, z.enum(locales).default("id")),
  SANDBOX: z.preprocess(emptyToUndefined, z.enum(["auto", "on", "off", "true", "false"]).default("auto")),
  LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info")),
  MARKUP_PERCENT: z.preprocess(emptyToUndefined, z.coerce.number().min(0).max(500).default(0)),
  MARKUP_FLAT: intText(0, 0, 10_000_000),
  SESSION_TTL_MINUTES: intText(30, 1, 24 * 60),
  HTTP_PORT: intText(8080, 0, 65_535),
  HTTP_HOST: z.preprocess(
    emptyToUndefined,
    z.union([z.ipv4(), z.ipv6(), z.hostname()], { message: "must be an IP address or a host name" }).default("0.0.0.0"),
  ),
  METRICS_TOKEN: z.preprocess(emptyToUndefined, z.string().min(16, { message: "must be at least 16 characters" }).optional()),
  // Per chat (Telegram) or sender (WhatsApp): messages handled per second, plus a burst per 30 s.
  CHAT_FLOOD_PER_SECOND: intText(1, 1, 10_000),
  CHAT_FLOOD_BURST: intText(10, 0, 100_000),
  CONSOLE: z.preprocess(emptyToUndefined, z.enum(["auto", "on", "off"]).default("auto")),
  // Where the console chat writes documents the bot sends (default: the system temp dir).
  CONSOLE_FILES_DIR: z.preprocess(emptyToUndefined, z.string().optional()),
  SHOP_NAME: z.preprocess(emptyToUndefined, z.string().max(64).default("Warung Bot")),
  TELEGRAM_ADMIN_CHAT_ID: z.preprocess(emptyToUndefined, z.string().regex(/^-?\d+$/, { message: "must be a numeric chat id" }).optional()),
  ADMIN_TELEGRAM_IDS: commaList.pipe(z.array(z.string().regex(/^\d+$/, { message: "must be numeric Telegram user ids" }))),
  LOW_BALANCE_IDR: intText(100_000, 0, 1_000_000_000),

  WHATSAPP_ENABLED: boolText(false),
  WHATSAPP_PHONE: z.preprocess(emptyToUndefined, z.string().regex(/^\d{8,15}$/, { message: "must be the number in international form, digits only" }).optional()),
  WHATSAPP_ADMIN_GROUP_JID: z.preprocess(emptyToUndefined, z.string().regex(/^[\d-]+@g\.us$/, { message: "must be a group JID ending in @g.us" }).optional()),
  ADMIN_WHATSAPP_NUMBERS: commaList.pipe(z.array(z.string().regex(/^\d{8,15}$/, { message: "must be numbers in international form, digits only" }))),
  WHATSAPP_SEND_PER_SECOND: z.preprocess(emptyToUndefined, z.coerce.number().positive().max(20).default(1)),
  WHATSAPP_PRESENCE: boolText(true),
  WHATSAPP_QR_FILE: z.preprocess(emptyToUndefined, z.string().default("whatsapp-qr.png")),

  PAYMENT_METHODS: commaList.pipe(z.array(z.enum(paymentMethodIds))),
  QRIS_STATIC_PAYLOAD: optionalText,
  QRIS_UNIQUE_CODE_MAX: intText(999, 0, 9_999),
  QRIS_MAX_OPEN_PER_BUYER: intText(3, 1, 100),
  PAYMENT_TTL_MINUTES: intText(15, 1, 24 * 60),
  PAYMENT_CALLBACK_SECRET: z.preprocess(emptyToUndefined, z.string().min(16, { message: "must be at least 16 characters" }).optional()),
  ROLE: z.preprocess(emptyToUndefined, z.enum(processRoles).default("all")),
  DATA_ENCRYPTION_KEY: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((text) => parseEncryptionKey(text) !== null, { message: "must be 32 bytes as 64 hex digits or base64" })
      .optional(),
  ),
  CATALOG_REFRESH_MINUTES: intText(5, 1, 24 * 60),
  PROVIDER_TIMEOUT_MS: intText(15_000, 1_000, 300_000),
  PLACING_GRACE_SECONDS: intText(180, 1, 3_600),
  PURCHASE_MAX_ATTEMPTS: intText(3, 1, 10),
  // Price tiers (issue 17): read as text here, checked and turned into rules in loadConfig.
  PRICE_TIERS: optionalText,
  TIER_UPGRADE: optionalText,
  // Referrals (issue 17): the referrer's share of each delivered order of a referred buyer, for
  // this many days after linking. 0 (the default) turns the programme off: it gives money away.
  REFERRAL_PERCENT: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ message: "must be a percentage such as 2 or 2.5" })
      .min(0, { message: "must be 0 (off) to 50" })
      .max(50, { message: "must be 0 (off) to 50" })
      .refine((value) => Number.isInteger(Math.round(value * 100 * 1e6) / 1e6), { message: "may have at most 2 decimals" })
      .default(0),
  ),
  REFERRAL_DAYS: intText(90, 1, 3_650),

  // QRIS gateways (issue 15): ids checked against the gateway registry in readQrisGateways.
  QRIS_GATEWAYS: commaList,
  QRIS_FEE_PAYER: z.preprocess(emptyToUndefined, z.enum(["buyer", "shop"], { message: "must be buyer or shop" }).default("buyer")),
  QRIS_GATEWAY_TIMEOUT_MS: intText(10_000, 1_000, 60_000),
  // Backups (admin /backup, the daily one, npm run restore): see README "Backups and restore".
  BACKUP_KEY: z.preprocess(emptyToUndefined, z.string().min(minBackupKeyLength, { message: `must be a passphrase of at least ${minBackupKeyLength} characters` }).optional()),
  BACKUP_DIR: optionalText,
  BACKUP_AT: z.preprocess(emptyToUndefined, z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: "must be a time of day HH:MM (WIB)" }).optional()),
  BACKUP_KEEP: intText(7, 1, 365),
});

type RawConfig = z.infer<typeof schema>;

/**
 * SANDBOX=on puts free test money (instant /topup) in the same wallets that buy from the real
 * providers, so sandbox money would buy real goods: refuse to start rather than guess which one
 * the owner meant.
 */
function sandboxNextToRealProvider(raw: RawConfig, real: readonly ProviderSetup[]): ConfigProblem | null {
  if (raw.SANDBOX !== "on" && raw.SANDBOX !== "true") return null;
  if (real.length === 0) return null;
  return {
    variable: "SANDBOX",
    problem: `is ${raw.SANDBOX} while real providers are configured (${real.map((setup) => setup.id).join(", ")}): sandbox top-ups would buy real goods; use auto or off, or remove their credentials`,
    example: "auto",
  };
}

export type Config = RawConfig & {
  /** The providers to run (each read from its own module's variables), the sandbox last when on. */
  providers: ProviderSetup[];
  /** True when the sandbox provider is part of the catalog. */
  sandbox: boolean;
  /** True when the console chat should run (no chat platform configured, or CONSOLE=on). */
  console: boolean;
  /** Payment methods buyers may choose, in menu order (built-in ids; a test may add its own module's). */
  paymentMethods: PaymentMethodId[];
  /** Where QRIS payments are issued, in `QRIS_GATEWAYS` order (a test may put its own gateway here). */
  qrisGateways: QrisGatewaySetup[];
  /** `PRICE_TIERS` in order (the first is every buyer's default); empty when tiers are off. */
  priceTiers: PriceTier[];
  /** `TIER_UPGRADE`, cheapest first; empty when tiers only change by `/tier`. */
  tierUpgrades: TierUpgrade[];
  /** Where Redis is (`REDIS_URL` or Sentinel, `store/redis-env.ts`); null = the in-memory demo store. */
  redis: RedisTarget | null;
  /** Replicas a money write waits for (`REDIS_WAIT_REPLICAS`, `REDIS_WAIT_TIMEOUT_MS`). */
  redisWait: RedisEnv["wait"];
};

/**
 * One entry of `QRIS_GATEWAYS`, read: `static` (the owner's QRIS made dynamic, unique totals) or
 * an API gateway with its builder (its variables already checked).
 */
export type QrisGatewaySetup = { id: "static"; create: null } | { id: string; create: (shared: GatewayShared) => QrisGateway };

/** One problem with the environment, ready to print. */
export type ConfigProblem = EnvProblem;

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: ConfigProblem[] };

/** Parses an environment (default `process.env`). Pure: it never prints or exits. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ConfigResult {
  const parsed = schema.safeParse(env);
  const providerEnv = readProviderEnv(env);
  const redisEnv = readRedisEnv(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? "environment");
      return { variable, problem: issue.message, example: examples[variable] };
    });
    return { ok: false, problems: [...problems, ...providerEnv.problems, ...(redisEnv.ok ? [] : redisEnv.problems)] };
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
  problems.push(...providerEnv.problems);
  problems.push(...backupProblems(raw));
  if (!redisEnv.ok) problems.push(...redisEnv.problems);
  const sandboxProblem = sandboxNextToRealProvider(raw, providerEnv.setups);
  if (sandboxProblem) problems.push(sandboxProblem);
  if (raw.QRIS_STATIC_PAYLOAD) {
    try {
      validateStaticQris(raw.QRIS_STATIC_PAYLOAD);
    } catch (error) {
      problems.push({ variable: "QRIS_STATIC_PAYLOAD", problem: (error as Error).message, example: "the text inside your shop's static QRIS image" });
    }
  }
  const gateways = readQrisGateways(raw, env);
  problems.push(...gateways.problems);
  const paymentMethods = choosePaymentMethods(raw, gateways.setups);
  if (paymentMethods.includes("qris") && gateways.setups.length === 0 && gateways.problems.length === 0) {
    problems.push({ variable: "QRIS_STATIC_PAYLOAD", problem: "is required when PAYMENT_METHODS includes qris (or list a gateway in QRIS_GATEWAYS)", example: examples.QRIS_STATIC_PAYLOAD });
  }
  if (paymentMethods.includes("provider_qris") && !providerEnv.setups.some((setup) => setup.capabilities.providerQris)) {
    const able = providerModules.filter((module) => module.capabilities.providerQris).map((module) => module.id);
    problems.push({ variable: "PAYMENT_METHODS", problem: `provider_qris needs a provider with its own QRIS (${able.join(", ")})`, example: "wallet,qris" });
  }
  const tiers = readTiers(raw);
  problems.push(...tiers.problems);
  if (problems.length > 0 || !redisEnv.ok) return { ok: false, problems };

  const realProviderConfigured = providerEnv.setups.length > 0;
  const sandbox = raw.SANDBOX === "on" || raw.SANDBOX === "true" || (raw.SANDBOX === "auto" && !realProviderConfigured);
  const platformConfigured = Boolean(raw.TELEGRAM_BOT_TOKEN) || raw.WHATSAPP_ENABLED;
  const console = raw.CONSOLE === "on" || (raw.CONSOLE === "auto" && !platformConfigured);
  const sandboxSetup = sandbox ? sandboxModule.read(env).setup : null;
  const providers = sandboxSetup ? [...providerEnv.setups, sandboxSetup] : providerEnv.setups;
  return {
    ok: true,
    config: {
      ...raw,
      providers,
      sandbox,
      console,
      paymentMethods,
      qrisGateways: gateways.setups,
      priceTiers: tiers.tiers,
      tierUpgrades: tiers.upgrades,
      redis: redisEnv.value.target,
      redisWait: redisEnv.value.wait,
    },
  };
}

/**
 * The payment methods on offer: as configured, or by default the wallet plus QRIS when any QRIS
 * gateway (the static one included) is set. The wallet is always first: it is the instant one.
 */
function choosePaymentMethods(raw: RawConfig, gateways: readonly QrisGatewaySetup[]): PaymentMethodId[] {
  if (raw.PAYMENT_METHODS.length > 0) return [...new Set(raw.PAYMENT_METHODS)];
  return gateways.length > 0 ? ["wallet", "qris"] : ["wallet"];
}

/**
 * `QRIS_GATEWAYS`: the ordered list of where a QRIS is issued, `static` plus the gateway
 * registry's ids. Unset: `static` when `QRIS_STATIC_PAYLOAD` is set, else none (today's
 * behaviour). An unknown id, `static` without a payload, or a listed gateway's missing or
 * malformed credential is one line each; a gateway's variables are read only when it is listed.
 */
function readQrisGateways(raw: RawConfig, env: Record<string, string | undefined>): { problems: ConfigProblem[]; setups: QrisGatewaySetup[] } {
  const known = ["static", ...qrisGatewayModules.map((module) => module.id)];
  const listed = raw.QRIS_GATEWAYS.length > 0 ? [...new Set(raw.QRIS_GATEWAYS.map((id) => id.toLowerCase()))] : raw.QRIS_STATIC_PAYLOAD ? ["static"] : [];
  const problems: ConfigProblem[] = [];
  const setups: QrisGatewaySetup[] = [];
  for (const id of listed) {
    if (id === "static") {
      if (raw.QRIS_STATIC_PAYLOAD) setups.push({ id: "static", create: null });
      else problems.push({ variable: "QRIS_STATIC_PAYLOAD", problem: "is required when QRIS_GATEWAYS includes static", example: examples.QRIS_STATIC_PAYLOAD });
      continue;
    }
    const module = qrisGatewayModules.find((candidate) => candidate.id === id);
    if (!module) {
      problems.push({ variable: "QRIS_GATEWAYS", problem: `unknown gateway "${id}" (known: ${known.join(", ")})`, example: examples.QRIS_GATEWAYS });
      continue;
    }
    const read = module.read(env);
    problems.push(...read.problems);
    if (read.create) setups.push({ id, create: read.create });
  }
  return { problems, setups };
}

/** `PRICE_TIERS` and `TIER_UPGRADE`, each problem one line naming its variable. */
function readTiers(raw: RawConfig): { tiers: PriceTier[]; upgrades: TierUpgrade[]; problems: ConfigProblem[] } {
  const tiers = parsePriceTiers(raw.PRICE_TIERS ?? "");
  if (!tiers.ok) return { tiers: [], upgrades: [], problems: [{ variable: "PRICE_TIERS", problem: tiers.problem, example: examples.PRICE_TIERS }] };
  const upgrades = parseTierUpgrades(raw.TIER_UPGRADE ?? "", tiers.tiers);
  if (!upgrades.ok) return { tiers: tiers.tiers, upgrades: [], problems: [{ variable: "TIER_UPGRADE", problem: upgrades.problem, example: examples.TIER_UPGRADE }] };
  return { tiers: tiers.tiers, upgrades: upgrades.upgrades, problems: [] };
}

/** A daily backup needs a key to seal it and somewhere to put it. */
function backupProblems(raw: RawConfig): ConfigProblem[] {
  if (!raw.BACKUP_AT) return [];
  const problems: ConfigProblem[] = [];
  if (!raw.BACKUP_KEY) problems.push({ variable: "BACKUP_KEY", problem: "is required when BACKUP_AT is set", example: examples.BACKUP_KEY });
  if (!raw.BACKUP_DIR && !raw.TELEGRAM_ADMIN_CHAT_ID && !raw.WHATSAPP_ADMIN_GROUP_JID) {
    problems.push({ variable: "BACKUP_AT", problem: "needs BACKUP_DIR or an admin group (TELEGRAM_ADMIN_CHAT_ID, WHATSAPP_ADMIN_GROUP_JID) to put the backup somewhere", example: examples.BACKUP_AT });
  }
  return problems;
}

const restoreSchema = schema.pick({ REDIS_URL: true, REDIS_KEY_PREFIX: true, BACKUP_KEY: true });
/** What `npm run restore` reads from the environment. */
export type RestoreEnv = z.infer<typeof restoreSchema> & { REDIS_URL: string; BACKUP_KEY: string };

/** Parses the restore tool's variables only (a restore machine need not have the shop's whole env). */
export function loadRestoreEnv(env: Record<string, string | undefined> = process.env): { ok: true; env: RestoreEnv } | { ok: false; problems: ConfigProblem[] } {
  const parsed = restoreSchema.safeParse(env);
  const problems: ConfigProblem[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? "environment");
        return { variable, problem: issue.message, example: examples[variable] };
      });
  if (parsed.success && !parsed.data.REDIS_URL) problems.push({ variable: "REDIS_URL", problem: "is required to restore", example: examples.REDIS_URL });
  if (parsed.success && !parsed.data.BACKUP_KEY) problems.push({ variable: "BACKUP_KEY", problem: "is required to open the backup", example: examples.BACKUP_KEY });
  if (!parsed.success || problems.length > 0) return { ok: false, problems };
  return { ok: true, env: parsed.data as RestoreEnv };
}

/** Formats problems as one line each: `NAME: what is wrong (example: NAME=value)`. */
export function formatConfigProblems(problems: ConfigProblem[]): string {
  return problems
    .map(({ variable, problem, example }) => `${variable}: ${problem}${example ? ` (example: ${variable}=${example})` : ""}`)
    .join("\n");
}
