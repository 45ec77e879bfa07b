import type { Clock } from '../../clock.js';
import type { StepDecision } from '../../decision.js';
import { BackendConnectionError, BackendError, ConfigurationError, TraffikError, describeValue } from '../../errors.js';
import type { OnError } from '../../on-error.js';
import { checkOptionNames } from '../../options.js';
import type { Rate } from '../../rate.js';
import type { AnyStrategy } from '../../strategies/strategy.js';
import type { ApplyRequest, Backend, BatchRequest, ReadRequest, ReadResult } from '../backend.js';
import type { CasStore, CasWritten } from './cas-store.js';
import { decodeItem, encodeItem, type StoredRate } from './item.js';
import { itemKey } from './item-key.js';
import { CAS_OPTION_NAMES, checkCasOptions, type CasBackendOptions, type CheckedCasOptions } from './options.js';
import { applyPending, type Pending } from './pending.js';
import { RememberedDenials } from './remembered-denials.js';

/** The hits queued on one item; one cycle runs at a time per item in this process. */
interface ItemQueue {
  readonly key: string;
  readonly strategy: AnyStrategy;
  readonly rates: readonly Rate[];
  pending: Pending[];
}

/** What we last wrote for an item, with the version the store gave that write. */
interface CachedItem<Version> {
  readonly rates: readonly StoredRate[];
  readonly version: Version;
}

/** How a built-in backend over `CasBackend` names itself, and whether its store bounds its own calls. */
export interface CasBackendIdentity {
  /** The class name in errors (`"MemcachedBackend"`). */
  readonly owner: string;
  /** The store's name in errors (`"Memcached"`). */
  readonly storeName: string;
  /** True when every store call already settles within `timeoutMs` (no second timer needed). */
  readonly storeBoundsCalls: boolean;
}

const MAX_CACHED_ITEMS = 10_000;
const MAX_PENDING_PER_CYCLE = 1024;
const GENERIC: CasBackendIdentity = { owner: 'casBackend', storeName: 'CasStore', storeBoundsCalls: false };

/**
 * An exact `Backend` over any `CasStore`: each hit reads its item with the
 * item's version, runs the strategy's step (`runSteps`, the same code as
 * the in-process backend, with the request's `op`) and writes the result
 * back only if the item is unchanged (`compareAndSet`, or `add` for a new
 * item); on a conflict the whole hit is recomputed from a fresh read, up to
 * `maxRetries` times with a short random pause. All rates of a hit live in
 * one item, so one write covers the whole hit. Works for any `Strategy`.
 *
 * In this process, hits on the same item are queued and applied in arrival
 * order in one cycle (one read, one write for all of them). When the store
 * returns the version of a write, it is kept, so a serial stream of hits
 * costs one write each; a stale copy only costs a failed write, never a
 * wrong decision (a denial or a dry run computed from it is confirmed by a
 * fresh read). Denied hits and dry runs store nothing.
 *
 * A store failure, a call pending past `timeoutMs`, a value that is not
 * Traffik state or conflicts past `maxRetries` reject the hit with
 * `BackendError` (for `onError`); never a hang or an unhandled rejection.
 */
export class CasBackend<Version = string> implements Backend {
  readonly namespace: string;
  readonly onError: OnError | undefined;
  /** Longest wait for one store call, in ms. */
  readonly timeoutMs: number;
  /** Conflict retries per hit before it fails with `BackendError`. */
  readonly maxRetries: number;
  private readonly clock: Clock;
  /** Denials answered from memory (`rememberDenials`); undefined when off. */
  private readonly denials: RememberedDenials | undefined;
  private readonly queues = new Map<string, ItemQueue>();
  private readonly cache = new Map<string, CachedItem<Version>>();
  private closed = false;

  /**
   * Use `casBackend(store, options)`; built-in backends (memcached) pass
   * options they already checked and their `identity`.
   */
  constructor(
    private readonly store: CasStore<Version>,
    options: CasBackendOptions | CheckedCasOptions = {},
    private readonly identity: CasBackendIdentity = GENERIC,
  ) {
    const checked = checkCasOptions(identity.owner, options);
    this.namespace = checked.namespace;
    this.clock = checked.clock;
    this.timeoutMs = checked.timeoutMs;
    this.maxRetries = checked.maxRetries;
    this.onError = checked.onError;
    this.denials = checked.rememberDenials ? new RememberedDenials(checked.clockGiven ? checked.clock : undefined) : undefined;
  }

  /** The backend's current time in whole ms. */
  now(): number {
    return Math.floor(this.clock());
  }

