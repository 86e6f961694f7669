/**
 * The Redis connection's own variables: a single server (`REDIS_URL`) or Redis Sentinel
 * (`REDIS_SENTINELS` + `REDIS_SENTINEL_NAME`), passwords, and how many replicas a money write
 * waits for. Read by `config.ts` into one {@link RedisTarget} that the shop's client and
 * BullMQ's connections are all made from.
 *
 * @example
 * readRedisEnv({ REDIS_SENTINELS: "10.0.0.1:26379,10.0.0.2:26379,10.0.0.3:26379", REDIS_SENTINEL_NAME: "mymaster" })
 * // → { ok: true, value: { target: { kind: "sentinel", … }, wait: { replicas: 1, timeoutMs: 1000 } } }
 */
import { z } from "zod";
import { commaList, emptyToUndefined, intText, optionalText, parseEnvSlice, type EnvProblem } from "../core/env.js";
import type { RedisTarget, SentinelAddress } from "./redis.js";

/** The examples shown when a variable is wrong. */
export const redisEnvExamples: Readonly<Record<string, string>> = {
  REDIS_SENTINELS: "10.0.0.1:26379,10.0.0.2:26379,10.0.0.3:26379",
  REDIS_SENTINEL_NAME: "mymaster",
  REDIS_SENTINEL_PASSWORD: "the-sentinels-requirepass",
  REDIS_PASSWORD: "the-redis-requirepass",
  REDIS_WAIT_REPLICAS: "1",
  REDIS_WAIT_TIMEOUT_MS: "1000",
};

/** `host:port`, host a name or an IPv4 address (IPv6 as `[::1]:26379`). */
const sentinelAddress = z.string().transform((text, context): SentinelAddress => {
  const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[2]) : 0;
  if (!match || port < 1 || port > 65_535) {
    context.addIssue({ code: "custom", message: `"${text}" is not host:port` });
    return z.NEVER;
  }
  return { host: match[1]!.replace(/^\[|\]$/g, ""), port };
});

const slice = z.object({
  // Validated by the root config; read here only to know whether it is set.
  REDIS_URL: optionalText,
  REDIS_SENTINELS: commaList.pipe(z.array(sentinelAddress)),
  REDIS_SENTINEL_NAME: z.preprocess(emptyToUndefined, z.string().regex(/^[\w.-]{1,64}$/, { message: "must be the master group name, letters, digits, _ . -" }).optional()),
  REDIS_SENTINEL_PASSWORD: optionalText,
  REDIS_PASSWORD: optionalText,
  REDIS_WAIT_REPLICAS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(10).optional()),
  // Below the shop client's 5 s command timeout, which would otherwise cut a WAIT short.
  REDIS_WAIT_TIMEOUT_MS: intText(1_000, 10, 4_000),
});

/** Where Redis is (null: the in-memory demo store) and what a money write waits for. */
export interface RedisEnv {
  target: RedisTarget | null;
  wait: { replicas: number; timeoutMs: number };
}

/** Reads the Redis variables of `env`; problems name the variable and an example. */
export function readRedisEnv(env: Record<string, string | undefined>): { ok: true; value: RedisEnv } | { ok: false; problems: EnvProblem[] } {
  const parsed = parseEnvSlice(slice, env, redisEnvExamples);
  if (!parsed.ok) return parsed;
  const raw = parsed.value;
  const problems: EnvProblem[] = [];
  const sentinel = raw.REDIS_SENTINELS.length > 0;
  const problem = (variable: string, text: string) => problems.push({ variable, problem: text, example: redisEnvExamples[variable] ?? "" });
  if (sentinel && !raw.REDIS_SENTINEL_NAME) problem("REDIS_SENTINEL_NAME", "is required with REDIS_SENTINELS");
  if (!sentinel && raw.REDIS_SENTINEL_NAME) problem("REDIS_SENTINELS", "is required with REDIS_SENTINEL_NAME");
  if (sentinel && raw.REDIS_URL) problems.push({ variable: "REDIS_URL", problem: "must be unset with REDIS_SENTINELS (the sentinels say where the master is)" });
  if (problems.length > 0) return { ok: false, problems };

  let target: RedisTarget | null = null;
  if (sentinel) {
    target = {
      kind: "sentinel",
      sentinels: raw.REDIS_SENTINELS,
      name: raw.REDIS_SENTINEL_NAME!,
      ...(raw.REDIS_SENTINEL_PASSWORD ? { sentinelPassword: raw.REDIS_SENTINEL_PASSWORD } : {}),
      ...(raw.REDIS_PASSWORD ? { password: raw.REDIS_PASSWORD } : {}),
    };
  } else if (raw.REDIS_URL) {
    target = { kind: "url", url: withPassword(raw.REDIS_URL, raw.REDIS_PASSWORD) };
  }
  // With Sentinel there is a replica to lose the primary to, so money writes wait for one by default.
  const replicas = target ? (raw.REDIS_WAIT_REPLICAS ?? (sentinel ? 1 : 0)) : 0;
  return { ok: true, value: { target, wait: { replicas, timeoutMs: raw.REDIS_WAIT_TIMEOUT_MS } } };
}

/** REDIS_PASSWORD, when set, replaces any password in REDIS_URL (it keeps the secret out of the URL). */
function withPassword(url: string, password: string | undefined): string {
  if (!password) return url;
  const parsed = new URL(url);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}
