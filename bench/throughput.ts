/**
 * Benchmarks 1 and 2: update throughput and latency of the real shop on Telegram, next to a bare
 * grammY echo bot on the same fake Bot API with the same runner settings; and the Redis work
 * each handled update costs.
 *
 * Each bot runs in its own process (host.ts); the fake Bot API and the buyers run here. Runs:
 * closed loop at each buyer count (capacity: the next update as soon as the answer arrives) and
 * one paced run (each buyer thinks ~BENCH_THINK_MS between answer and next update), where the
 * latency target applies: a closed loop at saturation measures queueing, not handling
 * (Little's law: latency ≈ buyers / throughput).
 */
import { Redis } from "ioredis";
import { startFakeTelegram, type FakeTelegram } from "../test/fakes/telegram-api.js";
import { testRedisUrl } from "../test/helpers/redis.js";
import type { BenchConfig } from "./config.js";
import { runLoad, type LoadResult } from "./crowd.js";
import { startHost, type BotHost } from "./host-client.js";
import type { HostStats } from "./host-protocol.js";
import { diffCounts, diffServer, serverCounts, type RedisCounts, type ServerCounts } from "./redis-count.js";
import { fmt, row, type BenchResult, type PreparedBench, type SummaryRow } from "./report.js";
import { browseCycle, echoCycle } from "./scripts.js";

type BotKind = "shop" | "echo";

/** One load run of one bot, with what the bot process did meanwhile. */
export interface BotRun {
  /** "echo", "shop", or "shop <node options>" for the what-if process. */
  bot: string;
  trial: number;
  load: LoadResult;
  /** CPU of the bot process during the window, in cores. */
  botCores: number;
  /** Event-loop delay of the bot process during the window. */
  loopDelayP99: number;
  /** Share of the window the bot process spent in garbage collection (all, and major GCs). */
  gcShare: number;
  majorGcShare: number;
  /**
   * The shop's Redis work over the whole run, read while the bot was idle before and after, so
   * no update is half counted (client side).
   */
  redis: RedisCounts | null;
  /** Server-wide Redis commands over the same span (all clients). */
  server: ServerCounts | null;
  /** Bot API calls the bot made over the whole run, by method (getUpdates excluded). */
  apiCalls: Record<string, number>;
}

/** A bot process and the fake Bot API it polls. */
interface Rig {
  name: string;
  kind: BotKind;
  fake: FakeTelegram;
  host: BotHost;
}

/** How the what-if shop process differs from the app's defaults. */
interface Variation {
  nodeOptions: readonly string[];
  sinkConcurrency: number | null;
}

const noVariation: Variation = { nodeOptions: [], sinkConcurrency: null };

async function startRig(kind: BotKind, config: BenchConfig, variation: Variation = noVariation): Promise<Rig> {
  const changes = [...variation.nodeOptions, ...(variation.sinkConcurrency === null ? [] : [`sink concurrency ${variation.sinkConcurrency}`])];
  const name = [kind, ...changes].join(" ");
  const fake = await startFakeTelegram();
  try {
    const spec = { kind, telegram: { url: fake.url, token: fake.token }, ...(variation.sinkConcurrency === null ? {} : { sinkConcurrency: variation.sinkConcurrency }) };
    const host = await startHost(`${kind}-throughput${changes.length > 0 ? "-whatif" : ""}`, spec, { cpuProfile: config.cpuProfile, nodeOptions: variation.nodeOptions });
    return { name, kind, fake, host };
  } catch (error) {
    await fake.close();
    throw error;
  }
}

async function stopRig(rig: Rig): Promise<void> {
  await rig.host.stop();
  await rig.fake.close();
}

/** A load run: closed loop (thinkMs null) or paced; trial 2 repeats a run. */
interface Plan {
  buyers: number;
  thinkMs: number | null;
  trial: number;
}

/**
 * The load runs, in order: closed loops at each buyer count, the largest one a second time in a
 * full run (the machine is shared, so the targeted figure pools two trials), then the paced run.
 */
function plans(config: BenchConfig): Plan[] {
  const largest = Math.max(...config.buyerCounts);
  return [
    ...config.buyerCounts.map((buyers) => ({ buyers, thinkMs: null, trial: 1 })),
    ...(config.repeatLargest ? [{ buyers: largest, thinkMs: null, trial: 2 }] : []),
    { buyers: config.pacedBuyers, thinkMs: config.thinkMs, trial: 1 },
  ];
}

