/**
 * How the conformance kit words a difference: each rate's decision as one
 * line of named numbers, and a report that says which step, what was
 * expected and what came back.
 */
import type { StepDecision } from '../core/decision.js';

/** One difference the kit found. */
export interface ConformanceDifference {
  /** The operation's index in its check (0-based), or -1 for a check-wide finding. */
  readonly step: number;
  /** Kit clock time of the operation, ms after the check started. */
  readonly atMs: number;
  /** The operation in words (`hit cost 3 on "id-1"`). */
  readonly operation: string;
  /** The in-process decisions, formatted (`formatDecisions`). */
  readonly expected: string;
  /** What the backend answered, formatted, or the error it threw. */
  readonly got: string;
}

const FIELDS = ['allowed', 'limit', 'remaining', 'retryAfterMs', 'resetAfterMs', 'delayMs'] as const;

/** One rate's decision as `allowed=true limit=5 remaining=2 retryAfterMs=0 resetAfterMs=600 delayMs=0`. */
export function formatDecision(decision: StepDecision): string {
  const record = decision as unknown as Record<string, unknown>;
  return FIELDS.map((field) => `${field}=${String(record[field])}`).join(' ');
}

/** One hit's per-rate decisions, one rate per `|`-separated part, labelled with the rates. */
export function formatDecisions(decisions: readonly StepDecision[] | undefined, rates: readonly string[]): string {
  if (!Array.isArray(decisions)) return `not a list of decisions: ${String(decisions)}`;
  if (decisions.length !== rates.length) return `${decisions.length} decisions for ${rates.length} rates: ${JSON.stringify(decisions)}`;
  return decisions.map((d, i) => `[${rates[i]}] ${formatDecision(d)}`).join(' | ');
}

/** An error a backend threw, for a report. */
export function formatError(error: unknown): string {
  if (error instanceof Error) return `threw ${error.name}: ${error.message}`;
  return `threw ${String(error)}`;
}

/** The readable report of a check: its name, then each difference as step, expected, got, and the steps before it. */
export function formatReport(check: string, operations: number, differences: readonly ConformanceDifference[], context: readonly string[]): string {
  if (differences.length === 0) return `${check}: ${operations} operations, all equal to the in-process decisions`;
  const lines = [`${check}: differs from the in-process decisions (${differences.length} difference${differences.length === 1 ? '' : 's'} in ${operations} operations)`];
  for (const d of differences) {
    lines.push(d.step >= 0 ? `  step ${d.step} at +${d.atMs} ms, ${d.operation}:` : `  ${d.operation}:`);
    lines.push(`    expected: ${d.expected}`);
    lines.push(`    got:      ${d.got}`);
  }
  if (context.length > 0) {
    lines.push('  steps before the first difference:');
    for (const line of context) lines.push(`    ${line}`);
  }
  return lines.join('\n');
}