  /**
   * Runs one hit (all its rates in one write). Resolves with one decision
   * per rate; rejects with `BackendError` / `BackendConnectionError` (store
   * failed, timed out, garbage value, conflicts past `maxRetries`), or with
   * what the strategy's step threw (then nothing is stored).
   */
  apply(request: ApplyRequest): Promise<StepDecision[]> {
    const denials = this.denials;
    const dryRun = request.dryRun === true;
    const key = itemKey(this.namespace, request.keys);
    if (denials === undefined || this.closed) return this.enqueue(key, request, [request.cost], dryRun, request.op).then((results) => results[0]!);
    const change = request.op === 'charge' || request.op === 'refund';
    if (!change) {
      const now = this.now();
      const known = Number.isFinite(now) ? denials.answer(request, key, now) : undefined;
      if (known !== undefined) return Promise.resolve(known);
    }
    const ticket = denials.send(request, key, change ? 'change' : dryRun ? 'dry' : 'hit');
    return this.enqueue(key, request, [request.cost], dryRun, request.op).then(
      (results) => {
        denials.settle(request, ticket, results[0]!);
        return results[0]!;
      },
      (error: unknown) => {
        denials.settle(request, ticket, undefined);
        throw error;
      },
    );
  }

  /** Runs `request.costs.length` hits in order in one read-modify-write cycle; rejects as `apply`. */
  applyBatch(request: BatchRequest): Promise<StepDecision[][]> {
    if (request.costs.length === 0) return Promise.resolve([]);
    const denials = this.denials;
    const key = itemKey(this.namespace, request.keys);
    if (denials === undefined || this.closed) return this.enqueue(key, request, request.costs, false, undefined);
    const hit = { ...request, cost: 0 };
    const ticket = denials.send(hit, key, 'change');
    const settle = (): void => denials.settle(hit, ticket, undefined);
    return this.enqueue(key, request, request.costs, false, undefined).finally(settle);
  }

  /** The live states of `request.keys` (for `Throttle.stats`), changing nothing. Rejects with `BackendError` for a value that is not Traffik state. */
  async read(request: ReadRequest): Promise<ReadResult> {
    this.checkOpen();
    const key = itemKey(this.namespace, request.keys);
    const entry = await this.call('get', key, () => this.store.get(key));
    const now = this.checkedNow();
    if (entry === undefined) return { now, states: request.keys.map(() => undefined) };
    const stored = decodeItem(request.strategy, key, entry.value, request.keys.length);
    return { now, states: stored.map((r) => (r.expiresAt > now ? r.state : undefined)) };
  }

  /** Deletes the item of `keys` (every rate of one identity); a missing item is fine. */
  async reset(scope: string, keys: readonly string[]): Promise<void> {
    this.checkOpen();
    const key = itemKey(this.namespace, keys);
    this.cache.delete(key);
    this.denials?.forget(scope, key);
    await this.call('delete', key, () => this.store.delete(key));
    // Also after: a denial sent while the delete was on its way may predate it.
    this.denials?.forget(scope, key);
  }

  /**
   * Stops accepting hits (they reject with `BackendConnectionError`) and
   * calls the store's `close`, if it has one, once. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cache.clear();
    this.denials?.clear();
    await this.store.close?.();
  }

  private checkOpen(): void {
    if (this.closed) throw new BackendConnectionError(`${this.identity.owner} is closed`);
  }

  private checkedNow(): number {
    const now = this.now();
    if (!Number.isFinite(now)) throw new BackendError(`${this.identity.owner}: clock returned ${describeValue(now)}`);
    return now;
  }

  /** Queues hits on item `key`; resolves with each cost's decisions once a cycle has applied them. */
  private enqueue(key: string, request: Omit<ApplyRequest, 'cost' | 'dryRun' | 'op'>, costs: readonly number[], dryRun: boolean, op: ApplyRequest['op']): Promise<StepDecision[][]> {
    if (this.closed) return Promise.reject(new BackendConnectionError(`${this.identity.owner} is closed`));
    return new Promise<StepDecision[][]>((resolve, reject) => {
      const pending: Pending = { strategy: request.strategy, costs, dryRun, op, args: request.args, resolve, reject };
      const queue = this.queues.get(key);
      if (queue !== undefined) {
        queue.pending.push(pending);
        return;
      }
      const created: ItemQueue = { key, strategy: request.strategy, rates: request.rates, pending: [pending] };
      this.queues.set(key, created);
      // Start on a microtask so that hits issued together share the first cycle.
      queueMicrotask(() => void this.drain(created));
    });
  }

