/**
 * Benchmark sizes, from the environment. `BENCH_QUICK=1` shrinks everything to a smoke run of a
 * few seconds per benchmark (to check the harness works, not to read the numbers); every size can
 * also be set on its own, e.g. `BENCH_BROADCAST_N=300 npm run bench`.
 */
import { z } from "zod";
import { defaultTelegramBroadcastPerSecond } from "../src/admin/broadcast.js";

/** The names accepted by `BENCH_ONLY` (comma-separated), in run order. */
export const benchNames = ["qris", "throughput", "memory", "slow-provider", "flood", "pacing", "gateway", "flash-sale"] as const;
/** One benchmark module. */
export type BenchName = (typeof benchNames)[number];

/** Every knob of a run. */
export interface BenchConfig {
  quick: boolean;
  only: readonly BenchName[];
  /** Simulated buyer counts for throughput/latency (1). */
  buyerCounts: readonly number[];
  /** Run the largest closed loop twice and pool the trials (the machine is shared and noisy). */
  repeatLargest: boolean;
  /** Buyers of the paced (think-time) latency runs. */
  pacedBuyers: number;
  /** Mean think time of a paced buyer between receiving a reply and sending the next update. */
  thinkMs: number;
  warmupMs: number;
  measureMs: number;
  /**
   * Node options of an extra shop process run at the largest buyer count, as a what-if (e.g. a
   * bigger young generation); the what-if runs when this or {@link whatIfSinkConcurrency} is set.
   */
  whatIfNodeOptions: readonly string[];
  /** Runner sink concurrency of that what-if shop process (the app default is `pollingConcurrency`, 64); null = default. */
  whatIfSinkConcurrency: number | null;
  /** A reply that takes longer counts as lost and the buyer starts over. */
  replyTimeoutMs: number;
  broadcastN: number;
  /** The Broadcaster's Telegram rate: the app's default unless set; the fake enforces 30/s regardless. */
  telegramBroadcastRate: number;
  /** A second, shorter broadcast at this rate to show the effect of headroom; 0 = skip. */
  telegramWhatIfRate: number;
  telegramWhatIfN: number;
  /** Renders per variant in the QRIS benchmark. */
  qrisN: number;
  /** Cumulative buyer counts at which RSS is sampled. */
  memorySteps: readonly number[];
  /** Buyers in flight at once while sessions are being created for the memory benchmark. */
  memoryConcurrency: number;
  slowBuyers: number;
  /** How late the slow provider answers. */
  slowMs: number;
  /** Length of each phase (baseline, slow, baseline again) of the slow-provider benchmark. */
  slowPhaseMs: number;
  /** Flood isolation: paced buyers, their mean think time, the flood's size and each phase's length. */
  floodBuyers: number;
  floodThinkMs: number;
  floodMessages: number;
  floodPhaseMs: number;
  /** Write a V8 CPU profile of each bot process to bench/profiles/. */
  cpuProfile: boolean;
  /** Gateway notifications (8): payments per side, confirmed by that many notifications at once. */
  gatewayN: number;
  /** Flash sale of own stock: buyers racing at once, and the items they race for. */
  flashBuyers: number;
  flashItems: number;
}

const numberList = z
  .string()
  .regex(/^\d+(,\d+)*$/, { message: "must be comma-separated whole numbers" })
  .transform((text) => text.split(",").map(Number));
const positive = z.coerce.number().int().positive();

/** Reads the config; throws a readable error for a malformed variable. */
export function loadBenchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const quick = env.BENCH_QUICK === "1" || env.BENCH_QUICK === "true";
  const pick = <T>(name: string, schema: z.ZodType<T>, full: T, small: T): T => {
    const raw = env[name];
    if (raw === undefined || raw === "") return quick ? small : full;
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw new Error(`${name}=${raw}: ${parsed.error.issues.map((issue) => issue.message).join("; ")}`);
    return parsed.data;
  };
  const only = env.BENCH_ONLY ? parseOnly(env.BENCH_ONLY) : benchNames;
  const broadcastN = pick("BENCH_BROADCAST_N", positive, 3000, 150);
  return {
    quick,
    only,
    buyerCounts: pick("BENCH_BUYERS", numberList, [1, 50, 500], [1, 10]),
    repeatLargest: !quick,
    pacedBuyers: pick("BENCH_PACED_BUYERS", positive, 500, 30),
    thinkMs: pick("BENCH_THINK_MS", positive, 1000, 150),
    warmupMs: pick("BENCH_WARMUP_MS", positive, 1000, 200),
    measureMs: pick("BENCH_MEASURE_MS", positive, 4000, 400),
    whatIfNodeOptions: pick("BENCH_WHATIF_NODE_OPTIONS", z.string().transform(splitOptions), [], []),
    whatIfSinkConcurrency: pick<number | null>("BENCH_WHATIF_SINK", positive, null, null),
    replyTimeoutMs: pick("BENCH_REPLY_TIMEOUT_MS", positive, 10_000, 5_000),
    broadcastN,
    telegramBroadcastRate: pick("BENCH_TG_RATE", z.coerce.number().positive(), defaultTelegramBroadcastPerSecond, defaultTelegramBroadcastPerSecond),
    telegramWhatIfRate: pick("BENCH_TG_WHATIF_RATE", z.coerce.number().nonnegative(), 30, 0),
    telegramWhatIfN: pick("BENCH_TG_WHATIF_N", positive, Math.max(1, Math.round(broadcastN / 10)), 1),
    qrisN: pick("BENCH_QRIS_N", positive, 84, 21),
    memorySteps: pick("BENCH_MEMORY_STEPS", numberList, [1000, 5000, 10_000], [50, 100, 150]),
    memoryConcurrency: pick("BENCH_MEMORY_CONCURRENCY", positive, 100, 50),
    slowBuyers: pick("BENCH_SLOW_BUYERS", positive, 200, 20),
    slowMs: pick("BENCH_SLOW_MS", positive, 5000, 400),
    slowPhaseMs: pick("BENCH_SLOW_PHASE_MS", positive, 4500, 400),
    floodBuyers: pick("BENCH_FLOOD_BUYERS", positive, 100, 20),
    floodThinkMs: pick("BENCH_FLOOD_THINK_MS", positive, 1000, 500),
    floodMessages: pick("BENCH_FLOOD_MESSAGES", positive, 2000, 500),
    floodPhaseMs: pick("BENCH_FLOOD_PHASE_MS", positive, 6000, 1500),
    cpuProfile: env.BENCH_CPU_PROF === "1",
    gatewayN: pick("BENCH_GATEWAY_N", positive, 1000, 100),
    flashBuyers: pick("BENCH_FLASH_BUYERS", positive, 1000, 200),
    flashItems: pick("BENCH_FLASH_ITEMS", positive, 100, 20),
  };
}

/** Node options separated by spaces; "none" for none. */
function splitOptions(text: string): string[] {
  return text.trim() === "none" ? [] : text.split(/\s+/).filter((option) => option !== "");
}

function parseOnly(text: string): BenchName[] {
  const wanted = text.split(",").map((name) => name.trim());
  const unknown = wanted.filter((name) => !(benchNames as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`unknown benchmark(s) ${unknown.join(", ")}; known: ${benchNames.join(", ")}`);
  return benchNames.filter((name) => wanted.includes(name));
}