async function measure(rig: Rig, admin: Redis, config: BenchConfig, plan: Plan, firstChatId: number): Promise<BotRun> {
  const { fake, host } = rig;
  await fake.waitForIdle(100, 20_000);
  const readServer = () => (rig.kind === "shop" ? serverCounts(admin) : Promise.resolve(null));
  const [idleBefore, serverBefore] = await Promise.all([host.request("stats"), readServer()]);
  const mark = fake.mark();
  let before: HostStats | undefined;
  let after: HostStats | undefined;
  const load = await runLoad({
    fake,
    chatIds: Array.from({ length: plan.buyers }, (_, i) => firstChatId + i),
    cycle: rig.kind === "shop" ? browseCycle() : echoCycle(),
    thinkMs: plan.thinkMs,
    // Paced buyers start spread over one think time; let them all be in before measuring.
    warmupMs: plan.thinkMs === null ? config.warmupMs : Math.max(config.warmupMs, 2 * plan.thinkMs),
    measureMs: config.measureMs,
    replyTimeoutMs: config.replyTimeoutMs,
    onWindowStart: async () => {
      before = await host.request("stats");
    },
    onWindowEnd: async () => {
      after = await host.request("stats");
    },
  });
  await fake.waitForIdle(100, 20_000);
  const [idleAfter, serverAfter] = await Promise.all([host.request("stats"), readServer()]);
  const apiCalls: Record<string, number> = {};
  for (const call of fake.calls) {
    if (call.seq >= mark && call.method !== "getUpdates") apiCalls[call.method] = (apiCalls[call.method] ?? 0) + 1;
  }
  if (!before || !after) throw new Error("the bot's counters were not read around the window");
  const wallMs = after.nowMs - before.nowMs;
  const cpu = after.cpu.user - before.cpu.user + after.cpu.system - before.cpu.system;
  return {
    bot: rig.name,
    trial: plan.trial,
    load,
    botCores: cpu / (wallMs * 1000),
    loopDelayP99: after.loopDelay.p99,
    gcShare: (after.gcMs - before.gcMs) / wallMs,
    majorGcShare: (after.majorGcMs - before.majorGcMs) / wallMs,
    redis: idleBefore.redis && idleAfter.redis ? diffCounts(idleBefore.redis, idleAfter.redis) : null,
    server: serverBefore && serverAfter ? diffServer(serverBefore, serverAfter) : null,
    apiCalls,
  };
}

function label(run: BotRun): string {
  const trial = run.trial > 1 ? ` (trial ${run.trial})` : "";
  return run.load.mode === "closed" ? `${run.load.buyers} buyers, closed loop${trial}` : `${run.load.buyers} buyers, paced`;
}

/** Updates/s over several runs together: every answer over every window. */
function pooledRate(runs: readonly BotRun[]): number {
  const seconds = runs.reduce((sum, run) => sum + run.load.seconds, 0);
  return seconds > 0 ? runs.reduce((sum, run) => sum + run.load.handled, 0) / seconds : 0;
}

