/**
 * The trace generator the Redis and Memcached replays share: without
 * `opShare` it makes exactly the traces it made before ops existed (so
 * existing replays keep their seeds' meaning); with it (`generateOpTrace`)
 * traces mix forced charges and refunds, and `replayTraceOnBackend` sends
 * them to a backend as ops: always allowed, and they move later decisions.
 */
import { describe, expect, it } from 'vitest';
import { InMemoryBackend } from '../../src/core/backends/in-memory.js';
import { FixedWindowStrategy } from '../../src/core/strategies/fixed-window.js';
import { TokenBucketStrategy } from '../../src/core/strategies/token-bucket.js';
import { generateOpTrace, generateTrace, manualClock, replayTraceOnBackend } from '../support/traces.js';

/** A 32-bit hash of a trace's JSON. */
function hash(value: unknown): number {
  let h = 0;
  for (const c of JSON.stringify(value)) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
  return h;
}

describe('op traces', () => {
  it('without opShare, a seed gives the same trace as before ops existed', () => {
    const trace = generateTrace({ seed: 42, length: 400, maxCost: 6, maxAdvanceMs: 1500 });
    // Computed with the generator as it was at commit 89acbff.
    expect(hash(trace)).toBe(3777113114);
    expect(trace.slice(0, 2)).toEqual([
      { advanceMs: 34, kind: 'hit', cost: 1, costs: [], key: 'user-1' },
      { advanceMs: 20, kind: 'hit', cost: 3, costs: [], key: 'user-1' },
    ]);
  });

  it('generateOpTrace mixes charges and refunds, and the backend replay allows them all', async () => {
    const trace = generateOpTrace({ seed: 7, length: 600, maxCost: 6, maxAdvanceMs: 1500 });
    const kinds = new Set(trace.map((e) => e.kind));
    expect([...kinds].sort()).toEqual(['batch', 'charge', 'hit', 'peek', 'refund']);
    for (const strategy of [new FixedWindowStrategy(), new TokenBucketStrategy({ burstSize: () => 7 })]) {
      const clock = manualClock(1_700_000_000_000);
      const out = await replayTraceOnBackend(trace, new InMemoryBackend({ clock: clock.now }), strategy, ['5/s', '12/3s'], clock, 'ops-trace');
      expect(out).toHaveLength(trace.length);
      let deniedHits = 0;
      trace.forEach((event, i) => {
        const decisions = out[i]!.flat();
        if (event.kind === 'charge' || event.kind === 'refund') expect(decisions.every((d) => d.allowed && d.retryAfterMs === 0)).toBe(true);
        if (event.kind === 'hit' && decisions.some((d) => !d.allowed)) deniedHits++;
      });
      expect(deniedHits).toBeGreaterThan(30);
    }
  });
});
