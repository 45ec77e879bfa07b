import { systemClock, type Clock } from '../clock.js';
import type { StepDecision } from '../decision.js';
import { BackendConnectionError, BackendError } from '../errors.js';
import type { OnError } from '../on-error.js';
import { checkOptionNames, checkWholeNumber } from '../options.js';
import type { Rate } from '../rate.js';
import type { AnyStrategy, StepArgs } from '../strategies/strategy.js';
import { runSteps } from './run-steps.js';
import type { ApplyRequest, Backend, BatchRequest, ReadRequest, ReadResult } from './backend.js';
import { ConfigurationError, describeValue } from '../errors.js';

/** Options of `InMemoryBackend`. */
export interface InMemoryBackendOptions {
  /** Key prefix; two namespaces never share state. Default `"traffik"`. */
  namespace?: string;
  /** Time source in ms (floored). Default `Date.now`. Inject one in tests. */
  clock?: Clock;
  /**
   * Most keys held at once (default 1,000,000). When full, expired keys go
   * first, then the least recently used.
   */
  maxKeys?: number;
  /** Error policy for throttles that set none (see `OnError`). */
  onError?: OnError;
}

interface Entry {
  state: unknown;
  /** Clock time (ms) at which the state is equivalent to a fresh key. */
  expiresAt: number;
  /** Used since the eviction cursor last passed it (second-chance recency). */
  used: boolean;
}

const NO_ARGS: StepArgs = [];

/**
 * The in-process backend (the default): state in a `Map` in this process.
 * Each hit's steps run synchronously, so they are atomic. Expired state is
 * dropped when read or when room is needed (no timer per key, and none at
 * all: `close()` has nothing holding the process open). Memory is bounded by
 * `maxKeys`: when full, expired keys go first, then the least recently used
 * (approximated with second chance: a key used since the eviction cursor
 * last passed it is kept once more). Not shared between processes: use Redis
 * or Memcached for that.
 */
export class InMemoryBackend implements Backend {
  readonly namespace: string;
  readonly onError: OnError | undefined;
  /** The most keys this backend holds at once. */
  readonly maxKeys: number;
  private readonly clock: Clock;
  private readonly entries = new Map<string, Entry>();
  private closed = false;
  private insertsSinceSweep = 0;
  private lastSweepAt = -Infinity;
  /** The eviction cursor: walks the Map in insertion order, oldest first. */
  private cursor: IterableIterator<[string, Entry]> | undefined;

  constructor(options: InMemoryBackendOptions = {}) {
    checkOptionNames('InMemoryBackend', options, ['namespace', 'clock', 'maxKeys', 'onError']);
    const { namespace = 'traffik', clock = systemClock, maxKeys = 1_000_000 } = options;
    if (typeof namespace !== 'string' || namespace === '') {
      throw new ConfigurationError(`InMemoryBackend: namespace must be a non-empty string, got ${describeValue(namespace)}`);
    }
    if (typeof clock !== 'function') {
      throw new ConfigurationError(`InMemoryBackend: clock must be a function returning ms, got ${describeValue(clock)}`);
    }
    this.namespace = namespace;
    this.clock = clock;
    this.maxKeys = checkWholeNumber('InMemoryBackend', 'maxKeys', maxKeys, 1);
    this.onError = options.onError;
  }

  /** Number of keys held now (expired ones not yet dropped included). */
  get size(): number {
    return this.entries.size;
  }

  /** The backend's current time in whole ms. */
  now(): number {
    return Math.floor(this.clock());
  }

