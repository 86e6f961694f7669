/** premzone: premium plans on the buyer's Gmail; posts order updates to /webhooks/premzone. */
import { z } from "zod";
import { emptyToUndefined, optionalText, urlText } from "../../core/env.js";
import { defineProviderModule, requiredWhenEnabled } from "../module.js";
import { parsePremzonePlans, PremzoneProvider } from "./adapter.js";

const examples = {
  PREMZONE_BASE_URL: "https://premzone.example",
  PREMZONE_API_KEY: "your_api_key_here",
  PREMZONE_EMAIL: "you@gmail.com",
  PREMZONE_PLANS: "basic:50000,gold:90000,diamond:150000",
  PREMZONE_WEBHOOK_SECRET: "the X-Api-Secret premzone sends",
};

export const premzoneModule = defineProviderModule({
  id: "premzone",
  env: z.object({
    PREMZONE_BASE_URL: urlText(),
    PREMZONE_API_KEY: optionalText,
    PREMZONE_EMAIL: z.preprocess(emptyToUndefined, z.email().optional()),
    PREMZONE_WEBHOOK_SECRET: optionalText,
    PREMZONE_PLANS: optionalText,
  }),
  examples,
  enabled: (env) => Boolean(env.PREMZONE_API_KEY),
  problems: (env) => {
    const problems = requiredWhenEnabled(env, ["PREMZONE_BASE_URL", "PREMZONE_EMAIL", "PREMZONE_PLANS"], "premzone", examples);
    if (env.PREMZONE_PLANS) {
      try {
        parsePremzonePlans(env.PREMZONE_PLANS);
      } catch (error) {
        problems.push({ variable: "PREMZONE_PLANS", problem: (error as Error).message, example: examples.PREMZONE_PLANS });
      }
    }
    return problems;
  },
  capabilities: { lookupByReference: false, providerQris: false, deposit: false, webhook: true, history: false },
  create: (env, shared) =>
    new PremzoneProvider({
      ...shared,
      baseUrl: env.PREMZONE_BASE_URL!,
      apiKey: env.PREMZONE_API_KEY!,
      email: env.PREMZONE_EMAIL!,
      plans: parsePremzonePlans(env.PREMZONE_PLANS!),
      ...(env.PREMZONE_WEBHOOK_SECRET ? { webhookSecret: env.PREMZONE_WEBHOOK_SECRET } : {}),
    }),
});
