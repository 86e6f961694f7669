/** ICS-Store: XL/Axis data packages; posts order updates to /webhooks/icsstore. */
import { z } from "zod";
import { optionalText, urlText } from "../../core/env.js";
import { defineProviderModule } from "../module.js";
import { IcsstoreProvider } from "./adapter.js";

export const icsstoreModule = defineProviderModule({
  id: "icsstore",
  env: z.object({
    ICSSTORE_BASE_URL: urlText("https://reseller.ics-store.my.id"),
    ICSSTORE_API_KEY: optionalText,
    ICSSTORE_WEBHOOK_SECRET: optionalText,
  }),
  examples: {
    ICSSTORE_BASE_URL: "https://reseller.ics-store.my.id",
    ICSSTORE_API_KEY: "your-api-key",
    ICSSTORE_WEBHOOK_SECRET: "a-long-random-string",
  },
  enabled: (env) => Boolean(env.ICSSTORE_API_KEY),
  capabilities: { lookupByReference: true, providerQris: false, deposit: false, webhook: true },
  create: (env, shared) =>
    new IcsstoreProvider({
      ...shared,
      baseUrl: env.ICSSTORE_BASE_URL!,
      apiKey: env.ICSSTORE_API_KEY!,
      ...(env.ICSSTORE_WEBHOOK_SECRET ? { webhookSecret: env.ICSSTORE_WEBHOOK_SECRET } : {}),
    }),
});
