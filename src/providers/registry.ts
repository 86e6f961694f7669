/**
 * Every provider module the shop knows. Adding a provider is one line here (plus its folder).
 * A real provider runs when its credentials are set; the sandbox when the root config says so.
 */
import type { BuyerFeaturePorts, HostedBuyerFeature } from "../core/buyer-feature.js";
import type { EnvProblem } from "../core/env.js";
import { aluyModule } from "./aluy/module.js";
import { alxzenModule } from "./alxzen/module.js";
import { icsstoreModule } from "./icsstore/module.js";
import type { ProviderSetup, ProviderShared, RegisteredProviderModule } from "./module.js";
import { odzreshopModule } from "./odzreshop/module.js";
import { ownStockModule, type StoreBackedProviderModule } from "./ownstock/module.js";
import { premzoneModule } from "./premzone/module.js";
import { sandboxModule } from "./sandbox/module.js";
import type { Provider } from "./types.js";

/** The real reseller APIs, in catalog order. */
export const providerModules: readonly RegisteredProviderModule[] = [alxzenModule, odzreshopModule, aluyModule, icsstoreModule, premzoneModule];

export { sandboxModule };

/** Modules kept in the shop's own store (always on; the composition root builds them once Redis is up). */
export const storeBackedProviderModules: readonly StoreBackedProviderModule[] = [ownStockModule];

/** Reads every real module's variables: the enabled ones' setups, and every problem found. */
export function readProviderEnv(env: Record<string, string | undefined>): { setups: ProviderSetup[]; problems: EnvProblem[] } {
  const setups: ProviderSetup[] = [];
  const problems: EnvProblem[] = [];
  for (const module of providerModules) {
    const read = module.read(env);
    problems.push(...read.problems);
    if (read.setup) setups.push(read.setup);
  }
  return { setups, problems };
}

/** Builds the adapters of the given setups. */
export function buildProviders(setups: readonly ProviderSetup[], shared: ProviderShared): Provider[] {
  return setups.map((setup) => setup.create(shared));
}

/**
 * The buyer features of every module that brings one, each given its built adapter (or null when
 * the module is off, so e.g. /vps still says the buyer has no servers).
 *
 * @example
 * const features = buyerFeatures(providers, { services: ownedServices(orders) });
 */
export function buyerFeatures(providers: readonly Provider[], ports: BuyerFeaturePorts): HostedBuyerFeature[] {
  return providerModules.flatMap((module) =>
    module.buyerFeature ? [module.buyerFeature(providers.find((provider) => provider.id === module.id) ?? null, ports)] : [],
  );
}
