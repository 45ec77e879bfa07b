import type { Decision } from '../decision.js';
import { WaitTimeoutError } from '../errors.js';

/** One caller of `Throttle.wait`, queued on its key. */
interface Waiter {
  /** Makes one hit for this waiter. */
  readonly attempt: () => Promise<Decision>;
  /** `Date.now()` past which the waiter gives up. */
  readonly deadline: number;
  readonly maxWaitMs: number;
  readonly resolve: (decision: Decision) => void;
  readonly reject: (error: unknown) => void;
  settled: boolean;
  /** While queued behind others: rejects the waiter at its deadline. */
  deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  /** While the head sleeps until its retry time: the timer, and what wakes the line early. */
  retryTimer: ReturnType<typeof setTimeout> | undefined;
  wake: (() => void) | undefined;
  cleanup: (() => void) | undefined;
}

/**
 * The waiters of one throttle, one line per identity key, each served in
 * call order (FIFO): only the head of a line hits the backend; it retries
 * at its `retryAfterMs` (one timer, no polling), and the next waiter starts
 * as soon as the head is admitted or leaves. A waiter leaves at once on
 * abort, at its deadline while queued, and as soon as a denial says the
 * head cannot be admitted before its deadline.
 */
export class WaitLines {
  private readonly lines = new Map<string, Waiter[]>();

  /** Queues a waiter on `key`; resolves with the admitting decision. */
  enqueue(key: string, attempt: () => Promise<Decision>, maxWaitMs: number, signal: AbortSignal | undefined): Promise<Decision> {
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    return new Promise<Decision>((resolve, reject) => {
      const waiter: Waiter = {
        attempt, deadline: Date.now() + maxWaitMs, maxWaitMs, resolve, reject, settled: false,
        deadlineTimer: undefined, retryTimer: undefined, wake: undefined, cleanup: undefined,
      };
      if (signal !== undefined) {
        const onAbort = (): void => this.leave(waiter, signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        waiter.cleanup = () => signal.removeEventListener('abort', onAbort);
      }
      let line = this.lines.get(key);
      if (line === undefined) {
        line = [];
        this.lines.set(key, line);
      }
      line.push(waiter);
      if (line.length === 1) {
        void this.serve(key, line);
      } else if (Number.isFinite(maxWaitMs)) {
        waiter.deadlineTimer = setTimeout(() => this.leave(waiter, new WaitTimeoutError(`Throttle.wait: not admitted within ${maxWaitMs} ms (still queued behind earlier waiters on this key)`)), maxWaitMs);
      }
    });
  }

  /** Settles `waiter` with an error (abort, deadline); wakes its line if it was sleeping as the head. */
  private leave(waiter: Waiter, error: unknown): void {
    if (waiter.settled) return;
    this.settle(waiter);
    waiter.reject(error);
    waiter.wake?.();
  }

  private settle(waiter: Waiter): void {
    waiter.settled = true;
    clearTimeout(waiter.deadlineTimer);
    clearTimeout(waiter.retryTimer);
    waiter.cleanup?.();
  }

  /** Serves `line` head by head until it is empty. Never rejects. */
  private async serve(key: string, line: Waiter[]): Promise<void> {
    while (line.length > 0) {
      const head = line[0]!;
      clearTimeout(head.deadlineTimer);
      while (!head.settled) await this.try(head);
      line.shift();
    }
    this.lines.delete(key);
  }

  /** One attempt of the head: admitted, given up, or asleep until its retry time. */
  private async try(head: Waiter): Promise<void> {
    let decision: Decision;
    try {
      decision = await head.attempt();
    } catch (error) {
      if (!head.settled) {
        this.settle(head);
        head.reject(error);
      }
      return;
    }
    if (head.settled) return; // Aborted while the hit was in flight.
    if (decision.allowed) {
      this.settle(head);
      head.resolve(decision);
      return;
    }
    const left = head.deadline - Date.now();
    if (decision.retryAfterMs > left) {
      this.settle(head);
      const why = decision.retryAfterMs === Infinity ? 'can never be admitted (its cost exceeds the capacity)' : `would be admitted in ${decision.retryAfterMs} ms, past maxWaitMs (${head.maxWaitMs} ms)`;
      head.reject(new WaitTimeoutError(`Throttle "${decision.uid}": wait for "${decision.key}": the hit ${why}`, decision));
      return;
    }
    await new Promise<void>((wake) => {
      head.wake = wake;
      head.retryTimer = setTimeout(wake, Math.max(decision.retryAfterMs, 1));
    });
    head.wake = undefined;
  }
}
