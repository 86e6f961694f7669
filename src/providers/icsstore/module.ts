/** ICS-Store: XL/Axis data packages; posts order updates to /webhooks/icsstore/<ICSSTORE_WEBHOOK_SECRET>. */
import { z } from "zod";
import { emptyToUndefined, optionalText, urlText } from "../../core/env.js";
import { defineProviderModule } from "../module.js";
import { IcsstoreProvider } from "./adapter.js";

export const icsstoreModule = defineProviderModule({
  id: "icsstore",
  env: z.object({
    ICSSTORE_BASE_URL: urlText("https://reseller.ics-store.my.id"),
    ICSSTORE_API_KEY: optionalText,
    // The last segment of the webhook URL: letters, digits, '-' and '_' so it needs no escaping.
    ICSSTORE_WEBHOOK_SECRET: z.preprocess(emptyToUndefined, z.string().regex(/^[A-Za-z0-9_-]{16,}$/, { message: "must be at least 16 letters, digits, '-' or '_' (it is a URL path segment)" }).optional()),
  }),
  examples: {
    ICSSTORE_BASE_URL: "https://reseller.ics-store.my.id",
    ICSSTORE_API_KEY: "your-api-key",
    ICSSTORE_WEBHOOK_SECRET: "k3Jd9x_Qm2LwP7vTz8RbYc4N",
  },
  enabled: (env) => Boolean(env.ICSSTORE_API_KEY),
  capabilities: { lookupByReference: true, providerQris: false, deposit: false, webhook: true, history: true },
  create: (env, shared) =>
    new IcsstoreProvider({
      ...shared,
      baseUrl: env.ICSSTORE_BASE_URL!,
      apiKey: env.ICSSTORE_API_KEY!,
      ...(env.ICSSTORE_WEBHOOK_SECRET ? { webhookSecret: env.ICSSTORE_WEBHOOK_SECRET } : {}),
    }),
});
