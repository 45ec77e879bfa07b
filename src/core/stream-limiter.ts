import type { Decision } from './decision.js';

/**
 * One limiter for streams of events (tRPC subscriptions, graphql-ws
 * subscriptions): each event must pass a rate before it reaches the client.
 */

/**
 * What happens to an event over the rate:
 * - `'drop'`: the event is discarded; later events pass once the rate allows.
 * - `'latest'`: only the newest undelivered event is kept, and it is delivered
 *   as soon as the rate allows (also after the source ended, so the client
 *   always ends up with the final state); the ones it replaced are discarded.
 * - `'complete'`: the stream ends with the integration's rate-limited error
 *   (`limitedError`) and the source is closed.
 */
export type OnExceed = 'drop' | 'latest' | 'complete';

/** The timers the limiter waits with (`'latest'`); tests inject ones driven by a manual clock. */
export interface StreamTimers {
  /** Calls `callback` once after `ms` milliseconds; returns a handle for `clearTimeout`. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a pending `setTimeout` by its handle; a no-op for a handle that already fired. */
  clearTimeout(handle: unknown): void;
}

/** The process timers, `unref`'d so a pending wait never keeps the process alive. */
export const systemStreamTimers: StreamTimers = {
  setTimeout(callback, ms) {
    const handle = setTimeout(callback, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

/** Inputs of `limitStream`. */
export interface StreamLimiterOptions<T> {
  /**
   * Records one event against the rate, called once per delivery attempt of
   * `event` (again for a held-back event under `'latest'`). What it throws
   * ends the stream with that error and closes the source.
   */
  admit: (event: T) => Promise<Decision>;
  /** What to do with an event over the rate. */
  onExceed: OnExceed;
  /** The error that ends the stream under `'complete'`. */
  limitedError: (decision: Decision) => Error;
  /** Used to wait for `retryAfterMs` under `'latest'`. Default: `systemStreamTimers`. */
  timers?: StreamTimers;
  /** Closing it closes the stream, as `return()` does. */
  signal?: AbortSignal;
  /** Called exactly once when the stream ends, however it ends (source done, error, limit, abort or `return()`). */
  onEnd?: () => void;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/** After this many events in a row pulled without a delivery, the wrapper lets the event loop run once. */
const PULLS_BETWEEN_YIELDS = 128;

/**
 * Lets pending I/O run: a source that always has an event ready would
 * otherwise keep the wrapper dropping (or replacing) events in microtasks and
 * starve the socket. A yield, not a wait, so it uses the real event loop.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof setImmediate === 'function') setImmediate(resolve);
    else setTimeout(resolve, 0);
  });
}

/**
 * Wraps an event stream so that only events `admit` allows reach the
 * consumer. Events pass through untouched (a tRPC `tracked()` envelope stays
 * one). Returns an async generator whose `return()` (what graphql-ws and tRPC
 * call when the client leaves) ends any pending `next()` at once and closes
 * the source (`source.return()`), also while the source waits for its next
 * event. `'drop'` and `'complete'` pull the source only when the consumer
 * asks for an event; `'latest'` checks every event as it arrives, keeps one
 * admitted event waiting for the consumer (pausing the source meanwhile)
 * and one held-back event (the newest denied). A source that always has an event ready cannot
 * starve the event loop: the limiter yields to it every 128 pulls without a
 * delivery.
 */
export function limitStream<T>(source: AsyncIterable<T>, options: StreamLimiterOptions<T>): AsyncGenerator<T, undefined, unknown> {
  return new LimitedStream(source[Symbol.asyncIterator](), options);
}

class LimitedStream<T> implements AsyncGenerator<T, undefined, unknown> {
  private finished = false;
  private ended = false;
  /** Ends the pending pull of the source (if any) with `done`, when the stream is closed meanwhile. */
  private cancelPull: (() => void) | undefined;
  /** A `next()` is running; later calls wait their turn in `waiting` (graphql-ws never overlaps them). */
  private running = false;
  private readonly waiting: (() => void)[] = [];
  // 'latest' only: the pump's state.
  private pumping = false;
  private held: { value: T } | undefined;
  private heldWaitMs = 1;
  private ready: { value: T } | undefined;
  private resumePump: (() => void) | undefined;
  private admitting: Promise<unknown> = Promise.resolve();
  private sourceDone = false;
  private sourceError: { error: unknown } | undefined;
  private wake: (() => void) | undefined;
  private cancelSleep: (() => void) | undefined;

  private readonly timers: StreamTimers;
  private readonly onAbort: (() => void) | undefined;

  constructor(
    private readonly iterator: AsyncIterator<T>,
    private readonly options: StreamLimiterOptions<T>,
  ) {
    this.timers = options.timers ?? systemStreamTimers;
    const { signal } = options;
    if (signal !== undefined) {
      this.onAbort = () => void this.return();
      if (signal.aborted) this.onAbort();
      else signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<T, undefined>> {
    if (this.running) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running = true;
    try {
      return await (this.options.onExceed === 'latest' ? this.nextLatest() : this.nextPulled());
    } finally {
      const following = this.waiting.shift();
      if (following === undefined) this.running = false;
      else following();
    }
  }

  async return(): Promise<IteratorResult<T, undefined>> {
    if (!this.finished) {
      this.finish();
      await this.closeSource();
    }
    return DONE;
  }

  async throw(error: unknown): Promise<IteratorResult<T, undefined>> {
    await this.return();
    throw error;
  }

  /** 'drop' and 'complete': pull one event at a time, admit or handle the excess. */
  private async nextPulled(): Promise<IteratorResult<T, undefined>> {
    for (let pulls = 1; ; pulls++) {
      if (pulls % PULLS_BETWEEN_YIELDS === 0) await yieldToEventLoop();
      if (this.finished) return DONE;
      let result: IteratorResult<T>;
      try {
        result = await this.pull();
      } catch (error) {
        this.finish();
        throw error;
      }
      this.cancelPull = undefined;
      if (this.finished) return DONE;
      if (result.done) {
        this.finish();
        return DONE;
      }
      const decision = await this.admitOrEnd(result.value);
      if (this.finished) return DONE;
      if (decision.allowed) return { done: false, value: result.value };
      if (this.options.onExceed === 'complete') {
        this.finish();
        await this.closeSource();
        throw this.options.limitedError(decision);
      }
      // 'drop': discard this event and pull the next one.
    }
  }

  /**
   * 'latest': deliver what the pump admitted, else retry the held-back event
   * once its wait is over. Every event is checked when it arrives, so events
   * within the rate all reach the consumer; only the excess is coalesced.
   */
  private async nextLatest(): Promise<IteratorResult<T, undefined>> {
    this.startPump();
    for (;;) {
      if (this.finished) return DONE;
      const ready = this.ready;
      if (ready !== undefined) {
        this.ready = undefined;
        this.resumePump?.();
        return { done: false, value: ready.value };
      }
      if (this.sourceError !== undefined) {
        this.finish();
        await this.closeSource();
        throw this.sourceError.error;
      }
      const held = this.held;
      if (held === undefined && this.sourceDone) {
        this.finish();
        return DONE;
      }
      const timedOut = await this.sleepOrWake(held === undefined ? undefined : this.heldWaitMs);
      if (!timedOut || this.finished || this.held !== held || held === undefined) continue;
      const decision = await this.admitInTurn(held.value).catch((error: unknown) => {
        this.sourceError ??= { error };
        return undefined;
      });
      if (decision === undefined || this.finished || this.held !== held) continue;
      if (decision.allowed) {
        this.held = undefined;
        return { done: false, value: held.value };
      }
      if (Number.isFinite(decision.retryAfterMs)) this.heldWaitMs = Math.max(1, decision.retryAfterMs);
      else this.held = undefined;
    }
  }

  /**
   * Pulls the source and checks each event as it arrives: an allowed one
   * waits for the consumer (the pump pauses meanwhile), a denied one becomes
   * the held-back event, replacing an older one.
   */
  private startPump(): void {
    if (this.pumping) return;
    this.pumping = true;
    void (async () => {
      try {
        for (let pulls = 1; !this.finished; pulls++) {
          if (pulls % PULLS_BETWEEN_YIELDS === 0) await yieldToEventLoop();
          if (this.finished) return;
          const result = await this.iterator.next();
          if (this.finished) return;
          if (result.done) break;
          const decision = await this.admitInTurn(result.value);
          if (this.finished) return;
          if (decision.allowed) {
            this.held = undefined;
            this.ready = { value: result.value };
            this.notify();
            await new Promise<void>((resolve) => { this.resumePump = resolve; });
            this.resumePump = undefined;
          } else if (Number.isFinite(decision.retryAfterMs)) {
            this.held = { value: result.value };
            this.heldWaitMs = Math.max(1, decision.retryAfterMs);
            this.notify();
          }
        }
      } catch (error) {
        if (this.finished) return;
        this.sourceError = { error };
      }
      this.sourceDone = true;
      this.notify();
    })();
  }

  /** `admit`, one at a time (the pump and a held-back retry never overlap). */
  private admitInTurn(event: T): Promise<Decision> {
    const run = this.admitting.then(() => this.options.admit(event));
    this.admitting = run.catch(() => undefined);
    return run;
  }

  /** Waits for `notify()` or, with `ms`, that long; resolves true when the time ran out. */
  private sleepOrWake(ms: number | undefined): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      if (ms === undefined) {
        this.wake = () => resolve(false);
        return;
      }
      const handle = this.timers.setTimeout(() => {
        this.wake = undefined;
        this.cancelSleep = undefined;
        resolve(true);
      }, ms);
      this.cancelSleep = () => {
        this.timers.clearTimeout(handle);
        resolve(false);
      };
      this.wake = () => {
        this.cancelSleep = undefined;
        this.timers.clearTimeout(handle);
        resolve(false);
      };
    });
  }

  /**
   * The source's next event, or `done` as soon as the stream is closed while
   * waiting for it (one promise per pull: nothing accumulates on a long stream).
   */
  private pull(): Promise<IteratorResult<T>> {
    return new Promise<IteratorResult<T>>((resolve, reject) => {
      this.cancelPull = () => resolve(DONE);
      this.iterator.next().then(resolve, reject);
    });
  }

  /** Runs `admit`; a failure (an `onError: 'raise'` policy) ends the stream and closes the source. */
  private async admitOrEnd(event: T): Promise<Decision> {
    try {
      return await this.options.admit(event);
    } catch (error) {
      if (!this.finished) {
        this.finish();
        await this.closeSource();
      }
      throw error;
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Marks the stream finished, wakes every wait, and reports the end once. */
  private finish(): void {
    this.finished = true;
    this.held = undefined;
    this.ready = undefined;
    const resumePump = this.resumePump;
    this.resumePump = undefined;
    resumePump?.();
    const cancelPull = this.cancelPull;
    this.cancelPull = undefined;
    cancelPull?.();
    this.notify();
    const cancel = this.cancelSleep;
    this.cancelSleep = undefined;
    cancel?.();
    if (!this.ended) {
      this.ended = true;
      if (this.onAbort !== undefined) this.options.signal?.removeEventListener('abort', this.onAbort);
      this.options.onEnd?.();
    }
  }

  /** Closes the source; a source whose `return()` fails is already done, so the failure is ignored. */
  private async closeSource(): Promise<void> {
    try {
      await this.iterator.return?.();
    } catch {
      // The source is finished either way.
    }
  }
}
