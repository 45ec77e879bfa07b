/**
 * The timer functions the subscription throttle waits with: the core stream
 * limiter's (`setTimeout` / `clearTimeout`, `unref`'d so a pending wait
 * never keeps the process alive). Tests inject fake ones that advance an
 * injected clock instead of sleeping.
 */
import { systemStreamTimers, type StreamTimers } from '../../core/stream-limiter.js';

/** Calls a callback once after some milliseconds, and cancels such a call (see `StreamTimers`). */
export type Timers = StreamTimers;

/** The process timers. `unref`'d, so a pending wait never keeps the process alive. */
export const systemTimers: Timers = systemStreamTimers;
