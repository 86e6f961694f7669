/**
 * The README's recipe "Add a provider" is true: in a copy of `src/`, a new folder
 * `providers/acme/` (adapter + module), its id in `providerIds` and one entry in the registry are
 * all it takes. The copy type-checks, the root config reads ACME's variables without naming them,
 * and a buyer buys ACME's product end to end through the composed app.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
let copy: string;

const adapter = `
import type { OrderOutcome, PlaceOrderRequest, Provider, ProviderBalance, ProviderProduct } from "../types.js";

export class AcmeProvider implements Provider {
  readonly id = "acme" as const;
  constructor(private readonly options: { apiKey: string }) {}
  async listProducts(): Promise<ProviderProduct[]> {
    return [{ provider: "acme", sku: "A1", code: "ACME-1", category: "other", group: "Acme", name: "Acme voucher", basePrice: 10_000, stock: null, input: "none", delivery: "serial" }];
  }
  async getBalance(): Promise<ProviderBalance> {
    return { amount: 1_000_000, currency: "IDR", idr: 1_000_000 };
  }
  async placeOrder(request: PlaceOrderRequest): Promise<OrderOutcome> {
    return { state: "success", providerRef: "ACME-" + request.refId, delivery: [{ label: "serial", value: "SN-" + this.options.apiKey }] };
  }
  async getStatus(ref: { providerRef: string }): Promise<OrderOutcome> {
    return { state: "success", providerRef: ref.providerRef, delivery: [{ label: "serial", value: "SN" }] };
  }
}
`;

const module = `
import { z } from "zod";
import { optionalText } from "../../core/env.js";
import { defineProviderModule } from "../module.js";
import { AcmeProvider } from "./adapter.js";

export const acmeModule = defineProviderModule({
  id: "acme",
  env: z.object({ ACME_API_KEY: optionalText }),
  examples: { ACME_API_KEY: "your-api-key" },
  enabled: (env) => Boolean(env.ACME_API_KEY),
  capabilities: { lookupByReference: false, providerQris: false, deposit: false, webhook: false, history: false },
  create: (env) => new AcmeProvider({ apiKey: env.ACME_API_KEY! }),
});
`;

const script = `
import { buildApp } from "./src/compose/app.js";
import { loadConfig } from "./src/config.js";
import { silentLogger } from "./src/logger.js";
import { buildProviders } from "./src/providers/registry.js";

const loaded = loadConfig({ CONSOLE: "off", ACME_API_KEY: "k123" });
if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
const { config } = loaded;
const app = await buildApp({ config, logger: silentLogger, providers: buildProviders(config.providers, { logger: silentLogger, timeoutMs: 1_000 }) });
await app.start();
await app.wallet.credit("console:buyer", 50_000, { id: "recipe-topup", reason: "topup" });
const say = (text: string) => app.shop.handle({ channel: "console", chatId: "buyer", userId: "buyer", isGroup: false, text });
for (const text of ["ACME-1", "1", "1"]) await say(text);
await app.settled("console:buyer");
const [order] = await app.orders.ofBuyer("console:buyer");
process.stdout.write(JSON.stringify({ providers: config.providers.map((setup) => setup.id), status: order?.status, provider: order?.product.provider }));
await app.stop();
process.exit(0);
`;

/** Applies the recipe's two one-line edits to the copy. */
function register(copyRoot: string): void {
  const registry = join(copyRoot, "src/providers/registry.ts");
  const text = readFileSync(registry, "utf8")
    .replace('import { aluyModule } from "./aluy/module.js";', 'import { acmeModule } from "./acme/module.js";\nimport { aluyModule } from "./aluy/module.js";')
    .replace(/providerModules: readonly RegisteredProviderModule\[\] = \[/, "$&acmeModule, ");
  writeFileSync(registry, text);
  const types = join(copyRoot, "src/providers/types.ts");
  writeFileSync(types, readFileSync(types, "utf8").replace('"premzone"] as const', '"premzone", "acme"] as const'));
}

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), "warung-recipe-"));
  for (const part of ["src", "locales"]) cpSync(join(root, part), join(copy, part), { recursive: true });
  symlinkSync(join(root, "node_modules"), join(copy, "node_modules"), "dir");
  writeFileSync(join(copy, "package.json"), JSON.stringify({ type: "module" }));
  const tsconfig = JSON.parse(readFileSync(join(root, "tsconfig.json"), "utf8")) as { compilerOptions: Record<string, unknown> };
  writeFileSync(join(copy, "tsconfig.json"), JSON.stringify({ compilerOptions: tsconfig.compilerOptions, include: ["src", "recipe.ts"] }));
  mkdirSync(join(copy, "src/providers/acme"));
  writeFileSync(join(copy, "src/providers/acme/adapter.ts"), adapter);
  writeFileSync(join(copy, "src/providers/acme/module.ts"), module);
  writeFileSync(join(copy, "recipe.ts"), script);
  register(copy);
});

afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
});

describe("the recipe 'add a provider'", () => {
  it("type-checks with nothing else changed", () => {
    const tsc = join(root, "node_modules/.bin/tsc");
    expect(() => execFileSync(tsc, ["--noEmit", "-p", copy], { encoding: "utf8", stdio: "pipe" })).not.toThrow();
  }, 120_000);

  it("sells the new provider's product end to end, configured by its own variables", () => {
    const tsx = join(root, "node_modules/.bin/tsx");
    const out = execFileSync(tsx, ["recipe.ts"], { cwd: copy, encoding: "utf8", env: { ...process.env, REDIS_URL: "" } });
    expect(JSON.parse(out)).toEqual({ providers: ["acme"], status: "delivered", provider: "acme" });
  }, 60_000);
});
