import { systemClock, type Clock } from '../clock.js';
import type { StepDecision } from '../decision.js';
import { BackendConnectionError, BackendError } from '../errors.js';
import type { OnError } from '../on-error.js';
import { checkOptionNames, checkWholeNumber } from '../options.js';
import type { Rate } from '../rate.js';
import type { AnyStrategy, StepArgs } from '../strategies/strategy.js';
import { keyPart, MAX_PLAIN_KEY_PART_LENGTH, textDigest } from '../keys.js';
import { runSteps, storesOutcome } from './run-steps.js';
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
  /** The full key this entry is stored under. */
  readonly key: string;
  state: unknown;
  /** Clock time (ms) at which the state is equivalent to a fresh key. */
  expiresAt: number;
  /** Used since the eviction cursor last passed it (second-chance recency). */
  used: boolean;
  /** Removed from the store (expired, evicted, reset): any index still holding it must forget it. */
  dead: boolean;
}

/**
 * A throttle's shortcut into the store for one rate: identity -> entry, so
 * the hot path neither builds the full key nor hashes it. It only caches
 * entries of the main store (which stays the one truth); dead entries are
 * skipped and forgotten. Get one from `InMemoryBackend.index`.
 */
export class KeyIndex {
  /** @internal */ readonly entries = new Map<string, Entry>();
  /** @internal */
  constructor(
    /** @internal */ readonly prefix: string,
    /** @internal */ readonly suffix: string,
  ) {}
}

const NO_ARGS: StepArgs = [];
/** Appended to a long identity's digest in a `KeyIndex`: makes it longer than any plain identity. */
const LONG_IDENTITY_MARK = '#'.repeat(MAX_PLAIN_KEY_PART_LENGTH);

