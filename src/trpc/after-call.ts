import { TRPCError } from '@trpc/server';
import { boundUserFunction } from '../core/time-bounds.js';
import type { CallOutcome } from './options.js';
import type { AnyInfo, Plan } from './plans.js';

/** What the procedure did, as the middleware saw it. */
export interface Ran {
  ok: boolean;
  data?: unknown;
  error?: TRPCError;
}

/**
 * Applies `refundOn` and `settle` once the procedure has run: gives the
 * call's units back, or charges / refunds the difference between its real
 * cost (`settle`) and the `cost` taken before it. One backend step at most,
 * awaited, so the caller's next call sees it. A refund or charge the store
 * cannot take is dropped (the throttle's `onError` has seen the failure); a
 * `refundOn` or `settle` that throws, returns a wrong cost or never settles
 * (`timeoutMs`) fails the call: it is a bug in the app.
 */
export async function afterCall(plan: Plan, key: string, info: AnyInfo, cost: number, ran: Ran, timeoutMs: number): Promise<void> {
  const { refundOn, settle, throttle } = plan;
  const outcome: CallOutcome = { ...info, ...ran, cost };
  let delta = 0;
  if (settle !== undefined) delta = checkSettled(await boundUserFunction('rateLimit: settle', settle(outcome), timeoutMs)) - cost;
  if (refundOn !== undefined) {
    const refund = refundOn === 'error' ? !ran.ok
      : refundOn === 'success' ? ran.ok
        : await boundUserFunction('rateLimit: refundOn', refundOn(outcome), timeoutMs);
    if (refund === true) delta = -cost;
  }
  if (delta === 0) return;
  try {
    if (delta > 0) await throttle.charge(key, delta, { context: info });
    else await throttle.refund(key, -delta, { context: info });
  } catch {
    // The store failed: the call's answer stands, and onError has seen the failure.
  }
}

function checkSettled(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: `rateLimit: settle must return a whole number >= 0, got ${String(value)}` });
  }
  return value;
}
