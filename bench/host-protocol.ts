/**
 * The messages between the benchmark runner and a bot process it forks (see host.ts). The bot
 * runs in its own process so that its CPU and memory figures are its own: the fake Bot API and
 * the simulated buyers live in the runner.
 */
import { z } from "zod";
import type { RedisCounts } from "./redis-count.js";

/** What the forked process runs; passed as JSON in `BENCH_HOST_SPEC`. */
export const hostSpecSchema = z.object({
  /** "shop": the real App (sandbox provider, Redis sessions); "echo": a bare grammY bot that echoes text. */
  kind: z.enum(["shop", "echo"]),
  telegram: z.object({ url: z.url(), token: z.string().min(1) }),
  /**
   * What-if: replace the app's Telegram channel with one whose runner handles at most this many
   * updates at once (TelegramChannel's `concurrency`; default `pollingConcurrency` in src/channels/telegram/runner-settings.ts).
   */
  sinkConcurrency: z.number().int().positive().optional(),
  /**
   * Keep the app's per-chat flood limit (CHAT_FLOOD_*). Off by default: the other benchmarks'
   * buyers answer faster than any person types (a closed loop measures capacity), and the limit
   * would drop their updates; the flood benchmark runs with it, as production does.
   */
  floodLimit: z.boolean().optional(),
  /** Adds the odzreshop adapter, pointed at a fake, next to the sandbox (slow-provider benchmark). */
  odzreshop: z
    .object({ url: z.url(), apiKey: z.string(), slugs: z.array(z.string()).min(1), timeoutMs: z.number().int().positive() })
    .optional(),
});
/** See {@link hostSpecSchema}. */
export type HostSpec = z.infer<typeof hostSpecSchema>;

/** Event-loop delay since the previous `stats` request, in milliseconds. */
export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

/** Cumulative counters of the bot process. */
export interface HostStats {
  cpu: NodeJS.CpuUsage;
  /** performance.now() of the bot process, to turn CPU time into a share of wall time. */
  nowMs: number;
  /** Redis work of the app's own client; null for the echo bot. */
  redis: RedisCounts | null;
  loopDelay: LoopDelay;
  /** Time spent in garbage collection since start, in milliseconds (all / major only). */
  gcMs: number;
  majorGcMs: number;
}

/** Memory after two forced garbage collections. */
export interface MemorySample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

/** A product of the running catalog. */
export interface CatalogEntry {
  code: string;
  provider: string;
  name: string;
}

/** Request name → what the bot process answers. */
export interface HostCommands {
  stats: HostStats;
  memory: MemorySample;
  /** Starts a catalog refresh in the background (it may take as long as the slowest provider). */
  refresh: null;
  catalog: CatalogEntry[];
  stop: null;
}

/** A request from the runner. */
export interface HostRequest {
  id: number;
  command: keyof HostCommands;
}

/** The answer to a request. */
export type HostResponse = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

/** Sent once by the bot process: up and polling, or why not. */
export type HostHello = { ready: true } | { ready: false; error: string };