/**
 * The in-process backend (the default): state in a `Map` in this process.
 *
 * Each job has one general path and one fast path, each fast path kept for
 * the benchmark row named beside it. A single hit: the general path
 * (`apply`) runs `runSteps` on the keys the throttle built; the fast path
 * (`applyIndexed`) serves a throttle with one fixed rate, finding the entry
 * by identity through a `KeyIndex` without building the full key (row
 * "throttle.hit, in-process, 100,000 keys, key built per call",
 * bench/suites/core.ts). A batch (`applyBatch`): `runSteps` per hit, or for
 * one rate a loop without arrays per hit (row "A list of 1,000 items with a
 * limited field", bench/suites/graphql.ts). Every path stores by one rule,
 * `storesOutcome`.
 *
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
  private cursor: IterableIterator<Entry> | undefined;

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
    if (keys.length === 1) return this.applyBatchOneRate(keys[0]!, strategy, rates[0]!, costs, args, now);
    const entries = this.liveEntries(keys, now);
    let states: unknown[] = entries.map((entry) => entry?.state);
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
      for (let i = 0; i < keys.length; i++) this.store(entries[i], keys[i]!, states[i], now + ttls[i]!, now);
    }
    return out;
  }

  /**
   * `applyBatchNow` for one rate (a GraphQL list's usual case): the same
   * rule as `runSteps` with one rate (`storesOutcome`), without its arrays
   * per hit. Its reason is the bench row "A list of 1,000 items with a
   * limited field ... traffik in-process" (bench/suites/graphql.ts).
   */
  private applyBatchOneRate(key: string, strategy: AnyStrategy, rate: Rate, costs: readonly number[], args: StepArgs, now: number): StepDecision[][] {
    const entry = this.live(key, now);
    let state = entry?.state;
    let expiresAt = 0;
    let denied: StepDecision[] | undefined;
    let deniedCost = -1;
    const out: StepDecision[][] = new Array(costs.length);
    for (let j = 0; j < costs.length; j++) {
      const cost = costs[j]!;
      if (denied !== undefined && cost === deniedCost) {
        out[j] = denied;
        continue;
      }
      const outcome = strategy.step(state, now, cost, rate, args);
      out[j] = [outcome.decision];
      if (storesOutcome(outcome, cost)) {
        state = outcome.state;
        expiresAt = now + outcome.ttlMs;
        denied = undefined;
      } else if (!outcome.decision.allowed) {
        denied = out[j];
        deniedCost = cost;
      }
    }
    if (expiresAt !== 0) this.store(entry, key, state, expiresAt, now);
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
    this.drop(entry);
    return undefined;
  }

  /** Removes `entry` from the store and marks it dead for the indexes. */
  private drop(entry: Entry): void {
    this.entries.delete(entry.key);
    entry.dead = true;
  }

  /**
   * An index for the keys `prefix + keyPart(identity) + suffix` (one
   * throttle's rate), for `applyIndexed`. Holds at most `maxKeys` shortcuts.
   */
  index(prefix: string, suffix: string): KeyIndex {
    return new KeyIndex(prefix, suffix);
  }

  /**
   * One hit of one rate on the key `index.prefix + keyPart(identity) +
   * index.suffix`, found through the index: the throttle's fast path (one
   * fixed rate, no step args). Same step, same store rule
   * (`storesOutcome`), same store as `apply`.
   */
  applyIndexed(index: KeyIndex, identity: string, strategy: AnyStrategy, rate: Rate, cost: number): StepDecision {
    const now = this.checkedNow();
    // A long identity is indexed by its digest (V8 hashes long strings all alike, so they would make the Map a list),
    // padded past the plain length so that no plain identity spelled like a digest shares its slot.
    const id = identity.length > MAX_PLAIN_KEY_PART_LENGTH ? textDigest(identity) + LONG_IDENTITY_MARK : identity;
    let entry = index.entries.get(id);
    if (entry !== undefined && entry.dead) {
      index.entries.delete(id);
      entry = undefined;
    }
    if (entry === undefined) {
      entry = this.entries.get(index.prefix + keyPart(identity) + index.suffix);
      if (entry !== undefined) this.remember(index, id, entry);
    }
    // An expired entry reads as a fresh key; its slot is reused if this hit stores, else dropped.
    const live = entry !== undefined && entry.expiresAt > now;
    // Written only when it changes: a store to a cold entry costs more than the read.
    if (live && !entry!.used) entry!.used = true;
    const outcome = strategy.step(live ? entry!.state : undefined, now, cost, rate, NO_ARGS);
    if (storesOutcome(outcome, cost)) {
      if (entry !== undefined) {
        entry.state = outcome.state;
        entry.expiresAt = now + outcome.ttlMs;
      } else {
        const created = this.insert(index.prefix + keyPart(identity) + index.suffix, outcome.state, now + outcome.ttlMs, now);
        this.remember(index, id, created);
      }
    } else if (entry !== undefined && !live) {
      this.drop(entry);
      index.entries.delete(id);
    }
    return outcome.decision;
  }

  private remember(index: KeyIndex, identity: string, entry: Entry): void {
    if (index.entries.size >= this.maxKeys) index.entries.clear();
    index.entries.set(identity, entry);
  }

  /** `apply`, synchronously: runs the steps and returns the decisions. Throws `BackendError`. */
  applyNow(request: ApplyRequest): StepDecision[] {
    return this.applyAt(request, this.checkedNow());
  }

  private checkedNow(): number {
    if (this.closed) throw new BackendConnectionError('InMemoryBackend is closed');
    const now = this.now();
    if (!Number.isFinite(now)) throw new BackendError(`InMemoryBackend: clock returned ${describeValue(now)}`);
    return now;
  }

  private applyAt(request: ApplyRequest, now: number): StepDecision[] {
    const { keys } = request;
    const entries = this.liveEntries(keys, now);
    const states = entries.map((entry) => entry?.state);
    const { decisions, writes } = runSteps(request.strategy, states, now, request.cost, request.rates, request.dryRun, request.args, request.op);
    if (writes !== undefined) {
      for (let i = 0; i < keys.length; i++) this.store(entries[i], keys[i]!, writes[i]!.state, now + writes[i]!.ttlMs, now);
    }
    return decisions;
  }

  /** The live entries of `keys` (undefined for a fresh or expired key). */
  private liveEntries(keys: readonly string[], now: number): (Entry | undefined)[] {
    const entries: (Entry | undefined)[] = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) entries[i] = this.live(keys[i]!, now);
    return entries;
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
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (entry !== undefined) this.drop(entry);
    }
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    this.cursor = undefined;
    for (const entry of this.entries.values()) entry.dead = true;
    this.entries.clear();
    return Promise.resolve();
  }

  /** Writes `state` into `entry`, or, when the key has no live entry, into a new one. */
  private store(entry: Entry | undefined, key: string, state: unknown, expiresAt: number, now: number): void {
    if (entry !== undefined) {
      entry.state = state;
      entry.expiresAt = expiresAt;
    } else {
      this.insert(key, state, expiresAt, now);
    }
  }

  private insert(key: string, state: unknown, expiresAt: number, now: number): Entry {
    if (this.entries.size >= this.maxKeys) this.makeRoom(now);
    const entry: Entry = { key, state, expiresAt, used: false, dead: false };
    this.entries.set(key, entry);
    this.insertsSinceSweep++;
    return entry;
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
      for (const entry of this.entries.values()) {
        if (entry.expiresAt <= now) this.drop(entry);
      }
    }
    // Every key is visited at most twice (once marked, once unmarked) before one is evicted.
    let budget = 2 * this.entries.size + 1;
    while (this.entries.size >= this.maxKeys && budget-- > 0) {
      this.cursor ??= this.entries.values();
      const next = this.cursor.next();
      if (next.done) {
        this.cursor = undefined;
        continue;
      }
      const entry = next.value;
      if (entry.used) {
        entry.used = false;
        this.entries.delete(entry.key);
        this.entries.set(entry.key, entry);
      } else {
        this.drop(entry);
      }
    }
  }
}
