import type { Decision } from '../core/decision.js';

/** How `limitEvents` checks one event: resolves with the limit's decision. */
export type EventCheck = (event: unknown) => Promise<Decision>;

/** What to do with an event over the limit (see `MessageLimitOptions.onExceed`). */
export type OnExceed = 'drop' | 'latest' | 'complete';

type Step<T> = { kind: 'event'; result: IteratorResult<T> } | { kind: 'timer' } | { kind: 'abort' };

/**
 * Wraps a subscription's event source so each event passes `check` first.
 * Events are passed through untouched (a `tracked()` envelope stays one).
 * The source iterator is closed (its `return()` called) when the wrapper is
 * closed by the consumer, when the subscription is aborted through `signal`,
 * and in `'complete'` mode when an event is over the limit. Errors of the
 * source or of `check` end the subscription with that error.
 */
export async function* limitEvents<T>(
  source: AsyncIterable<T>,
  check: EventCheck,
  onExceed: OnExceed,
  signal: AbortSignal | undefined,
): AsyncGenerator<T, void, unknown> {
  const iterator = source[Symbol.asyncIterator]();
  let pending: { value: T } | undefined;
  let waitMs = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let nextEvent: Promise<Step<T>> | undefined;
  let sourceDone = false;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<Step<T>>((resolve) => {
    if (signal === undefined) return;
    onAbort = () => resolve({ kind: 'abort' });
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    while (true) {
      const racers: Promise<Step<T>>[] = [aborted];
      if (!sourceDone) {
        nextEvent ??= iterator.next().then((result) => ({ kind: 'event', result }));
        racers.push(nextEvent);
      }
      if (pending !== undefined) {
        racers.push(new Promise((resolve) => { timer = setTimeout(() => resolve({ kind: 'timer' }), waitMs); }));
      } else if (sourceDone) {
        return;
      }
      const step = await Promise.race(racers);
      if (timer !== undefined) { clearTimeout(timer); timer = undefined; }
      if (step.kind === 'abort') {
        return;
      }
      if (step.kind === 'timer') {
        const decision = await check(pending!.value);
        if (decision.allowed) {
          const { value } = pending!;
          pending = undefined;
          yield value;
        } else {
          waitMs = retryWait(decision);
        }
        continue;
      }
      nextEvent = undefined;
      if (step.result.done) {
        sourceDone = true;
        continue;
      }
      const event = step.result.value;
      const decision = await check(event);
      if (decision.allowed) {
        pending = undefined;
        yield event;
      } else if (onExceed === 'complete') {
        return;
      } else if (onExceed === 'latest') {
        pending = { value: event };
        waitMs = retryWait(decision);
      }
    }
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
    if (!sourceDone) {
      const closing = Promise.resolve(iterator.return?.());
      // A source busy inside next() closes when that call settles: don't wait for it.
      if (nextEvent !== undefined) void closing.catch(() => undefined);
      else await closing;
    }
  }
}

/** How long a held-back event waits before it is checked again. */
function retryWait(decision: Decision): number {
  return Number.isFinite(decision.retryAfterMs) ? Math.max(1, decision.retryAfterMs) : 2 ** 31 - 1;
}
