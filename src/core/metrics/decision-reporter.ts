import type { Decision } from '../decision.js';
import { EXEMPTED } from '../exempted.js';
import { outcomeOf, type DecisionEvent, type DecisionListener } from './decision-event.js';

/**
 * Feeds a throttle's `onDecision` listener: one reused event object per
 * throttle (no allocation per hit), timing on 1 hit in `sampleEvery`. A
 * listener that throws never fails the hit: the first throw becomes a
 * process warning, later ones are dropped.
 */
export class DecisionReporter {
  private readonly event: { -readonly [K in keyof DecisionEvent]: DecisionEvent[K] };
  private untimed = 0;
  private warned = false;

  constructor(
    private readonly uid: string,
    private readonly listener: DecisionListener,
    private readonly sampleEvery: number,
  ) {
    this.event = { uid, key: '', outcome: 'allowed', decision: undefined, error: undefined, durationMs: undefined };
  }

  /** `performance.now()` on 1 hit in `sampleEvery`, else -1 (not timed). */
  start(): number {
    if (++this.untimed < this.sampleEvery) return -1;
    this.untimed = 0;
    return performance.now();
  }

  /** Reports a decided hit; `started` is what `start()` returned. */
  report(decision: Decision, started: number): void {
    const event = this.event;
    event.key = decision.key;
    event.outcome = outcomeOf(decision);
    event.decision = decision;
    event.error = decision.error;
    event.durationMs = started < 0 ? undefined : performance.now() - started;
    this.notify(event);
  }

  /** Reports a hit that rejected (outcome `error`, no decision). */
  reportRejection(key: unknown, error: unknown, started: number): void {
    const name = typeof key === 'string' ? key : key === EXEMPTED ? 'EXEMPTED' : String(key);
    this.notify({ uid: this.uid, key: name, outcome: 'error', decision: undefined, error, durationMs: started < 0 ? undefined : performance.now() - started });
  }

  private notify(event: DecisionEvent): void {
    try {
      this.listener(event);
    } catch (error) {
      if (!this.warned) {
        this.warned = true;
        process.emitWarning(`Throttle "${this.uid}": onDecision threw (${(error as Error)?.message ?? String(error)}); later throws are dropped silently`);
      }
    }
  }
}
