/**
 * The contract of a provider module: everything the shop needs to know about one reseller API,
 * in one place. A module brings its own environment variables (a zod slice with examples), says
 * when it is enabled, builds its adapter, and declares what the API can do, so the rest of the
 * shop asks the module instead of naming providers.
 *
 * Adding a provider is a folder `providers/<id>/` with `adapter.ts` and `module.ts`, plus one
 * line in `providers/registry.ts`.
 *
 * @example
 * export const acmeModule = defineProviderModule({
 *   id: "acme",
 *   env: z.object({ ACME_API_KEY: optionalText }),
 *   examples: { ACME_API_KEY: "your-api-key" },
 *   enabled: (env) => Boolean(env.ACME_API_KEY),
 *   capabilities: { lookupByReference: true, providerQris: false, deposit: false, webhook: false, history: false },
 *   create: (env, shared) => new AcmeProvider({ ...shared, apiKey: env.ACME_API_KEY! }),
 *   // Optional: a buyer feature (its commands, menus and session namespace).
 *   buyerFeature: (provider, ports) => acmeWarranty(provider instanceof AcmeProvider ? provider : null, ports.services),
 * });
 */
import type { Logger } from "pino";
import type { z } from "zod";
import type { BuyerFeaturePorts, HostedBuyerFeature } from "../core/buyer-feature.js";
import { parseEnvSlice, type EnvProblem } from "../core/env.js";
import type { Provider, ProviderId } from "./types.js";

/** What every adapter gets from the shop. */
export interface ProviderShared {
  logger: Logger;
  /** Default time one provider call may take. */
  timeoutMs: number;
  /** Delays between retries of safe (read) calls; tests shorten them. */
  retryDelaysMs?: readonly number[];
}

/** What a provider's API can do, known before any call is made. */
export interface ProviderCapabilities {
  /** It can find an order by our reference, so an unknown outcome can be resolved by a lookup. */
  lookupByReference: boolean;
  /** Buyers can pay the provider directly with the provider's own QRIS (`provider_qris`). */
  providerQris: boolean;
  /** The reseller balance can be topped up from the admin group (`/deposit`). */
  deposit: boolean;
  /** It posts order updates to `/webhooks/<id>` (hints, always confirmed through its API). */
  webhook: boolean;
  /**
   * It lists its own transaction records by time (`Provider.history`), so `/reconcile` can find
   * charges with no order here; without it, `/reconcile` checks orders one by one with `getStatus`.
   */
  history: boolean;
}

export interface ProviderModule<Env = unknown> {
  readonly id: ProviderId;
  /** The module's environment variables; every one of them is documented in `.env.example`. */
  readonly env: z.ZodType<Env>;
  /** An example value per variable, shown when the variable is wrong. */
  readonly examples: Readonly<Record<string, string>>;
  /** True when the module should run (typically: its credentials are set). */
  enabled(env: Env): boolean;
  /** What else an enabled module needs that a schema cannot say on its own (required-if-enabled). */
  problems?(env: Env): EnvProblem[];
  readonly capabilities: ProviderCapabilities;
  create(env: Env, shared: ProviderShared): Provider;
  /**
   * A buyer feature the API brings (My VPS for aluy). Given this module's adapter, or null when
   * the module is off (or the adapter is a stand-in), so the commands it made known still answer.
   */
  buyerFeature?(provider: Provider | null, ports: BuyerFeaturePorts): HostedBuyerFeature;
}

/** An enabled provider, its variables already read: ready to build. */
export interface ProviderSetup {
  readonly id: ProviderId;
  readonly capabilities: ProviderCapabilities;
  create(shared: ProviderShared): Provider;
}

/** A module as the registry holds it: its variable types hidden behind `read`. */
export interface RegisteredProviderModule {
  readonly id: ProviderId;
  readonly capabilities: ProviderCapabilities;
  /** Every variable the module reads, with its example. */
  readonly examples: Readonly<Record<string, string>>;
  /** Reads the module's variables: problems to print, or (when enabled and sound) its setup. */
  read(env: Record<string, string | undefined>): { problems: EnvProblem[]; setup: ProviderSetup | null };
  /** See {@link ProviderModule.buyerFeature}. */
  buyerFeature?(provider: Provider | null, ports: BuyerFeaturePorts): HostedBuyerFeature;
}

/**
 * Registers a module definition; the env type is inferred from its schema and stays inside.
 */
export function defineProviderModule<Env>(module: ProviderModule<Env>): RegisteredProviderModule {
  return {
    id: module.id,
    capabilities: module.capabilities,
    examples: module.examples,
    ...(module.buyerFeature ? { buyerFeature: module.buyerFeature } : {}),
    read(rawEnv) {
      const parsed = parseEnvSlice(module.env, rawEnv, module.examples);
      if (!parsed.ok) return { problems: parsed.problems, setup: null };
      const env = parsed.value;
      if (!module.enabled(env)) return { problems: [], setup: null };
      const problems = module.problems?.(env) ?? [];
      if (problems.length > 0) return { problems, setup: null };
      return { problems, setup: { id: module.id, capabilities: module.capabilities, create: (shared) => module.create(env, shared) } };
    },
  };
}

/** Names each variable in `required` that is unset, as "is required when <provider> is enabled". */
export function requiredWhenEnabled<Env extends Record<string, unknown>>(
  env: Env,
  required: readonly (keyof Env & string)[],
  provider: string,
  examples: Readonly<Record<string, string>>,
): EnvProblem[] {
  return required
    .filter((variable) => {
      const value = env[variable];
      return value === undefined || (Array.isArray(value) && value.length === 0);
    })
    .map((variable) => ({
      variable,
      problem: `is required when ${provider} is enabled`,
      ...(examples[variable] ? { example: examples[variable] } : {}),
    }));
}
