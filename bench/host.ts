/**
 * The bot under test, in a process of its own (forked by host-client.ts): either the real shop
 * (`startTestApp`: App + TelegramChannel long polling the fake, sandbox provider, Redis sessions
 * under a fresh prefix) or a bare grammY echo bot with the same runner settings as
 * TelegramChannel. Answers the runner's requests for counters, memory and catalog over IPC.
 */
import { constants, monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from "node:perf_hooks";
import { autoRetry } from "@grammyjs/auto-retry";
import { run, sequentialize } from "@grammyjs/runner";
import { Bot, type Context } from "grammy";
import { allowedUpdates, pollingConcurrency } from "../src/channels/telegram/runner-settings.js";
import type { Provider } from "../src/providers/types.js";
import { hostSpecSchema, type CatalogEntry, type HostCommands, type HostHello, type HostRequest, type HostResponse, type HostSpec } from "./host-protocol.js";
import { countRedis, type RedisCounts } from "./redis-count.js";

/** What a running bot offers to the request handler. */
interface RunningBot {
  redis: (() => RedisCounts) | null;
  refresh: () => void;
  catalog: () => CatalogEntry[];
  stop: () => Promise<void>;
}

const loop = monitorEventLoopDelay({ resolution: 1 });
const gc = { ms: 0, majorMs: 0 };
const gcObserver = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gc.ms += entry.duration;
    // Node puts the GC kind on `detail`, which @types/node does not declare for this entry type.
    const detail: unknown = (entry as PerformanceEntry & { detail?: unknown }).detail;
    const major = typeof detail === "object" && detail !== null && "kind" in detail && detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR;
    if (major) gc.majorMs += entry.duration;
  }
});

/** A per-chat limit no simulated buyer reaches (see `floodLimit` in host-protocol.ts). */
const unlimitedFlood = { CHAT_FLOOD_PER_SECOND: "10000" };

async function startShop(spec: HostSpec): Promise<RunningBot> {
  // Loaded here, not at the top, so the echo bot does not pay for loading the whole app.
  const [{ silentLogger }, { OdzreshopProvider }, { SandboxProvider }, { startTestApp }, { defaultFollowUpPlan }] = await Promise.all([
    import("../src/logger.js"),
    import("../src/providers/odzreshop/adapter.js"),
    import("../src/providers/sandbox/adapter.js"),
    import("../test/helpers/app.js"),
    import("../src/commerce/fulfilment.js"),
  ]);
  const providers: Provider[] = [new SandboxProvider({ pendingMs: 50 })];
  if (spec.odzreshop) {
    const { url, apiKey, slugs, timeoutMs } = spec.odzreshop;
    providers.push(new OdzreshopProvider({ baseUrl: url, apiKey, slugs, timeoutMs, retryDelaysMs: [50], logger: silentLogger }));
  }
  const { app, cleanup } = await startTestApp(
    { TELEGRAM_BOT_TOKEN: spec.telegram.token, TELEGRAM_API_ROOT: spec.telegram.url, SANDBOX: "on", ...(spec.floodLimit ? {} : unlimitedFlood) },
    // Production follow-up timing: the test helper polls pending orders every 20 ms.
    { providers, followUpPlan: defaultFollowUpPlan, ...(spec.sinkConcurrency !== undefined ? { telegramConcurrency: spec.sinkConcurrency } : {}) },
  );
  return {
    redis: countRedis(app.redis),
    refresh: () => void app.catalog.refresh(),
    catalog: () => app.catalog.view().items.map((item) => ({ code: item.code, provider: item.provider, name: item.name })),
    stop: cleanup,
  };
}

/** The ceiling: grammY + runner with TelegramChannel's settings, doing nothing but echo. */
async function startEcho(spec: HostSpec): Promise<RunningBot> {
  const bot = new Bot(spec.telegram.token, { client: { apiRoot: spec.telegram.url } });
  bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 60 }));
  bot.use(sequentialize((ctx: Context) => ctx.chat?.id.toString()));
  bot.on("message:text", async (ctx) => {
    await ctx.reply(ctx.message.text);
  });
  bot.catch(() => undefined);
  await bot.init();
  await bot.api.deleteWebhook();
  const runner = run(bot, {
    runner: { fetch: { allowed_updates: [...allowedUpdates] } },
    sink: { concurrency: spec.sinkConcurrency ?? pollingConcurrency },
  });
  return {
    redis: null,
    refresh: () => undefined,
    catalog: () => [],
    stop: async () => {
      if (runner.isRunning()) await runner.stop();
    },
  };
}

function answer(bot: RunningBot, command: HostRequest["command"]): HostCommands[typeof command] {
  switch (command) {
    case "stats": {
      const stats: HostCommands["stats"] = {
        cpu: process.cpuUsage(),
        nowMs: performance.now(),
        redis: bot.redis?.() ?? null,
        loopDelay: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
        gcMs: gc.ms,
        majorGcMs: gc.majorMs,
      };
      loop.reset();
      return stats;
    }
    case "memory":
      return measureMemory();
    case "refresh":
      bot.refresh();
      return null;
    case "catalog":
      return bot.catalog();
    case "stop":
      return null;
  }
}

/** Memory once garbage is gone (the process runs with --expose-gc). */
function measureMemory(): HostCommands["memory"] {
  globalThis.gc?.();
  globalThis.gc?.();
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, heapTotal, external, arrayBuffers };
}

function isRequest(message: unknown): message is HostRequest {
  return typeof message === "object" && message !== null && "id" in message && "command" in message;
}

function send(message: HostHello | HostResponse): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const spec = hostSpecSchema.parse(JSON.parse(process.env.BENCH_HOST_SPEC ?? "null"));
  const bot = spec.kind === "shop" ? await startShop(spec) : await startEcho(spec);
  loop.enable();
  gcObserver.observe({ entryTypes: ["gc"] });
  process.on("message", (message: unknown) => {
    if (!isRequest(message)) return;
    try {
      send({ id: message.id, ok: true, result: answer(bot, message.command) });
    } catch (error) {
      send({ id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) });
    }
    if (message.command === "stop") void bot.stop().finally(() => process.exit(0));
  });
  // The runner went away (crashed or killed): do not linger polling a dead fake.
  process.on("disconnect", () => void bot.stop().finally(() => process.exit(1)));
  send({ ready: true });
}

main().catch((error: unknown) => {
  send({ ready: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
