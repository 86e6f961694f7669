/**
 * Benchmark 6: one slow provider must not slow down buyers browsing the others. The shop runs
 * the sandbox plus the odzreshop adapter pointed at its fake. After an unmeasured warm-up, paced
 * buyers browse sandbox products in three phases of equal length:
 *
 *   A  baseline — odzreshop answers at once;
 *   B  slow     — every odzreshop call answers after BENCH_SLOW_MS, a catalog refresh is kept in
 *                 flight (re-triggered every second) and a few other buyers buy odzreshop
 *                 products, so placeOrder/status calls are in flight too;
 *   A2 baseline again — shows the run-to-run noise of the baseline itself.
 */
import { startOdzreshopFake, type OdzreshopFake } from "../test/fakes/odzreshop-server.js";
import { startFakeTelegram, type FakeTelegram } from "../test/fakes/telegram-api.js";
import type { BenchConfig } from "./config.js";
import { runLoad, runOnce, type LoadResult, type OnceResult } from "./crowd.js";
import { startHost, type BotHost } from "./host-client.js";
import type { HostStats } from "./host-protocol.js";
import { isolationRows, latencyCells, latencyHeader } from "./isolation.js";
import { fmt, type BenchResult, type PreparedBench } from "./report.js";
import { browseCycle, purchaseSteps } from "./scripts.js";
import { sleep } from "./stats.js";

const slowBuyers = 10;
const slugs = ["mobile-legends", "free-fire"];

/** One phase: browsing latency, and what the slow provider was doing meanwhile. */
interface Phase {
  name: string;
  load: LoadResult;
  botCores: number;
  loopDelayP99: number;
  /** odzreshop requests that arrived during the phase (each slow in phase B). */
  providerRequests: number;
  purchases: OnceResult | null;
}

/** Starts benchmark 6's bot process and fakes; the returned `run` measures. */
export async function prepareSlowProvider(config: BenchConfig): Promise<PreparedBench> {
  const odz = await startOdzreshopFake();
  const fake = await startFakeTelegram();
  let host: BotHost | null = null;
  const dispose = async () => {
    await host?.stop();
    await fake.close();
    await odz.close();
  };
  try {
    host = await startHost(
      "shop-slow-provider",
      { kind: "shop", telegram: { url: fake.url, token: fake.token }, odzreshop: { url: odz.url, apiKey: odz.apiKey, slugs, timeoutMs: config.slowMs * 3 } },
      { cpuProfile: config.cpuProfile },
    );
  } catch (error) {
    await dispose();
    throw error;
  }
  const bot = host;
  return { run: async () => [await measureSlowProvider(config, bot, fake, odz)], dispose };
}

async function measureSlowProvider(config: BenchConfig, host: BotHost, fake: FakeTelegram, odz: OdzreshopFake): Promise<BenchResult> {
  const catalog = await host.request("catalog");
  const target = catalog.find((item) => item.provider === "odzreshop" && item.name.includes("86"));
  if (!target) throw new Error(`odzreshop products missing from the catalog: ${catalog.map((item) => item.code).join(", ")}`);
  const runPhase = (name: string, firstChatId: number, slow: boolean, measureMs = config.slowPhaseMs) =>
    phase(name, config, host, fake, odz, firstChatId, slow ? target.code : null, measureMs);

  // A fresh process is slower for its first seconds (JIT, lazy paths): warm it up unmeasured.
  await runPhase("warm-up", 690_000, false, config.slowPhaseMs / 2);
  const baseline = await runPhase("A  baseline", 700_000, false);
  odz.slowMs = config.slowMs;
  odz.inject("*", "slow", Number.MAX_SAFE_INTEGER);
  const slow = await runPhase("B  slow provider", 710_000, true);
  // A fault "slow" with 0 ms answers at once: the provider is fast again once B's calls drain.
  odz.slowMs = 0;
  await sleep(config.slowMs + 500);
  const again = await runPhase("A2 baseline again", 720_000, false);
  return slowResult(config, [baseline, slow, again]);
}