/** Starts benchmark 1/2's bot processes and fakes; the returned `run` measures. */
export async function prepareThroughput(config: BenchConfig): Promise<PreparedBench> {
  const admin = new Redis(testRedisUrl, { lazyConnect: true });
  const starting = [startRig("echo", config), startRig("shop", config)];
  if (config.whatIfNodeOptions.length > 0 || config.whatIfSinkConcurrency !== null) {
    starting.push(startRig("shop", config, { nodeOptions: config.whatIfNodeOptions, sinkConcurrency: config.whatIfSinkConcurrency }));
  }
  const rigs = await Promise.allSettled(starting);
  const dispose = async () => {
    admin.disconnect();
    await Promise.all(rigs.map((rig) => (rig.status === "fulfilled" ? stopRig(rig.value) : undefined)));
  };
  try {
    await admin.connect();
    const [echo, shop, whatIf] = rigs.map((rig) => {
      if (rig.status === "rejected") throw rig.reason;
      return rig.value;
    });
    return { run: () => measureAll(config, admin, echo!, shop!, whatIf ?? null), dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** Benchmarks 1 (throughput/latency) and 2 (Redis per update). */
async function measureAll(config: BenchConfig, admin: Redis, echoRig: Rig, shopRig: Rig, whatIfRig: Rig | null): Promise<BenchResult[]> {
  const echo: BotRun[] = [];
  const shop: BotRun[] = [];
  const whatIf: BotRun[] = [];
  // Each shop run right after the echo run it is compared with, so both see the same machine.
  for (const [index, plan] of plans(config).entries()) {
    const firstChatId = 100_000 + index * 20_000;
    echo.push(await measure(echoRig, admin, config, plan, firstChatId));
    shop.push(await measure(shopRig, admin, config, plan, firstChatId));
    // Every closed loop, so the what-if process is as warmed up as the shop when it reaches the largest.
    if (whatIfRig && plan.thinkMs === null && plan.trial === 1) whatIf.push(await measure(whatIfRig, admin, config, plan, firstChatId));
  }
  return [throughputResult(config, shop, echo, whatIf), redisResult(shop)];
}

function throughputResult(config: BenchConfig, shop: BotRun[], echo: BotRun[], whatIf: BotRun[]): BenchResult {
  const summary: SummaryRow[] = [];
  const largest = Math.max(...config.buyerCounts);
  const closed = (runs: readonly BotRun[], buyers: number) => runs.filter((run) => run.load.mode === "closed" && run.load.buyers === buyers);
  for (const buyers of config.buyerCounts) {
    const shopRuns = closed(shop, buyers);
    const echoRuns = closed(echo, buyers);
    const value = pooledRate(shopRuns);
    const base = pooledRate(echoRuns);
    const trials = shopRuns.length > 1 ? ` (${shopRuns.length} trials pooled)` : "";
    summary.push(
      row({
        bench: "1 throughput",
        metric: `updates/s, ${buyers} buyers, closed loop${trials}`,
        value,
        unit: "/s",
        baseline: { label: "echo bot", value: base },
        ...(buyers === largest ? { target: ">= 0.5x echo", met: value >= 0.5 * base } : {}),
      }),
    );
    for (const variant of closed(whatIf, buyers)) {
      summary.push(row({ bench: "1 what-if", metric: `updates/s, ${label(variant)}, ${variant.bot}`, value: variant.load.perSecond, unit: "/s", baseline: { label: "echo bot", value: base } }));
    }
  }
  const unloaded = closed(shop, Math.min(...config.buyerCounts))[0];
  const unloadedEcho = closed(echo, Math.min(...config.buyerCounts))[0];
  if (unloaded && unloadedEcho) {
    summary.push(row({ bench: "1 latency", metric: `p99 ms, ${label(unloaded)}`, value: unloaded.load.latency.p99, unit: "ms", baseline: { label: "echo bot", value: unloadedEcho.load.latency.p99 } }));
  }
  const pacedShop = shop.find((run) => run.load.mode === "paced");
  const pacedEcho = echo.find((run) => run.load.mode === "paced");
  if (pacedShop && pacedEcho) {
    for (const [name, pick] of [["p50", (run: BotRun) => run.load.latency.p50], ["p99", (run: BotRun) => run.load.latency.p99]] as const) {
      summary.push(
        row({
          bench: "1 latency",
          metric: `${name} ms, ${label(pacedShop)} (think ${config.thinkMs} ms)`,
          value: pick(pacedShop),
          unit: "ms",
          baseline: { label: "echo bot", value: pick(pacedEcho) },
          ...(name === "p99" ? { target: "< 50 ms", met: pick(pacedShop) < 50 } : {}),
        }),
      );
    }
  }
  const header = ["bot", "run", "updates/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "lost/errors", "bot CPU", "CPU ms/update", "bot GC (major)", "bot loop p99", "driver CPU", "driver stall"];
  const rows = [...echo, ...shop, ...whatIf].map((run) => [
    run.bot,
    label(run),
    fmt(run.load.perSecond),
    fmt(run.load.latency.p50),
    fmt(run.load.latency.p95),
    fmt(run.load.latency.p99),
    fmt(run.load.latency.max),
    `${run.load.timeouts}/${run.load.errors}`,
    `${fmt(run.botCores)} cores`,
    fmt(run.load.perSecond > 0 ? (1000 * run.botCores) / run.load.perSecond : 0),
    `${fmt(100 * run.gcShare)}% (${fmt(100 * run.majorGcShare)}%)`,
    `${fmt(run.loopDelayP99)} ms`,
    `${fmt(run.load.driverCores)} cores`,
    `${fmt(run.load.driverStallMs)} ms`,
  ]);
  const callRows = [...echo, ...shop].map((run) => {
    const updates = Math.max(1, run.load.totalHandled);
    const total = Object.values(run.apiCalls).reduce((sum, count) => sum + count, 0);
    const methods = Object.entries(run.apiCalls)
      .sort((a, b) => b[1] - a[1])
      .map(([method, count]) => `${method} ${fmt(count / updates)}`)
      .join(", ");
    return [run.bot, label(run), fmt(total / updates), methods];
  });
  const paced = shop.find((run) => run.load.mode === "paced");
  const stepRows = paced
    ? Object.entries(paced.load.byStep).map(([step, p]) => [step, String(p.n), fmt(p.p50), fmt(p.p95), fmt(p.p99)])
    : [];
  const notes = [
    "Latency = from enqueueing the update at the fake Bot API to the bot's answer (sendMessage/editMessageText) being recorded by it; the fake and the buyers run in the runner process, each bot in a process of its own.",
    `Closed loop: every buyer sends its next update as soon as the answer arrives (capacity). Paced: each buyer waits an exponential think time (mean ${config.thinkMs} ms) first; the latency target is read there.`,
    "Shop cycle (7 updates): /menu, tap category, tap group, tap product, type target, tap confirm, /cancel. Taps cost the shop two API calls (answerCallbackQuery + editMessageText); the echo bot answers each text with one sendMessage.",
    "Machine: 2 cores shared by the bot process, the runner (fake + buyers) and Redis; 'bot CPU' and 'driver CPU' show who was busy, 'driver stall' the runner's worst event-loop stall in the window (a stall there delays every update of either bot: distrust the latencies of a run with a large one). Each shop run directly follows the echo run it is compared with.",
    "CPU ms/update = bot CPU time per handled update (the cost that sets the ceiling once the bot's core is saturated). Bot GC = share of the window spent in garbage collection (PerformanceObserver 'gc'); bot loop p99 = event-loop delay, i.e. how long a ready callback waited.",
    ...(whatIf.length > 0 ? [`What-if: a second shop process (${whatIf[0]?.bot ?? ""}), run right after the shop in every closed loop; not a setting of the app today.`] : []),
  ];
  const errors = shop.concat(echo).find((run) => run.load.firstError);
  if (errors?.load.firstError) notes.push(`First lost/failed step (${errors.bot}, ${label(errors)}): ${errors.load.firstError}`);
  return {
    name: "throughput",
    summary,
    details: [
      { title: "1. Throughput and latency (same fake, same runner settings)", header, rows },
      { title: `1. Shop latency per step (${paced ? label(paced) : "paced"})`, header: ["step", "n", "p50 ms", "p95 ms", "p99 ms"], rows: stepRows },
      { title: "1. Bot API calls per handled update", header: ["bot", "run", "calls/update", "by method (per update)"], rows: callRows },
    ],
    notes,
    data: { shop, echo, whatIf },
  };
}

function redisResult(shop: BotRun[]): BenchResult {
  const perUpdate = (run: BotRun) => {
    const handled = Math.max(1, run.load.totalHandled);
    return {
      roundTrips: (run.redis?.roundTrips ?? 0) / handled,
      commands: (run.redis?.commands ?? 0) / handled,
      server: (run.server?.totalCommands ?? 0) / handled,
    };
  };
  // The busiest closed-loop run has the most updates, so the steadiest per-update figures.
  const steady = shop.filter((run) => run.load.mode === "closed").sort((a, b) => b.load.totalHandled - a.load.totalHandled)[0] ?? shop[0];
  const summary: SummaryRow[] = [];
  if (steady) {
    const figures = perUpdate(steady);
    summary.push(
      row({
        bench: "2 redis",
        metric: `round trips per update (${label(steady)})`,
        value: figures.roundTrips,
        unit: "",
        baseline: { label: "design (MGET + 1 script)", value: 2 },
        target: "<= 3",
        met: figures.roundTrips <= 3,
      }),
      row({ bench: "2 redis", metric: "commands per update (client)", value: figures.commands, unit: "" }),
      row({ bench: "2 redis", metric: "commands per update (server INFO, all clients)", value: figures.server, unit: "", baseline: { label: "client count", value: figures.commands } }),
    );
  }
  const rows = shop.map((run) => {
    const figures = perUpdate(run);
    return [label(run), String(run.load.totalHandled), fmt(figures.roundTrips), fmt(figures.commands), fmt(figures.server)];
  });
  const handled = Math.max(1, steady?.load.totalHandled ?? 1);
  const byCommand = Object.entries(steady?.redis?.byCommand ?? {})
    .sort((a, b) => b[1] - a[1])
    .map(([name, count]) => [name, fmt(count / handled)]);
  return {
    name: "redis",
    summary,
    details: [
      { title: "2. Redis work per handled update (shop)", header: ["run", "updates", "round trips/update", "commands/update", "server cmds/update"], rows },
      { title: `2. Commands per update by name (${steady ? label(steady) : "-"})`, header: ["command", "per update"], rows: byCommand },
    ],
    notes: [
      "Client side: the app's ioredis client is wrapped; a command sent alone is one round trip, a pipeline (or MULTI/EXEC) is one round trip for all its commands. Counters are read with the bot idle before and after each run and divided by every update of the run (warm-up included), so no update is half counted.",
      "Server side: INFO commandstats/total_commands_processed deltas over the same window; it counts every client of this Redis (BullMQ's connections, anything else running on the machine), so it is an upper bound. It also counts the commands a Lua script runs: the session save is one EVALSHA that runs SET, ZADD or ZREM, SADD and SREM.",
      "The app's 10 s expiry sweep uses the same client and is included (a few commands per sweep).",
    ],
    data: shop.map((run) => ({ run: label(run), updates: run.load.totalHandled, redis: run.redis, server: run.server })),
  };
}
