/** One benchmark table as a suite printed it (bench/lib.ts records them). */
export interface BenchTable {
  /** The suite's file name without `.ts`, e.g. `core`. */
  readonly suite: string;
  readonly title: string;
  readonly header: readonly string[];
  /** Cells as printed. */
  readonly rows: readonly (readonly string[])[];
  /** Set when the table compares every row to one baseline row (ratio = row / baseline throughput). */
  readonly ratios?: {
    readonly baseline: string;
    readonly values: readonly { readonly name: string; readonly ratio: number }[];
  };
}

/** What the page says about the run that produced the tables. */
export interface BenchRun {
  /** e.g. `v20.20.0`. */
  readonly node: string;
  /** e.g. `BENCH_MS=800` or `BENCH_MS=1500 (default)`. */
  readonly duration: string;
  /** e.g. `2 cores`. */
  readonly machine: string;
  /** ISO date of the run, e.g. `2026-12-03`. */
  readonly date: string;
}

/** True when a table compares our rows against a peer library (its baseline is not one of ours). */
export function comparesToPeer(table: BenchTable): boolean {
  return table.ratios !== undefined && !/^(traffik|no limiter|bare)\b/.test(table.ratios.baseline);
}