async function phase(
  name: string,
  config: BenchConfig,
  host: BotHost,
  fake: FakeTelegram,
  odz: OdzreshopFake,
  firstChatId: number,
  slowCode: string | null,
  measureMs: number,
): Promise<Phase> {
  await fake.waitForIdle(100, 20_000);
  const requestsBefore = odz.requests.length;
  let before: HostStats | undefined;
  let after: HostStats | undefined;
  let refresher: NodeJS.Timeout | undefined;
  let purchases: Promise<OnceResult> | null = null;
  if (slowCode) {
    // Started before the window so the slow calls are already in flight when it opens.
    void host.request("refresh");
    refresher = setInterval(() => void host.request("refresh").catch(() => undefined), 1000);
    const buyers = Array.from({ length: slowBuyers }, (_, i) => firstChatId + 9_000 + i);
    purchases = runOnce(fake, buyers, purchaseSteps(slowCode), slowBuyers, config.replyTimeoutMs);
  }
  try {
    const load = await runLoad({
      fake,
      chatIds: Array.from({ length: config.slowBuyers }, (_, i) => firstChatId + i),
      cycle: browseCycle(),
      thinkMs: config.thinkMs,
      warmupMs: Math.max(config.warmupMs, 2 * config.thinkMs),
      measureMs,
      replyTimeoutMs: config.replyTimeoutMs,
      keepSamples: true,
      onWindowStart: async () => {
        before = await host.request("stats");
      },
      onWindowEnd: async () => {
        after = await host.request("stats");
      },
    });
    if (!before || !after) throw new Error("the bot's counters were not read around the window");
    const cpu = after.cpu.user - before.cpu.user + after.cpu.system - before.cpu.system;
    return {
      name,
      load,
      botCores: cpu / ((after.nowMs - before.nowMs) * 1000),
      loopDelayP99: after.loopDelay.p99,
      providerRequests: odz.requests.length - requestsBefore,
      purchases: purchases ? await purchases : null,
    };
  } finally {
    clearInterval(refresher);
  }
}

function slowResult(config: BenchConfig, phases: Phase[]): BenchResult {
  const [baseline, slow, again] = phases;
  const summary = [];
  if (baseline && slow && again) {
    // The shared machine drifts between phases: the baseline pools the phases before and after B.
    summary.push(
      ...isolationRows("6 slow provider", `browsing p99 ms, ${config.slowBuyers} buyers, one provider ${config.slowMs} ms slow`, "no slow provider (A+A2)", baseline.load, slow.load, again.load),
    );
  }
  const purchase = slow?.purchases;
  return {
    name: "slow-provider",
    summary,
    details: [
      {
        title: "6. Browsing latency with and without a slow provider",
        header: ["phase", ...latencyHeader, "bot CPU", "bot loop p99", "driver stall", "odzreshop calls"],
        rows: phases.map((p) => [
          p.name,
          ...latencyCells(p.load),
          `${fmt(p.botCores)} cores`,
          `${fmt(p.loopDelayP99)} ms`,
          `${fmt(p.load.driverStallMs)} ms`,
          String(p.providerRequests),
        ]),
      },
    ],
    notes: [
      `Browsers: ${config.slowBuyers} paced buyers (think ${config.thinkMs} ms) walking the sandbox checkout; ${fmt(config.slowPhaseMs / 1000)} s measured per phase.`,
      `Phase B: every odzreshop call (services, order, status) answers after ${config.slowMs} ms; a catalog refresh is re-triggered every second (one runs at a time); ${slowBuyers} other buyers top up and buy an odzreshop product by code, so placeOrder runs behind their "dibayar".`,
      purchase
        ? `Slow-provider buyers: ${purchase.completed}/${slowBuyers} got "dibayar" at once (placing runs in the background); ${purchase.failed} did not${purchase.firstError ? ` (${purchase.firstError})` : ""}.`
        : "No purchases were made.",
    ],
    data: phases.map(({ load: { samples: _samples, ...load }, ...phase }) => ({ ...phase, load })),
  };
}
