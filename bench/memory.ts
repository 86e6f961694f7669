/**
 * Benchmark 5: memory of the bot process as the number of buyers holding a session grows.
 * Buyers are added in steps (e.g. up to 1k, 5k, 10k), each left mid-checkout so its session sits
 * in Redis with a TTL; after each step the bot process is garbage-collected and its RSS read.
 * The process is fresh (no earlier load has raised its high-water mark), and buyers are fed a
 * fixed number at a time, so every step sees the same peak concurrency.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { startFakeTelegram, type FakeTelegram } from "../test/fakes/telegram-api.js";
import { testRedisUrl } from "../test/helpers/redis.js";
import { compiledAppModule, compileHost } from "./compile.js";
import type { BenchConfig } from "./config.js";
import { runOnce } from "./crowd.js";
import { startHost, type BotHost } from "./host-client.js";
import type { MemorySample } from "./host-protocol.js";
import { fmt, row, type BenchResult, type PreparedBench } from "./report.js";
import { holdSessionSteps } from "./scripts.js";

const mb = (bytes: number) => bytes / 2 ** 20;
const run = promisify(execFile);
const probe = fileURLToPath(new URL("./rss-probe.ts", import.meta.url));
const appModule = new URL("../src/compose/app.ts", import.meta.url).href;
const firstChatId = 500_000;
const warmupBuyers = 50;

/** Memory of a fresh process that only loaded some modules. */
interface Floor {
  label: string;
  rss: number;
  heapUsed: number;
}

/**
 * The fixed cost of a bot process, measured in fresh processes: Node, the tsx loader, the
 * modules, the app under tsx and compiled. A quick run skips the single libraries.
 */
async function floors(quick: boolean): Promise<Floor[]> {
  const measure = async (label: string, args: string[]): Promise<Floor> => {
    const { stdout } = await run(process.execPath, ["--expose-gc", ...args]);
    const parsed = JSON.parse(stdout) as { rss: number; heapUsed: number };
    return { label, ...parsed };
  };
  const plain = "gc(); gc(); const m = process.memoryUsage(); process.stdout.write(JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed }));";
  // In parallel: RSS is per process, so sharing the CPU does not change it.
  return Promise.all([
    measure("node, nothing loaded", ["-e", plain]),
    ...(quick
      ? []
      : [
          measure("node + tsx loader", ["--import", "tsx", probe]),
          measure("node + tsx + grammy", ["--import", "tsx", probe, "grammy"]),
          measure("node + tsx + @whiskeysockets/baileys", ["--import", "tsx", probe, "@whiskeysockets/baileys"]),
        ]),
    measure("node + tsx + src/compose/app.ts (imports only, like npm start)", ["--import", "tsx", probe, appModule]),
    measure("node + compiled compose/app.js (imports only, like npm run start:prod)", ["--input-type=module", "-e", `await import(${JSON.stringify(compiledAppModule)}); ${plain}`]),
  ]);
}

/** One reading after a step. */
interface MemoryStep {
  buyers: number;
  memory: MemorySample;
  /** Growth of Redis' used_memory since the start (sessions live there). */
  redisBytes: number;
  failed: number;
  seconds: number;
}

async function redisUsedMemory(admin: Redis): Promise<number> {
  const info = await admin.info("memory");
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}

/** Starts benchmark 5's bot process and fake; the returned `run` measures. */
export async function prepareMemory(config: BenchConfig): Promise<PreparedBench> {
  const fake = await startFakeTelegram();
  const admin = new Redis(testRedisUrl, { lazyConnect: true });
  let host: BotHost | null = null;
  const dispose = async () => {
    await host?.stop();
    admin.disconnect();
    await fake.close();
  };
  try {
    await admin.connect();
    // Measured as production runs it: compiled, plain node (the tsx loader alone holds ~35 MB).
    await compileHost();
    host = await startHost("shop-memory", { kind: "shop", telegram: { url: fake.url, token: fake.token } }, { cpuProfile: config.cpuProfile, compiled: true });
  } catch (error) {
    await dispose();
    throw error;
  }
  const bot = host;
  return { run: async () => [await measureMemory(config, fake, bot, admin)], dispose };
}

