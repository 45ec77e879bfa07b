/**
 * DeadlineQueue (the single hits' shared timeout): a call that has not
 * settled fails at its own deadline, never before it; a settled call never
 * fails; calls started after the queue emptied still get their full time.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineQueue, type Expirable } from '../../src/core/deadline-queue.js';

function call(queue: DeadlineQueue): Expirable & { expiredAt: number | undefined; startedAt: number; settle(): void } {
  const c = {
    deadline: queue.deadlineFromNow(),
    startedAt: performance.now(),
    settled: false,
    expiredAt: undefined as number | undefined,
    expire() {
      c.settled = true;
      c.expiredAt = performance.now();
    },
    settle() {
      c.settled = true;
      queue.settle();
    },
  };
  queue.add(c);
  return c;
}

// The queue's clock (performance.now) and timer (setTimeout) both faked: time moves only when a test moves it.
const sleep = (ms: number) => vi.advanceTimersByTime(ms);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('DeadlineQueue', () => {
  it('expires unsettled calls at their own deadlines, in order, and never a settled one', () => {
    const queue = new DeadlineQueue(60);
    const first = call(queue);
    sleep(20);
    const second = call(queue);
    const third = call(queue);
    second.settle();
    sleep(20);
    first.settle();
    sleep(80);
    expect(first.expiredAt).toBeUndefined();
    expect(second.expiredAt).toBeUndefined();
    expect(third.expiredAt).toBeDefined();
    // Not before its own deadline, although the timer was armed for the first call's.
    expect(third.expiredAt! - third.startedAt).toBe(60);
  });

  it('gives a call started after every earlier one settled its full time', () => {
    const queue = new DeadlineQueue(50);
    call(queue).settle();
    sleep(30);
    const late = call(queue);
    sleep(100);
    expect(late.expiredAt).toBeDefined();
    expect(late.expiredAt! - late.startedAt).toBe(50);
  });
});
