/**
 * `npm run bench`: runs the benchmarks of issue 8 on this machine, prints a summary table (every
 * figure next to a baseline measured in the same run) and detail tables, and writes
 * bench/results.json. `BENCH_QUICK=1` for a smoke run; see bench/README.md for the knobs.
 */
import { writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { loadBenchConfig, type BenchConfig, type BenchName } from "./config.js";
import { prepareMemory } from "./memory.js";
import { pacingBench } from "./pacing.js";
import { qrisBench } from "./qris.js";
import { gatewayBench } from "./gateway.js";
import { detailTable, nothingToPrepare, summaryTable, type BenchResult, type PreparedBench } from "./report.js";
import { prepareFlood } from "./flood.js";
import { flashSaleBench } from "./flash-sale.js";
import { prepareSlowProvider } from "./slow-provider.js";
import { prepareThroughput } from "./throughput.js";

const benches: Record<BenchName, (config: BenchConfig) => Promise<PreparedBench>> = {
  qris: async (config) => nothingToPrepare(async () => [await qrisBench(config)]),
  throughput: prepareThroughput,
  memory: prepareMemory,
  "slow-provider": prepareSlowProvider,
  flood: prepareFlood,
  pacing: async (config) => nothingToPrepare(() => pacingBench(config)),
  gateway: async (config) => nothingToPrepare(async () => [await gatewayBench(config)]),
  "flash-sale": async (config) => nothingToPrepare(async () => [await flashSaleBench(config)]),
};

const resultsFile = fileURLToPath(new URL("./results.json", import.meta.url));

async function main(): Promise<void> {
  const config = loadBenchConfig();
  const started = performance.now();
  const loadBefore = loadavg()[0] ?? 0;
  const results: BenchResult[] = [];
  const timings: Record<string, number> = {};
  // Every bot process starts now, together, before anything is measured: each start loads the
  // whole app (seconds of CPU), and idle bots cost next to nothing while others are measured.
  process.stderr.write(`bench: starting bot processes for ${config.only.join(", ")}…\n`);
  const prepared = await Promise.allSettled(config.only.map((name) => benches[name](config)));
  const disposed = new Set<PreparedBench>();
  const dispose = async (bench: PreparedBench) => {
    if (disposed.has(bench)) return;
    disposed.add(bench);
    await bench.dispose();
  };
  let failures = 0;
  try {
    for (const [index, name] of config.only.entries()) {
      const outcome = prepared[index];
      const at = performance.now();
      process.stderr.write(`bench: ${name}…\n`);
      try {
        if (!outcome || outcome.status === "rejected") throw outcome?.reason ?? new Error("not prepared");
        results.push(...(await outcome.value.run()));
        await dispose(outcome.value);
      } catch (error) {
        // One broken benchmark should not throw away the minutes the others took.
        failures++;
        results.push(failed(name, error));
        process.stderr.write(`bench: ${name} FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      }
      timings[name] = (performance.now() - at) / 1000;
      process.stderr.write(`bench: ${name} done in ${timings[name]?.toFixed(1)} s\n`);
    }
  } finally {
    await Promise.all(prepared.map((outcome) => (outcome.status === "fulfilled" ? dispose(outcome.value) : undefined)));
  }
  const seconds = (performance.now() - started) / 1000;
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  // Other work on the machine skews every figure; the load average says how much there was.
  const load = { before: loadBefore, after: loadavg()[0] ?? 0 };
  // The fakes keep every message they saw; a big runner heap means long GC pauses in the driver.
  const runnerMb = Math.round(process.memoryUsage().rss / 2 ** 20);
  const summary = results.flatMap((result) => result.summary);
  const out: string[] = [
    `Warung Bot benchmarks — ${config.quick ? "QUICK (smoke run: do not read the numbers)" : "full run"} — ${new Date().toISOString()}`,
    `Machine: ${machine}; total ${seconds.toFixed(0)} s; 1-min load average ${load.before.toFixed(2)} before, ${load.after.toFixed(2)} after; runner RSS at the end ${runnerMb} MB`,
    "",
    summaryTable(summary),
    "",
    ...results.flatMap((result) => result.details.map((table) => `${detailTable(table)}\n`)),
    "Notes:",
    ...results.flatMap((result) => result.notes.map((note) => `- [${result.name}] ${note}`)),
  ];
  console.log(out.join("\n"));
  writeFileSync(
    resultsFile,
    `${JSON.stringify({ at: new Date().toISOString(), machine, load, runnerMb, quick: config.quick, seconds, timings, config, summary, results }, null, 2)}\n`,
  );
  console.log(`\nWrote ${resultsFile}`);
  if (failures > 0) process.exitCode = 1;
}

/** The result standing in for a benchmark that threw. */
function failed(name: string, error: unknown): BenchResult {
  const message = error instanceof Error ? error.message : String(error);
  return {
    name,
    summary: [{ bench: name, metric: "did not complete (see notes)", value: 0, unit: "", met: false }],
    details: [],
    notes: [`FAILED: ${message}`],
    data: { error: message },
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
