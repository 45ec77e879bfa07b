/**
 * Shared timeouts (one timer for many calls): the Redis backend's single
 * hits and the throttle's bound on any backend (backend-call.ts).
 */

/** A call that must settle before its deadline. */
export interface Expirable {
  /** `performance.now()` value after which the call fails. */
  readonly deadline: number;
  /** True once the call has settled (then it is never expired). */
  readonly settled: boolean;
  /** Fails the call for taking too long. Called at most once, only while unsettled. */
  expire(): void;
}

/** Above this many passed entries the queue's array is compacted. */
const COMPACT_AFTER = 1024;

/**
 * Timeouts for calls that all get the same time limit: their deadlines come
 * in the order the calls start, so one timer serves all of them (armed for
 * the oldest unsettled call) instead of a `setTimeout` and a `clearTimeout`
 * per call. A call is expired once the timer finds its deadline passed, as a
 * timer of its own would. The timer is unref'd: a pending call keeps the
 * process alive through its connection, not through this queue.
 */
export class DeadlineQueue {
  private items: Expirable[] = [];
  private head = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** @param timeoutMs the time limit every call of this queue gets, ms */
  constructor(readonly timeoutMs: number) {}

  /** The deadline of a call starting now. */
  deadlineFromNow(): number {
    return performance.now() + this.timeoutMs;
  }

  /** Watches `call` (started last, so its deadline is the latest). */
  add(call: Expirable): void {
    this.items.push(call);
    if (this.timer === undefined) this.arm(this.timeoutMs);
  }

  /** Forgets settled calls at the front; call after a call settles. */
  settle(): void {
    const items = this.items;
    while (this.head < items.length && items[this.head]!.settled) this.head++;
    this.compact();
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => this.fire(), ms);
    this.timer.unref?.();
  }

  private fire(): void {
    this.timer = undefined;
    const now = performance.now();
    const items = this.items;
    while (this.head < items.length) {
      const call = items[this.head]!;
      if (!call.settled) {
        if (call.deadline > now) break;
        call.expire();
      }
      this.head++;
    }
    this.compact();
    if (this.head < this.items.length) this.arm(Math.max(1, Math.ceil(this.items[this.head]!.deadline - now)));
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > COMPACT_AFTER && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
