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

/** Row names of the peer libraries the suites measure beside ours. */
const PEER_NAME = /^(rate-limiter-flexible|graphql-rate-limit-directive|graphql-query-complexity)\b/;

/**
 * Our rows' throughput as a multiple of the peer's in one table, or
 * `undefined` when the table has no ratios or no peer row, or compares our
 * rows with one of ours (a peer row there is only a reference). A table whose
 * baseline is a floor (Redis: a bare EVALSHA) is rebased on the peer's row.
 */
export function ratiosToPeer(table: BenchTable): { peer: string; values: { name: string; ratio: number }[] } | undefined {
  const ratios = table.ratios;
  if (ratios === undefined || ratios.baseline.startsWith('traffik')) return undefined;
  const peer = PEER_NAME.test(ratios.baseline) ? ratios.values.find((v) => v.name === ratios.baseline) : ratios.values.find((v) => PEER_NAME.test(v.name));
  if (peer === undefined || !(peer.ratio > 0)) return undefined;
  return {
    peer: peer.name,
    values: ratios.values.filter((v) => v.name.startsWith('traffik')).map((v) => ({ name: v.name, ratio: v.ratio / peer.ratio })),
  };
}