async function measureMemory(config: BenchConfig, fake: FakeTelegram, host: BotHost, admin: Redis): Promise<BenchResult> {
  // Fresh processes of their own, so they can run while buyers are fed.
  const floor = floors(config.quick);
  try {
    const steps = holdSessionSteps();
    const warm = await runOnce(fake, range(firstChatId, warmupBuyers), steps, config.memoryConcurrency, config.replyTimeoutMs);
    if (warm.failed > 0) throw new Error(`memory warm-up failed: ${warm.firstError}`);
    await fake.waitForIdle(200, 20_000);
    const idle = await host.request("memory");
    const redisBefore = await redisUsedMemory(admin);
    const readings: MemoryStep[] = [];
    let created = 0;
    for (const target of config.memorySteps) {
      const ids = range(firstChatId + warmupBuyers + created, target - created);
      const outcome = await runOnce(fake, ids, steps, config.memoryConcurrency, config.replyTimeoutMs);
      created = target;
      await fake.waitForIdle(200, 20_000);
      readings.push({
        buyers: target,
        memory: await host.request("memory"),
        redisBytes: (await redisUsedMemory(admin)) - redisBefore,
        failed: outcome.failed,
        seconds: outcome.seconds,
      });
    }
    return memoryResult(idle, readings, await floor);
  } finally {
    await floor.catch(() => undefined);
  }
}

function range(from: number, count: number): number[] {
  return Array.from({ length: Math.max(0, count) }, (_, i) => from + i);
}

function memoryResult(idle: MemorySample, readings: MemoryStep[], floor: Floor[]): BenchResult {
  const first = readings[0];
  const last = readings[readings.length - 1];
  const summary = [];
  if (first && last) {
    summary.push(
      row({ bench: "5 memory", metric: `RSS with ${last.buyers} buyers holding sessions`, value: mb(last.memory.rss), unit: "MB", baseline: { label: "idle", value: mb(idle.rss) }, target: "< 150 MB", met: mb(last.memory.rss) < 150 }),
      row({
        bench: "5 memory",
        metric: `RSS(${last.buyers}) vs RSS(${first.buyers})`,
        value: mb(last.memory.rss),
        unit: "MB",
        baseline: { label: `RSS(${first.buyers})`, value: mb(first.memory.rss) },
        target: "<= 1.1x (flat)",
        met: last.memory.rss <= 1.1 * first.memory.rss,
      }),
      row({
        bench: "5 memory",
        metric: `heap used(${last.buyers}) vs heap used(${first.buyers})`,
        value: mb(last.memory.heapUsed),
        unit: "MB",
        baseline: { label: `heap(${first.buyers})`, value: mb(first.memory.heapUsed) },
      }),
    );
  }
  const failed = readings.reduce((sum, reading) => sum + reading.failed, 0);
  return {
    name: "memory",
    summary,
    details: [
      {
        title: "5. Bot process memory after GC, by buyers holding a session",
        header: ["buyers", "RSS MB", "heap used MB", "heap total MB", "external MB", "Redis used_memory +MB", "Redis bytes/buyer", "feed time s"],
        rows: [
          ["idle (after warm-up)", fmt(mb(idle.rss)), fmt(mb(idle.heapUsed)), fmt(mb(idle.heapTotal)), fmt(mb(idle.external)), "0", "-", "-"],
          ...readings.map((reading) => [
            String(reading.buyers),
            fmt(mb(reading.memory.rss)),
            fmt(mb(reading.memory.heapUsed)),
            fmt(mb(reading.memory.heapTotal)),
            fmt(mb(reading.memory.external)),
            fmt(mb(reading.redisBytes)),
            fmt(reading.redisBytes / reading.buyers),
            fmt(reading.seconds),
          ]),
        ],
      },
      {
        title: "5. Fixed floor: fresh processes that only load modules (after GC)",
        header: ["process", "RSS MB", "heap used MB"],
        rows: floor.map((f) => [f.label, fmt(mb(f.rss)), fmt(mb(f.heapUsed))]),
      },
    ],
    notes: [
      "Each buyer sends /menu, which leaves its session (JSON with the menu it was shown, 30 min TTL) and its buyer key in Redis; the bot process keeps nothing per chat once a message is handled.",
      "RSS is read in the bot process after two forced GCs (--expose-gc); V8 rarely returns freed pages, so RSS is a high-water mark and heap used is the figure to watch for leaks. The process runs compiled JavaScript with plain node, like `npm run start:prod`; the floor table shows what tsx (`npm start`) adds.",
      "Redis used_memory is server-wide (other clients may add noise); it shows where the sessions went.",
      ...(failed > 0 ? [`${failed} buyers did not complete their steps (timeouts): their sessions may be missing.`] : []),
    ],
    data: { idle, readings, floor },
  };
}
