/** odzreshop (noetopup): game top-ups and pulsa; the server's IP must be whitelisted there. */
import { z } from "zod";
import { commaList, emptyToUndefined, optionalText, urlText } from "../../core/env.js";
import { defineProviderModule, requiredWhenEnabled } from "../module.js";
import { OdzreshopProvider } from "./adapter.js";

const examples = {
  ODZRESHOP_BASE_URL: "https://noetopup.com/api/v1",
  ODZRESHOP_API_KEY: "your-api-key",
  ODZRESHOP_SLUGS: "mobile-legends,free-fire",
  ODZRESHOP_ZONE_TARGET: "{id}{zone}",
};

export const odzreshopModule = defineProviderModule({
  id: "odzreshop",
  env: z.object({
    ODZRESHOP_BASE_URL: urlText("https://noetopup.com/api/v1"),
    ODZRESHOP_API_KEY: optionalText,
    ODZRESHOP_SLUGS: commaList,
    // How a game id and its zone id are sent as one target; the document shows no zone at all.
    ODZRESHOP_ZONE_TARGET: z.preprocess(
      emptyToUndefined,
      z.string().refine((template) => template.includes("{id}") && template.includes("{zone}"), { message: "must contain {id} and {zone}" }).optional(),
    ),
  }),
  examples,
  enabled: (env) => Boolean(env.ODZRESHOP_API_KEY),
  problems: (env) => requiredWhenEnabled(env, ["ODZRESHOP_SLUGS"], "odzreshop", examples),
  capabilities: { lookupByReference: false, providerQris: false, deposit: false, webhook: false, history: false },
  create: (env, shared) =>
    new OdzreshopProvider({
      ...shared,
      baseUrl: env.ODZRESHOP_BASE_URL!,
      apiKey: env.ODZRESHOP_API_KEY!,
      slugs: env.ODZRESHOP_SLUGS,
      ...(env.ODZRESHOP_ZONE_TARGET ? { zoneTarget: env.ODZRESHOP_ZONE_TARGET } : {}),
    }),
});
