/** aluy.net: VPS, priced in euro cents and converted at a configured rate; buyers manage theirs with /vps. */
import { z } from "zod";
import { emptyToUndefined, optionalText, urlText } from "../../core/env.js";
import { defineProviderModule, requiredWhenEnabled } from "../module.js";
import { AluyProvider, aluyDefaultLookupDelayMs, aluyPeriods, type AluyCustomPlan } from "./adapter.js";
import { myVpsFeature } from "./my-vps.js";

const examples = {
  ALUY_BASE_URL: "https://aluy.net/api/reseller/v1",
  ALUY_SESSION_COOKIE: "__Secure-next-auth.session-token=eyJhbGciOi...",
  ALUY_EUR_TO_IDR: "17500",
  ALUY_PERIOD: "monthly",
  ALUY_CUSTOM_PLANS: "4/2/60,8/4/160",
};

/**
 * `ALUY_CUSTOM_PLANS`: custom specs sold besides the catalog, as `ramGb/cpuCores/ssdGb` separated
 * by commas (e.g. `4/2/60,8/4/160`); each is offered in every location `/vm-config` lists, priced
 * from its per-resource pricing, and only while it fits the live limits. Empty: none.
 */
const customPlansText = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .regex(/^\s*\d+\/\d+\/\d+\s*(,\s*\d+\/\d+\/\d+\s*)*$/, { message: "expected ramGb/cpuCores/ssdGb[,…], e.g. 4/2/60,8/4/160" })
    .transform((text): AluyCustomPlan[] =>
      text.split(",").map((plan) => {
        const [ramGb, cpuCores, ssdGb] = plan.trim().split("/").map(Number) as [number, number, number];
        return { ramGb, cpuCores, ssdGb };
      }),
    )
    .optional(),
);

/** aluy provisions the VPS inside the order call, so that call needs far longer than the rest. */
const aluyMinTimeoutMs = 90_000;

export const aluyModule = defineProviderModule({
  id: "aluy",
  env: z.object({
    ALUY_BASE_URL: urlText("https://aluy.net/api/reseller/v1"),
    ALUY_SESSION_COOKIE: optionalText,
    ALUY_EUR_TO_IDR: z.preprocess(emptyToUndefined, z.coerce.number().positive().max(1_000_000).optional()),
    ALUY_PERIOD: z.preprocess(emptyToUndefined, z.enum(aluyPeriods).default("monthly")),
    ALUY_CUSTOM_PLANS: customPlansText,
  }),
  examples,
  enabled: (env) => Boolean(env.ALUY_SESSION_COOKIE),
  problems: (env) => requiredWhenEnabled(env, ["ALUY_EUR_TO_IDR"], "aluy.net", examples),
  capabilities: { lookupByReference: true, providerQris: false, deposit: false, webhook: false, history: true },
  create: (env, shared) =>
    new AluyProvider({
      ...shared,
      timeoutMs: Math.max(shared.timeoutMs, aluyMinTimeoutMs),
      baseUrl: env.ALUY_BASE_URL!,
      sessionCookie: env.ALUY_SESSION_COOKIE!,
      eurToIdr: env.ALUY_EUR_TO_IDR!,
      period: env.ALUY_PERIOD,
      ...(env.ALUY_CUSTOM_PLANS ? { customPlans: env.ALUY_CUSTOM_PLANS } : {}),
      // After a POST /orders with no clear answer, GET /orders only after aluy had time to record it.
      lookupDelayMs: aluyDefaultLookupDelayMs,
    }),
  // My VPS (/vps): the buyer's servers from their delivered aluy orders.
  buyerFeature: (provider, ports) => myVpsFeature(provider instanceof AluyProvider ? provider : null, ports.services, ports.renewals),
});
