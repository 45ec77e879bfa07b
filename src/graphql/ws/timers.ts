/**
 * The timer functions the subscription throttle waits with. Defaults to the
 * global `setTimeout` / `clearTimeout`; tests inject fake ones that advance
 * an injected clock instead of sleeping.
 */
export interface Timers {
  /** Calls `callback` once after `ms` milliseconds; returns a handle for `clearTimeout`. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a pending `setTimeout` by its handle; a no-op for a handle that already fired. */
  clearTimeout(handle: unknown): void;
}

/** The process timers. `unref`'d, so a pending wait never keeps the process alive. */
export const systemTimers: Timers = {
  setTimeout(callback, ms) {
    const handle = setTimeout(callback, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
