/** Runs `flush` once every promise continuation queued so far has run. */
export type FlushScheduler = (flush: () => void) => void;

/**
 * The scheduler that gathers the work of one tick: a microtask that queues a
 * `process.nextTick`. Node runs a tick queued from a microtask only once the
 * microtask queue is empty, so the flush waits for every promise chain
 * already under way (however many `await`s deep) but for no I/O and no
 * timer. Outside Node: `setTimeout(0)`.
 */
export const afterPendingMicrotasks: FlushScheduler =
  typeof process === 'object' && typeof process.nextTick === 'function'
    ? (flush) => queueMicrotask(() => process.nextTick(flush))
    : (flush) => void setTimeout(flush, 0);
