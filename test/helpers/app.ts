/**
 * Builds the real app for tests: sandbox (or given) providers, a fresh Redis prefix, silent logs,
 * fast follow-ups. Channels are whatever the test wires (Telegram fake, or direct `shop.handle`).
 */
import { buildApp, type App, type AppOptions } from "../../src/compose/app.js";
import { loadConfig, type Config } from "../../src/config.js";
import type { FollowUpPlan } from "../../src/commerce/fulfilment.js";
import { silentLogger } from "../../src/logger.js";
import { buildProviders } from "../../src/providers/registry.js";
import { SandboxProvider } from "../../src/providers/sandbox/adapter.js";
import type { Provider } from "../../src/providers/types.js";
import { freshRedis, testRedisUrl } from "./redis.js";

/** Follow-ups every 20 ms so pending orders settle quickly in tests. */
export const fastFollowUps: FollowUpPlan = { delayMs: () => 20, giveUpAfterMs: 60_000, maxTransientAttempts: 3, placingGraceMs: 1_000 };

/** A config from an env map (plus CONSOLE=off); throws on problems. */
export function testConfig(env: Record<string, string> = {}): Config {
  const loaded = loadConfig({ CONSOLE: "off", ...env });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return loaded.config;
}

/** The providers an env configures (as `main.ts` builds them), with short retry delays. */
export function testProviders(env: Record<string, string>): Provider[] {
  const config = testConfig(env);
  return buildProviders(config.providers, { logger: silentLogger, timeoutMs: config.PROVIDER_TIMEOUT_MS, retryDelaysMs: [5, 5, 5] });
}

export interface TestApp {
  app: App;
  cleanup: () => Promise<void>;
}

/** Starts the app against real Redis under a fresh prefix. */
export async function startTestApp(env: Record<string, string> = {}, overrides: Partial<AppOptions> = {}): Promise<TestApp> {
  const { redis, prefix, cleanup } = await freshRedis("app");
  const app = await buildApp({
    config: testConfig(env),
    logger: silentLogger,
    providers: [new SandboxProvider({ pendingMs: 50 })],
    redis,
    followUpPlan: fastFollowUps,
    httpPort: null,
    bullmq: { url: testRedisUrl, prefix: `${prefix}bull` },
    ...overrides,
  });
  await app.start();
  return {
    app,
    cleanup: async () => {
      await app.stop().catch(() => undefined);
      await cleanup();
    },
  };
}
