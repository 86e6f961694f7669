/**
 * Which providers run: every provider whose credentials are configured, plus the sandbox when
 * it is on (by default, when no real provider is configured).
 */
import type { Logger } from "pino";
import { enabledProviders, type Config } from "../config.js";
import { AluyProvider } from "./aluy.js";
import { AlxzenProvider } from "./alxzen.js";
import { IcsstoreProvider } from "./icsstore.js";
import { OdzreshopProvider } from "./odzreshop.js";
import { parsePremzonePlans, PremzoneProvider } from "./premzone.js";
import { SandboxProvider } from "./sandbox.js";
import type { Provider } from "./types.js";

/** Extra knobs for tests (short retry delays). */
export interface ProviderTuning {
  retryDelaysMs?: readonly number[];
}

/** aluy provisions the VPS inside the order call, so that call needs far longer than the rest. */
const aluyMinTimeoutMs = 90_000;

export function buildProviders(config: Config, logger: Logger, tuning: ProviderTuning = {}): Provider[] {
  const common = { logger, timeoutMs: config.PROVIDER_TIMEOUT_MS, ...tuning };
  const providers: Provider[] = [];
  for (const id of enabledProviders(config)) {
    switch (id) {
      case "alxzen":
        providers.push(new AlxzenProvider({ ...common, baseUrl: config.ALXZEN_BASE_URL!, apiKey: config.ALXZEN_API_KEY! }));
        break;
      case "odzreshop":
        providers.push(
          new OdzreshopProvider({ ...common, baseUrl: config.ODZRESHOP_BASE_URL!, apiKey: config.ODZRESHOP_API_KEY!, slugs: config.ODZRESHOP_SLUGS }),
        );
        break;
      case "aluy":
        providers.push(
          new AluyProvider({
            ...common,
            timeoutMs: Math.max(config.PROVIDER_TIMEOUT_MS, aluyMinTimeoutMs),
            baseUrl: config.ALUY_BASE_URL!,
            sessionCookie: config.ALUY_SESSION_COOKIE!,
            eurToIdr: config.ALUY_EUR_TO_IDR!,
            period: config.ALUY_PERIOD,
          }),
        );
        break;
      case "icsstore":
        providers.push(
          new IcsstoreProvider({
            ...common,
            baseUrl: config.ICSSTORE_BASE_URL!,
            apiKey: config.ICSSTORE_API_KEY!,
            ...(config.ICSSTORE_WEBHOOK_SECRET ? { webhookSecret: config.ICSSTORE_WEBHOOK_SECRET } : {}),
          }),
        );
        break;
      case "premzone":
        providers.push(
          new PremzoneProvider({
            ...common,
            baseUrl: config.PREMZONE_BASE_URL!,
            apiKey: config.PREMZONE_API_KEY!,
            email: config.PREMZONE_EMAIL!,
            plans: parsePremzonePlans(config.PREMZONE_PLANS!),
            ...(config.PREMZONE_WEBHOOK_SECRET ? { webhookSecret: config.PREMZONE_WEBHOOK_SECRET } : {}),
          }),
        );
        break;
    }
  }
  if (config.sandbox) providers.push(new SandboxProvider());
  return providers;
}

