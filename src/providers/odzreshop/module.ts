/** odzreshop (noetopup): game top-ups and pulsa; the server's IP must be whitelisted there. */
import { z } from "zod";
import { commaList, optionalText, urlText } from "../../core/env.js";
import { defineProviderModule, requiredWhenEnabled } from "../module.js";
import { OdzreshopProvider } from "./adapter.js";

const examples = {
  ODZRESHOP_BASE_URL: "https://noetopup.com/api/v1",
  ODZRESHOP_API_KEY: "your-api-key",
  ODZRESHOP_SLUGS: "mobile-legends,free-fire",
};

export const odzreshopModule = defineProviderModule({
  id: "odzreshop",
  env: z.object({
    ODZRESHOP_BASE_URL: urlText("https://noetopup.com/api/v1"),
    ODZRESHOP_API_KEY: optionalText,
    ODZRESHOP_SLUGS: commaList,
  }),
  examples,
  enabled: (env) => Boolean(env.ODZRESHOP_API_KEY),
  problems: (env) => requiredWhenEnabled(env, ["ODZRESHOP_SLUGS"], "odzreshop", examples),
  capabilities: { lookupByReference: false, providerQris: false, deposit: false, webhook: false },
  create: (env, shared) =>
    new OdzreshopProvider({ ...shared, baseUrl: env.ODZRESHOP_BASE_URL!, apiKey: env.ODZRESHOP_API_KEY!, slugs: env.ODZRESHOP_SLUGS }),
});
