import type { Decision } from '../core/decision.js';
import type { Rate } from '../core/rate.js';
import { RateLimitHeaderState } from './headers.js';

/**
 * Where the middleware writes response headers: a node-http `ServerResponse`
 * (what the standalone, node-http and Express adapters give as `res`), or the
 * `resHeaders` a fetch adapter gives.
 */
export type HeaderTarget = NodeResponseLike | HeadersLike;

/** The part of a node `ServerResponse` the middleware uses. */
export interface NodeResponseLike {
  setHeader(name: string, value: string): unknown;
  readonly headersSent?: boolean;
}

/** The part of a fetch `Headers` the middleware uses. */
export interface HeadersLike {
  set(name: string, value: string): void;
}

function isNodeResponse(value: unknown): value is NodeResponseLike {
  return typeof value === 'object' && value !== null && typeof (value as NodeResponseLike).setHeader === 'function';
}

function isHeaders(value: unknown): value is HeadersLike {
  return typeof value === 'object' && value !== null && typeof (value as HeadersLike).set === 'function'
    && typeof (value as { get?: unknown }).get === 'function';
}

/**
 * The default place for headers: `ctx.res` when it is a node `ServerResponse`,
 * else `ctx.resHeaders` when it is a `Headers`. A WebSocket context (whose
 * `res` is the socket) has none.
 */
export function defaultHeaderTarget(ctx: unknown): HeaderTarget | undefined {
  if (typeof ctx !== 'object' || ctx === null) return undefined;
  const { res, resHeaders } = ctx as { res?: unknown; resHeaders?: unknown };
  if (isNodeResponse(res)) return res;
  if (isHeaders(resHeaders)) return resHeaders;
  return undefined;
}

/** Where a response's folded header state lives: a symbol property on the target (cheaper than a WeakMap). */
const STATE = Symbol('traffik.rateLimitHeaders');
type WithState = { [STATE]?: RateLimitHeaderState };

/**
 * Folds `decision` (of a throttle whose single rate is `rate`, when known) into the headers already written to `target` for this
 * response (calls of one batch share it) and writes the result. Does nothing
 * once a node response has sent its headers.
 */
export function writeRateLimitHeaders(target: HeaderTarget, decision: Decision, rate?: Rate): void {
  if (isNodeResponse(target) && target.headersSent === true) return;
  let state = (target as WithState)[STATE];
  if (state === undefined) {
    state = new RateLimitHeaderState();
    (target as WithState)[STATE] = state;
  }
  state.add(decision, rate);
  const fields = state.fields();
  for (const name in fields) {
    const value = fields[name]!;
    if (isNodeResponse(target)) target.setHeader(name, value);
    else target.set(name, value);
  }
}
