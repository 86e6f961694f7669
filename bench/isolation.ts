/**
 * The shape shared by the isolation benchmarks (6 slow provider, 7 flood): browsing latency in a
 * disturbed phase against the undisturbed phases before (A) and after (A2) it, pooled, because
 * the shared machine drifts between phases.
 */
import type { LoadResult } from "./crowd.js";
import { fmt, row, type SummaryRow } from "./report.js";
import { percentiles } from "./stats.js";

/** The three summary rows: p99 against the ≤ 1.5× target, p95, and the baselines' own drift. */
export function isolationRows(bench: string, metric: string, baselineLabel: string, before: LoadResult, disturbed: LoadResult, after: LoadResult): SummaryRow[] {
  const pooled = percentiles([...(before.samples ?? []), ...(after.samples ?? [])]);
  return [
    row({
      bench,
      metric,
      value: disturbed.latency.p99,
      unit: "ms",
      baseline: { label: baselineLabel, value: pooled.p99 },
      target: "<= 1.5x baseline",
      met: disturbed.latency.p99 <= 1.5 * pooled.p99,
    }),
    row({ bench, metric: "browsing p95 ms (same runs)", value: disturbed.latency.p95, unit: "ms", baseline: { label: baselineLabel, value: pooled.p95 } }),
    row({ bench, metric: "baseline drift: p99 of A2 vs A (noise)", value: after.latency.p99, unit: "ms", baseline: { label: "A", value: before.latency.p99 } }),
  ];
}

/** The latency columns every phase row starts with (after its name). */
export const latencyHeader = ["updates/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "lost/errors"] as const;

/** One phase's cells for {@link latencyHeader}. */
export function latencyCells(load: LoadResult): string[] {
  const { latency } = load;
  return [fmt(load.perSecond), fmt(latency.p50), fmt(latency.p95), fmt(latency.p99), fmt(latency.max), `${load.timeouts}/${load.errors}`];
}