  apply(request: ApplyRequest): Promise<StepDecision[]> {
    try {
      return Promise.resolve(this.applyNow(request));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  applyBatch(request: BatchRequest): Promise<StepDecision[][]> {
    try {
      return Promise.resolve(this.applyBatchNow(request));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * `applyBatch`, synchronously. The hits run in order on states held in
   * locals (each key is looked up and written once), exactly as if applied
   * one by one at the same instant. A denied hit changes nothing, so the next
   * hit of the same cost on the same states gets the same decision without
   * running the step again.
   */
  applyBatchNow(request: BatchRequest): StepDecision[][] {
    const now = this.checkedNow();
    const { keys, rates, strategy, costs } = request;
    const args = request.args ?? NO_ARGS;
    const entries: (Entry | undefined)[] = new Array(keys.length);
    let states: unknown[] = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const entry = this.live(keys[i]!, now);
      entries[i] = entry;
      states[i] = entry?.state;
    }
    let ttls: number[] | undefined;
    let deniedCost = -1;
    let denied: StepDecision[] | undefined;
    const out: StepDecision[][] = new Array(costs.length);
    for (let j = 0; j < costs.length; j++) {
      const cost = costs[j]!;
      if (denied !== undefined && cost === deniedCost) {
        out[j] = denied;
        continue;
      }
      const { decisions, writes } = runSteps(strategy, states, now, cost, rates, false, args);
      out[j] = decisions;
      if (writes !== undefined) {
        states = writes.map((w) => w.state);
        ttls = writes.map((w) => w.ttlMs);
        denied = undefined;
      } else if (!decisions.every((d) => d.allowed)) {
        denied = decisions;
        deniedCost = cost;
      }
    }
    if (ttls !== undefined) {
      for (let i = 0; i < keys.length; i++) {
        const entry = entries[i];
        if (entry !== undefined) {
          entry.state = states[i];
          entry.expiresAt = now + ttls[i]!;
        } else {
          this.insert(keys[i]!, { state: states[i], expiresAt: now + ttls[i]!, used: false }, now);
        }
      }
    }
    return out;
  }

  /** The live entry of `key` (marked used), or undefined; an expired entry is dropped. */
  private live(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt > now) {
      entry.used = true;
      return entry;
    }
    this.entries.delete(key);
    return undefined;
  }

  /** `apply`, synchronously: runs the steps and returns the decisions. Throws `BackendError`. */
  applyNow(request: ApplyRequest): StepDecision[] {
    return this.applyAt(request, this.checkedNow());
  }

  /**
   * One rate, one key, synchronously: the throttle's hot path. Same rule as
   * `apply` with one rate (`runSteps`), without the arrays. Throws `BackendError`.
   */
  applyOne(strategy: AnyStrategy, key: string, rate: Rate, cost: number, dryRun: boolean): StepDecision {
    const now = this.checkedNow();
    let entry = this.entries.get(key);
    let state: unknown;
    if (entry !== undefined) {
      if (entry.expiresAt > now) {
        state = entry.state;
        entry.used = true;
      } else {
        this.entries.delete(key);
        entry = undefined;
      }
    }
    const outcome = strategy.step(state, now, cost, rate, NO_ARGS);
    if (outcome.decision.allowed && !dryRun && (cost > 0 || outcome.store === true)) {
      if (entry !== undefined) {
        entry.state = outcome.state;
        entry.expiresAt = now + outcome.ttlMs;
      } else {
        this.insert(key, { state: outcome.state, expiresAt: now + outcome.ttlMs, used: false }, now);
      }
    }
    return outcome.decision;
  }

  private checkedNow(): number {
    if (this.closed) throw new BackendConnectionError('InMemoryBackend is closed');
    const now = this.now();
    if (!Number.isFinite(now)) throw new BackendError(`InMemoryBackend: clock returned ${describeValue(now)}`);
    return now;
  }

  private applyAt(request: ApplyRequest, now: number): StepDecision[] {
    const { keys } = request;
    const entries: (Entry | undefined)[] = new Array(keys.length);
    const states: unknown[] = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const entry = this.entries.get(key);
      if (entry !== undefined && entry.expiresAt > now) {
        entry.used = true;
        entries[i] = entry;
        states[i] = entry.state;
      } else if (entry !== undefined) {
        this.entries.delete(key);
      }
    }
    const { decisions, writes } = runSteps(request.strategy, states, now, request.cost, request.rates, request.dryRun, request.args);
    if (writes !== undefined) {
      for (let i = 0; i < keys.length; i++) {
        const outcome = writes[i]!;
        const entry = entries[i];
        if (entry !== undefined) {
          entry.state = outcome.state;
          entry.expiresAt = now + outcome.ttlMs;
        } else {
          this.insert(keys[i]!, { state: outcome.state, expiresAt: now + outcome.ttlMs, used: false }, now);
        }
      }
    }
    return decisions;
  }

  /** The live states of `request.keys` (for `Throttle.stats`); reads without refreshing recency. */
  read(request: ReadRequest): Promise<ReadResult> {
    try {
      const now = this.checkedNow();
      const states = request.keys.map((key) => {
        const entry = this.entries.get(key);
        return entry !== undefined && entry.expiresAt > now ? entry.state : undefined;
      });
      return Promise.resolve({ now, states });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  reset(_scope: string, keys: readonly string[]): Promise<void> {
    for (const key of keys) this.entries.delete(key);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    this.cursor = undefined;
    this.entries.clear();
    return Promise.resolve();
  }

  private insert(key: string, entry: Entry, now: number): void {
    if (this.entries.size >= this.maxKeys) this.makeRoom(now);
    this.entries.set(key, entry);
    this.insertsSinceSweep++;
  }

  /**
   * Frees one slot: first drops every expired key (a full sweep, at most once
   * per second of clock time or per maxKeys/8 inserts, so its cost is
   * amortised), then, if still full, walks the eviction cursor from the
   * oldest key: a key used since the cursor last passed it gets a second
   * chance (moved to the end, unmarked), the first unused one is evicted.
   * The cursor persists between calls, so each eviction is amortised O(1).
   */
  private makeRoom(now: number): void {
    if (now - this.lastSweepAt >= 1000 || this.insertsSinceSweep >= this.maxKeys / 8) {
      this.lastSweepAt = now;
      this.insertsSinceSweep = 0;
      for (const [key, entry] of this.entries) {
        if (entry.expiresAt <= now) this.entries.delete(key);
      }
    }
    // Every key is visited at most twice (once marked, once unmarked) before one is evicted.
    let budget = 2 * this.entries.size + 1;
    while (this.entries.size >= this.maxKeys && budget-- > 0) {
      this.cursor ??= this.entries.entries();
      const next = this.cursor.next();
      if (next.done) {
        this.cursor = undefined;
        continue;
      }
      const [key, entry] = next.value;
      if (entry.used) {
        entry.used = false;
        this.entries.delete(key);
        this.entries.set(key, entry);
      } else {
        this.entries.delete(key);
      }
    }
  }
}
