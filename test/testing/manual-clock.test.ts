/** ManualClock: moves only when told, usable directly as a backend's clock. */
import { describe, expect, it } from 'vitest';
import { InMemoryBackend, Throttle } from '../../src/index.js';
import { MANUAL_CLOCK_START_MS, ManualClock } from '../../src/testing/index.js';

describe('ManualClock', () => {
  it('starts where told (or at a fixed default), and moves only by advance and set', () => {
    const clock = new ManualClock(1000);
    expect(clock()).toBe(1000);
    expect(clock.now()).toBe(1000);
    expect(clock.advance(250)()).toBe(1250);
    const { now } = clock;
    expect(now()).toBe(1250);
    expect(clock.set(500).now()).toBe(500);
    expect(new ManualClock()()).toBe(MANUAL_CLOCK_START_MS);
  });

  it('refuses a negative or non-finite step with a RangeError', () => {
    const clock = new ManualClock();
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
    expect(() => clock.set(Infinity)).toThrow(RangeError);
    expect(() => new ManualClock(Number.NaN)).toThrow(RangeError);
  });

  it('drives a throttle: a window refills exactly when the clock says so', async () => {
    const clock = new ManualClock(60_000);
    const throttle = new Throttle({ uid: 'clock', rate: '2/minute', backend: new InMemoryBackend({ clock }) });
    await throttle.hit('k');
    await throttle.hit('k');
    const denied = await throttle.hit('k');
    expect(denied.allowed).toBe(false);
    expect(denied.retryAfterMs).toBe(60_000);
    clock.advance(59_999);
    expect((await throttle.hit('k')).allowed).toBe(false);
    clock.advance(1);
    expect((await throttle.hit('k')).allowed).toBe(true);
  });
});