  /** Runs cycles until the item's queue is empty. Settles every pending hit; never rejects. */
  private async drain(queue: ItemQueue): Promise<void> {
    while (queue.pending.length > 0) {
      const batch = queue.pending.length <= MAX_PENDING_PER_CYCLE ? queue.pending : queue.pending.slice(0, MAX_PENDING_PER_CYCLE);
      queue.pending = queue.pending.length <= MAX_PENDING_PER_CYCLE ? [] : queue.pending.slice(MAX_PENDING_PER_CYCLE);
      try {
        await this.cycle(queue, batch);
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    this.queues.delete(queue.key);
  }

  /**
   * One read-modify-write for `batch`, retried on conflict. Resolves each
   * pending hit (or rejects one whose strategy threw); throws when the store
   * fails or retries run out.
   */
  private async cycle(queue: ItemQueue, batch: readonly Pending[]): Promise<void> {
    const { key, strategy, rates } = queue;
    let conflicts = 0;
    let useCache = true;
    for (;;) {
      this.checkOpen();
      const cached = useCache ? this.cache.get(key) : undefined;
      let stored: readonly StoredRate[] | undefined;
      let version: Version | undefined;
      let exists = false;
      if (cached !== undefined) {
        stored = cached.rates;
        version = cached.version;
        exists = true;
      } else {
        const entry = await this.call('get', key, () => this.store.get(key));
        if (entry !== undefined) {
          if (typeof entry.value !== 'string') {
            throw new BackendError(`${this.identity.storeName} get ${JSON.stringify(key.slice(0, 80))}: value must be a string, got ${describeValue(entry.value)}`);
          }
          stored = decodeItem(strategy, key, entry.value, rates.length);
          version = entry.version;
          exists = true;
        }
      }

      const now = this.checkedNow();
      const outcome = applyPending(batch, stored, rates, now);

      if (outcome.next === undefined) {
        // Nothing to store: the decisions hold only if the state was current.
        if (cached !== undefined) {
          useCache = false;
          continue;
        }
        this.denials?.saw(key, stored);
        outcome.settle();
        return;
      }
      const ttlMs = Math.max(1, Math.ceil(Math.max(...outcome.next.map((r) => r.expiresAt - now))));
      const value = encodeItem(strategy, outcome.next);
      const written = exists
        ? await this.call('compareAndSet', key, () => this.store.compareAndSet(key, value, version as Version, ttlMs))
        : await this.call('add', key, () => this.store.add(key, value, ttlMs));
      if (written !== false) {
        this.remember(key, outcome.next, written);
        if (outcome.denied) this.denials?.saw(key, outcome.next);
        else this.denials?.wrote(key, outcome.next);
        outcome.settle();
        return;
      }
      // Another writer changed the item since we read it: recompute from a fresh read.
      this.cache.delete(key);
      useCache = false;
      if (cached === undefined) {
        conflicts++;
        if (conflicts > this.maxRetries) {
          throw new BackendError(`${this.identity.storeName} item ${JSON.stringify(key.slice(0, 80))}: still changing after ${this.maxRetries} retries; hit not applied`);
        }
        await backoff(conflicts);
      }
    }
  }

  /** Keeps the state just written when the store told its version; forgets the item otherwise. */
  private remember(key: string, rates: readonly StoredRate[], written: true | CasWritten<Version>): void {
    this.cache.delete(key);
    if (written === true || typeof written !== 'object' || written === null || !('version' in written)) return;
    if (this.cache.size >= MAX_CACHED_ITEMS) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(key, { rates, version: written.version });
  }

  /**
   * Calls the store once: a synchronous throw, a rejection or (unless the
   * store bounds its own calls) no answer within `timeoutMs` becomes a
   * rejected `BackendError`; a late answer is ignored.
   */
  private call<T>(what: string, key: string, run: () => T | Promise<T>): Promise<T> {
    let result: T | Promise<T>;
    try {
      result = run();
    } catch (error) {
      return Promise.reject(this.storeError(what, key, error));
    }
    if (!isThenable(result)) return Promise.resolve(result);
    if (this.identity.storeBoundsCalls) return Promise.resolve(result).catch((error: unknown) => Promise.reject(this.storeError(what, key, error)));
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        reject(new BackendError(`${this.identity.storeName} ${what} ${JSON.stringify(key.slice(0, 80))}: no answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      Promise.resolve(result).then(
        (value) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          reject(this.storeError(what, key, error));
        },
      );
    });
  }

  private storeError(what: string, key: string, error: unknown): TraffikError {
    if (error instanceof BackendError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new BackendError(`${this.identity.storeName} ${what} ${JSON.stringify(key.slice(0, 80))} failed: ${message}`, { cause: error });
  }
}

/**
 * An exact `Backend` over your own store: give it a `CasStore` (get with a
 * version, compare-and-set, add-if-absent, delete) and the options; see
 * `CasBackend` for how hits are applied. Throws `ConfigurationError` naming
 * a wrong option or a store missing a method.
 */
export function casBackend<Version = string>(store: CasStore<Version>, options: CasBackendOptions = {}): CasBackend<Version> {
  checkOptionNames('casBackend', options, CAS_OPTION_NAMES);
  checkStore(store);
  return new CasBackend(store, options);
}

function checkStore(store: unknown): void {
  const methods = ['get', 'compareAndSet', 'add', 'delete'] as const;
  const missing = store === null || typeof store !== 'object' ? methods : methods.filter((m) => typeof (store as Record<string, unknown>)[m] !== 'function');
  if (missing.length > 0) {
    throw new ConfigurationError(`casBackend: store must be a CasStore with get, compareAndSet, add and delete methods; ${describeValue(store)} lacks ${missing.join(', ')}`);
  }
  const close = (store as { close?: unknown }).close;
  if (close !== undefined && typeof close !== 'function') {
    throw new ConfigurationError(`casBackend: store.close must be a function when given, got ${describeValue(close)}`);
  }
}

function isThenable<T>(value: T | Promise<T>): value is Promise<T> {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';
}

/** A short random pause before retrying a conflict, growing with each one (at most ~32 ms). */
function backoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(32, 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
