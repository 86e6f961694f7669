/**
 * Small statistics for the benchmarks: latency percentiles from raw samples (no histogram
 * buckets, so p99 is exact for the samples taken) and CPU use between two readings.
 */

/** Summary of a set of latency samples, in milliseconds. */
export interface Percentiles {
  n: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Collects samples cheaply (a growable Float64Array) and summarises them. */
export class Samples {
  private buffer = new Float64Array(1024);
  private count = 0;

  add(value: number): void {
    if (this.count === this.buffer.length) {
      const grown = new Float64Array(this.buffer.length * 2);
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer[this.count++] = value;
  }

  /** A copy of the samples. */
  values(): number[] {
    return Array.from(this.buffer.subarray(0, this.count));
  }

  summary(): Percentiles {
    return percentiles(this.buffer.subarray(0, this.count));
  }
}

/** Nearest-rank percentiles; all zero for no samples. */
export function percentiles(values: ArrayLike<number>): Percentiles {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return { n: 0, mean: 0, p50: 0, p95: 0, p99: 0, max: 0 };
  const rank = (p: number): number => sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))] ?? 0;
  let sum = 0;
  for (const value of sorted) sum += value;
  return { n, mean: sum / n, p50: rank(50), p95: rank(95), p99: rank(99), max: sorted[n - 1] ?? 0 };
}

/** The median of a few numbers (used to pick a representative round of a microbenchmark). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** A CPU reading: process CPU time and wall time, both in microseconds. */
export interface CpuMark {
  cpu: NodeJS.CpuUsage;
  wallUs: number;
}

/** Takes a CPU reading of this process. */
export function cpuMark(): CpuMark {
  return { cpu: process.cpuUsage(), wallUs: performance.now() * 1000 };
}

/** Share of one core used between two readings (1.0 = one core fully busy). */
export function coresUsed(from: CpuMark, to: CpuMark): number {
  const wall = to.wallUs - from.wallUs;
  if (wall <= 0) return 0;
  return (to.cpu.user - from.cpu.user + to.cpu.system - from.cpu.system) / wall;
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
