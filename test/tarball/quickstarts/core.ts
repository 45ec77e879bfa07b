/**
 * README "Quick start", run as written (core.snippet.ts is that snippet),
 * then driven to the limit: a token bucket of 150 at 100/minute admits the
 * snippet's hit and 149 more (plus a token per 600 ms the script has
 * run), then denies with a wait of at most one token's refill (600 ms).
 */
import { d, throttle } from './core.snippet.js';
import { report } from './driver.js';

let allowedAfter = 0;
let denied: typeof d | undefined;
for (let i = 0; i < 150 && denied === undefined; i++) {
  const decision = await throttle.hit('user:42', { cost: 1 });
  if (decision.allowed) allowedAfter++;
  else denied = decision;
}
report({
  runMs: performance.now(),   // since the process started: longer than the bucket has had to refill
  first: { allowed: d.allowed, limit: d.limit, remaining: d.remaining },
  allowedAfter,
  denied: denied === undefined ? null : { allowed: denied.allowed, retryAfterMs: denied.retryAfterMs, remaining: denied.remaining },
});
