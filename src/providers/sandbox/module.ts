/**
 * The built-in sandbox: fake products and instant fake money, for the demo and for tests. The
 * root config decides whether it runs (`SANDBOX`), since that depends on the real providers.
 */
import { z } from "zod";
import { defineProviderModule } from "../module.js";
import { SandboxProvider } from "./adapter.js";

export const sandboxModule = defineProviderModule({
  id: "sandbox",
  env: z.object({}),
  examples: {},
  enabled: () => true,
  capabilities: { lookupByReference: true, providerQris: false, deposit: false, webhook: false, history: false },
  create: () => new SandboxProvider(),
});
