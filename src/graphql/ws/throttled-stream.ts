import type { Decision } from '../../core/index.js';
import type { Timers } from './timers.js';

/**
 * What happens to a subscription's events over their rate:
 * - `'drop'`: the event is discarded; later events pass once the rate allows.
 * - `'latest'`: only the newest undelivered event is kept, and it is delivered
 *   as soon as the rate allows (so the client always ends up with the final
 *   state); the ones it replaced are discarded.
 * - `'complete'`: the subscription ends with a `RATE_LIMITED` error.
 */
export type OnExceed = 'drop' | 'latest' | 'complete';

/** Inputs of `throttleStream`. */
export interface ThrottledStreamOptions {
  /** Records one event against the rate; called once per event about to be delivered. */
  admit: () => Promise<Decision>;
  /** What to do with an event over the rate. */
  onExceed: OnExceed;
  /** The error that ends the stream under `'complete'`. */
  limitedError: (decision: Decision) => Error;
  /** Used to wait for `retryAfterMs` under `'latest'`. */
  timers: Timers;
  /** Called exactly once when the stream ends, however it ends (source done, error, limit, or `return()`). */
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
 * Wraps a subscription's event stream so that at most `rate` events reach the
 * client. Returns an async generator (graphql-ws calls its `return()` when the
 * client completes or disconnects); its `return()` ends any pending `next()`
 * at once and closes the source (`source.return()`), also when the source is
 * waiting for its next event. The wrapper holds at most one event: `'drop'`
 * and `'complete'` pull the source only when the consumer asks for an event;
 * `'latest'` keeps pulling and keeps only the newest.
 */
export function throttleStream<T>(source: AsyncIterable<T>, options: ThrottledStreamOptions): AsyncGenerator<T, undefined, unknown> {
  return new ThrottledStream(source[Symbol.asyncIterator](), options);
}

class ThrottledStream<T> implements AsyncGenerator<T, undefined, unknown> {
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
  private sourceDone = false;
  private sourceError: { error: unknown } | undefined;
  private wake: (() => void) | undefined;
  private cancelSleep: (() => void) | undefined;

  constructor(
    private readonly iterator: AsyncIterator<T>,
    private readonly options: ThrottledStreamOptions,
  ) {}

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
      const decision = await this.admitOrEnd();
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

  /** 'latest': deliver the newest event the pump holds, once the rate allows. */
  private async nextLatest(): Promise<IteratorResult<T, undefined>> {
    this.startPump();
    for (;;) {
      if (this.finished) return DONE;
      if (this.held !== undefined) {
        const decision = await this.admitOrEnd();
        if (this.finished) return DONE;
        if (decision.allowed) {
          const { value } = this.held;
          this.held = undefined;
          return { done: false, value };
        }
        if (!Number.isFinite(decision.retryAfterMs)) this.held = undefined;
        else await this.sleep(Math.max(1, decision.retryAfterMs));
        continue;
      }
      if (this.sourceError !== undefined) {
        this.finish();
        throw this.sourceError.error;
      }
      if (this.sourceDone) {
        this.finish();
        return DONE;
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  /** Pulls the source as fast as it yields, keeping only the newest event. */
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
          this.held = { value: result.value };
          this.notify();
        }
      } catch (error) {
        if (this.finished) return;
        this.sourceError = { error };
      }
      this.sourceDone = true;
      this.notify();
    })();
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
  private async admitOrEnd(): Promise<Decision> {
    try {
      return await this.options.admit();
    } catch (error) {
      if (!this.finished) {
        this.finish();
        await this.closeSource();
      }
      throw error;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const { timers } = this.options;
      const handle = timers.setTimeout(() => {
        this.cancelSleep = undefined;
        resolve();
      }, ms);
      this.cancelSleep = () => {
        timers.clearTimeout(handle);
        resolve();
      };
    });
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
    const cancelPull = this.cancelPull;
    this.cancelPull = undefined;
    cancelPull?.();
    this.notify();
    const cancel = this.cancelSleep;
    this.cancelSleep = undefined;
    cancel?.();
    if (!this.ended) {
      this.ended = true;
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
