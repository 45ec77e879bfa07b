/** A clock that moves only when a test moves it. */

/**
 * A clock a test moves by hand, usable wherever a `Clock` is asked for:
 * call it (`clock()`), or pass it or its `now` (`{ clock }`, `{ clock: clock.now }`).
 * Time never moves by itself; `advance` and `set` refuse a non-finite value
 * (and `advance` a negative one) with a `RangeError`.
 */
export interface ManualClock {
  /** The current time in ms. */
  (): number;
  /** The current time in ms (a bound function: `clock.now` may be passed alone). */
  readonly now: () => number;
  /** Moves the time `ms` (>= 0) forward; returns the clock. */
  advance(ms: number): ManualClock;
  /** Sets the time to `ms` (any finite value, earlier ones too: for clock-step tests); returns the clock. */
  set(ms: number): ManualClock;
}

/** Where a `ManualClock` starts by default: 2023-11-14T22:13:20Z, a fixed, ordinary time. */
export const MANUAL_CLOCK_START_MS = 1_700_000_000_000;

/** `new ManualClock(startMs?)` makes a clock at `startMs` (default `MANUAL_CLOCK_START_MS`). */
export interface ManualClockConstructor {
  new (startMs?: number): ManualClock;
}

function makeManualClock(startMs: number = MANUAL_CLOCK_START_MS): ManualClock {
  if (!Number.isFinite(startMs)) throw new RangeError(`ManualClock: start must be a finite number of ms, got ${String(startMs)}`);
  let time = startMs;
  const now = (): number => time;
  const clock = Object.assign(() => time, {
    now,
    advance(ms: number): ManualClock {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`ManualClock.advance: ms must be a finite number >= 0, got ${String(ms)}`);
      time += ms;
      return clock;
    },
    set(ms: number): ManualClock {
      if (!Number.isFinite(ms)) throw new RangeError(`ManualClock.set: ms must be a finite number, got ${String(ms)}`);
      time = ms;
      return clock;
    },
  });
  return clock;
}

/**
 * A clock moved by hand: `const clock = new ManualClock(); backend({ clock });
 * clock.advance(1000)`. The instance is a function returning the time.
 */
// A constructor whose instances are callable: `new` on a function that returns an object yields that object.
export const ManualClock: ManualClockConstructor = function ManualClock(startMs?: number) {
  return makeManualClock(startMs);
} as unknown as ManualClockConstructor;
