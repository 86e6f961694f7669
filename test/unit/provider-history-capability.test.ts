/**
 * Each provider module declares `capabilities.history` exactly when its adapter has `history`
 * (what `/reconcile` reads); the others are checked order by order.
 */
import { describe, expect, it } from "vitest";
import { silentLogger } from "../../src/logger.js";
import { providerModules, sandboxModule } from "../../src/providers/registry.js";

describe("the history capability", () => {
  it.each([...providerModules, sandboxModule].map((module) => [module.id, module] as const))("%s declares it exactly when its adapter has history()", (_id, module) => {
    const read = module.read({ ...module.examples, SANDBOX: "on" });
    expect(read.problems).toEqual([]);
    const provider = read.setup!.create({ logger: silentLogger, timeoutMs: 1_000 });
    expect(typeof provider.history === "function").toBe(module.capabilities.history);
  });

  it("ICS-Store and aluy keep a history", () => {
    expect(providerModules.filter((module) => module.capabilities.history).map((module) => module.id).sort()).toEqual(["aluy", "icsstore"]);
  });
});
