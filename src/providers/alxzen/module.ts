/** ALxZen Clouds: Pterodactyl panels, premium apps and scripts; its own QRIS; balance deposits. */
import { z } from "zod";
import { optionalText, urlText } from "../../core/env.js";
import { defineProviderModule, requiredWhenEnabled } from "../module.js";
import { AlxzenProvider } from "./adapter.js";

const examples = {
  ALXZEN_BASE_URL: "https://alxzen.example/api",
  ALXZEN_API_KEY: "AOC-YOUR_SECRET_KEY_HERE",
};

export const alxzenModule = defineProviderModule({
  id: "alxzen",
  env: z.object({ ALXZEN_BASE_URL: urlText(), ALXZEN_API_KEY: optionalText }),
  examples,
  enabled: (env) => Boolean(env.ALXZEN_API_KEY),
  problems: (env) => requiredWhenEnabled(env, ["ALXZEN_BASE_URL"], "ALxZen", examples),
  capabilities: { lookupByReference: false, providerQris: true, deposit: true, webhook: false, history: false },
  create: (env, shared) => new AlxzenProvider({ ...shared, baseUrl: env.ALXZEN_BASE_URL!, apiKey: env.ALXZEN_API_KEY! }),
});
