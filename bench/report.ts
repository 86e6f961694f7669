/**
 * What each benchmark returns and how the results are printed: one summary table where every
 * figure stands next to the baseline measured in the same run and the ratio between them, then
 * a detail table per benchmark, then notes.
 */

/** One line of the summary table. */
export interface SummaryRow {
  /** Benchmark number and name, e.g. "1 throughput". */
  bench: string;
  metric: string;
  value: number;
  unit: string;
  /** What the value is compared with, measured in the same run (or the limit a fake enforces). */
  baseline?: { label: string; value: number };
  /** value / baseline.value, when there is a baseline. */
  ratio?: number;
  /** The target from the issue, in words. */
  target?: string;
  /** Whether the target is met; absent when the row has no target. */
  met?: boolean;
}

/** A table of details for one benchmark. */
export interface DetailTable {
  title: string;
  header: string[];
  rows: string[][];
}

/** The outcome of one benchmark module. */
export interface BenchResult {
  name: string;
  summary: SummaryRow[];
  details: DetailTable[];
  notes: string[];
  /** Raw figures for results.json. */
  data: unknown;
}

/**
 * A benchmark whose processes and fakes are already started (the runner starts them all at once,
 * before measuring anything): `run` measures, `dispose` stops what was started.
 */
export interface PreparedBench {
  run(): Promise<BenchResult[]>;
  dispose(): Promise<void>;
}

/** A prepared benchmark that needs nothing started in advance. */
export function nothingToPrepare(run: () => Promise<BenchResult[]>): PreparedBench {
  return { run, dispose: async () => undefined };
}

/**
 * A summary row with its ratio filled in from value and baseline, unless the caller measured the
 * ratio another way (e.g. as a median of paired rounds) and passes it.
 */
export function row(fields: Omit<SummaryRow, "ratio"> & { ratio?: number }): SummaryRow {
  const ratio = fields.ratio ?? (fields.baseline && fields.baseline.value !== 0 ? fields.value / fields.baseline.value : undefined);
  return ratio === undefined ? fields : { ...fields, ratio };
}

/** A number with as many decimals as make sense for its size. */
export function fmt(value: number, unit = ""): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  const text = value.toFixed(digits);
  return unit ? `${text} ${unit}` : text;
}

/** Formats the summary table. */
export function summaryTable(rows: readonly SummaryRow[]): string {
  const header = ["bench", "metric", "value", "baseline (same run)", "ratio", "target", "met"];
  const lines = rows.map((r) => [
    r.bench,
    r.metric,
    fmt(r.value, r.unit),
    r.baseline ? `${r.baseline.label} ${fmt(r.baseline.value, r.unit)}` : "-",
    r.ratio === undefined ? "-" : `${fmt(r.ratio)}x`,
    r.target ?? "-",
    r.met === undefined ? "-" : r.met ? "yes" : "NO",
  ]);
  return formatTable(header, lines);
}

/** Formats a detail table under its title. */
export function detailTable(table: DetailTable): string {
  return `${table.title}\n${formatTable(table.header, table.rows)}`;
}

/** A plain-text table with aligned columns (markdown-compatible, so it pastes into the README). */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((cells) => (cells[column] ?? "").length)));
  const line = (cells: readonly string[]) => `| ${widths.map((width, column) => (cells[column] ?? "").padEnd(width)).join(" | ")} |`;
  const rule = `|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}
