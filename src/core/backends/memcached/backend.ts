import memjs from 'memjs';
import type { Client } from 'memjs';
import { systemClock, type Clock } from '../../clock.js';
import type { StepDecision } from '../../decision.js';
import { BackendConnectionError, BackendError, ConfigurationError, describeValue } from '../../errors.js';
import type { OnError } from '../../on-error.js';
import { checkOptionNames, checkWholeNumber } from '../../options.js';
import type { Rate } from '../../rate.js';
import type { AnyStrategy, StepArgs } from '../../strategies/strategy.js';
import type { ApplyRequest, Backend, BatchRequest, ReadRequest, ReadResult } from '../backend.js';
import { runSteps } from '../run-steps.js';
import { CasConnection, STATUS_OK, type CasToken } from './cas.js';
import { expiryField } from './expiry.js';
import { decodeItem, encodeItem, type StoredRate } from './item.js';
import { checkNamespace, itemKey } from './keys.js';

/** Options of `MemcachedBackend`. Give `servers` or `client`, not both. */
export interface MemcachedBackendOptions {
  /**
   * memcached servers, `"host:port"` (comma-separated or an array). Keys are
   * spread over them by memjs's key distribution. Default `"127.0.0.1:11211"`.
   * The backend creates the memjs client and closes it in `close()`.
   */
  servers?: string | readonly string[];
  /** An existing memjs `Client` (memjs 1.3) to use instead; `close()` leaves it open. */
  client?: Client;
  /** Key prefix; two namespaces never share state. Printable ASCII, no spaces, at most 100 characters. Default `"traffik"`. */
  namespace?: string;
  /** Time source in ms (floored). Default: the process clock, `Date.now`. Inject one in tests. */
  clock?: Clock;
  /**
   * Longest wait for one memcached reply, in ms (default 1000). A down,
   * unreachable or stuck server fails the hit with `BackendConnectionError` /
   * `BackendError` within this time; nothing waits longer.
   */
  timeoutMs?: number;
  /**
   * How many times a hit is retried when another process changed its item
   * between our read and our write (default 10). When exhausted the hit fails
   * with `BackendError`, for `onError`: never a silent allow.
   */
  maxRetries?: number;
  /** Error policy for throttles that set none (see `OnError`). */
  onError?: OnError;
}

/** One caller's hits waiting for their item's next read-modify-CAS cycle. */
interface Pending {
  readonly strategy: AnyStrategy;
  readonly costs: readonly number[];
  readonly dryRun: boolean;
  readonly args: StepArgs | undefined;
  resolve(decisions: StepDecision[][]): void;
  reject(error: unknown): void;
}

/** The hits queued on one item; one cycle runs at a time per item in this process. */
interface ItemQueue {
  readonly key: string;
  readonly strategy: AnyStrategy;
  readonly rates: readonly Rate[];
  pending: Pending[];
}

/** What we last read or wrote for an item, valid while the connection it came on is. */
interface CachedItem {
  readonly rates: readonly StoredRate[];
  readonly cas: CasToken;
  readonly socket: unknown;
}

const DEFAULT_SERVERS = '127.0.0.1:11211';
const MAX_CACHED_ITEMS = 10_000;
const MAX_PENDING_PER_CYCLE = 1024;
const SILENT_LOGGER = { log: (): void => undefined };

/**
 * Limit state in memcached, shared by every process that uses the same
 * servers and namespace. Exact without locks: each hit reads its item with
 * the item's CAS value, runs the strategy's step (`runSteps`, the same code
 * as the in-process backend) and writes the result back only if the item is
 * unchanged (SET with that CAS, or ADD for a new item); on a conflict the
 * whole hit is recomputed, up to `maxRetries` times. All rates of a hit live
 * in one item, so one CAS covers the whole hit: no partial write between
 * rates. Works for any `Strategy` (it uses only `step`, `serialize`, `parse`).
 *
 * In this process, hits on the same item are queued and applied in arrival
 * order in one cycle (one read, one write for all of them), and the last
 * CAS written is kept, so a serial stream of allowed hits costs one round
 * trip each; a stale copy only costs a failed write, never a wrong decision.
 * Denied hits and dry runs store nothing. Items expire ~1-2 s after the
 * longest rate's state (relative seconds up to 30 days, absolute unix time
 * beyond). A store failure rejects with `BackendConnectionError` /
 * `BackendError` (for `onError`), within `timeoutMs`; never a hang, a
 * console message or an unhandled rejection.
 */
export class MemcachedBackend implements Backend {
  readonly namespace: string;
  readonly onError: OnError | undefined;
  /** Longest wait for one memcached reply, in ms. */
  readonly timeoutMs: number;
  /** Conflict retries per hit before it fails with `BackendError`. */
  readonly maxRetries: number;
  private readonly clock: Clock;
  private readonly client: Client;
  private readonly ownsClient: boolean;
  private readonly connection: CasConnection;
  private readonly queues = new Map<string, ItemQueue>();
  private readonly cache = new Map<string, CachedItem>();
  private closed = false;

  constructor(options: MemcachedBackendOptions = {}) {
    const owner = 'MemcachedBackend';
    checkOptionNames(owner, options, ['servers', 'client', 'namespace', 'clock', 'timeoutMs', 'maxRetries', 'onError']);
    const { namespace = 'traffik', clock = systemClock, timeoutMs = 1000, maxRetries = 10 } = options;
    this.namespace = checkNamespace(owner, namespace);
    if (typeof clock !== 'function') {
      throw new ConfigurationError(`${owner}: clock must be a function returning ms, got ${describeValue(clock)}`);
    }
    this.clock = clock;
    this.timeoutMs = checkWholeNumber(owner, 'timeoutMs', timeoutMs, 1, 600_000);
    this.maxRetries = checkWholeNumber(owner, 'maxRetries', maxRetries, 0, 1000);
    this.onError = options.onError;
    if (options.client !== undefined) {
      if (options.servers !== undefined) throw new ConfigurationError(`${owner}: give servers or client, not both`);
      const client = options.client as unknown;
      if (client === null || typeof client !== 'object' || typeof (client as Client).server !== 'function' || typeof (client as Client).incrSeq !== 'function') {
        throw new ConfigurationError(`${owner}: client must be a memjs Client, got ${describeValue(client)}`);
      }
      this.client = options.client;
      this.ownsClient = false;
    } else {
      const servers = checkServers(owner, options.servers ?? DEFAULT_SERVERS);
      const seconds = this.timeoutMs / 1000;
      this.client = memjs.Client.create(servers, {
        // Requests are sent once (see cas.ts); failures go to onError, not the console.
        retries: 1, failover: false, logger: SILENT_LOGGER,
        timeout: seconds, conntimeout: seconds, keepAlive: true,
      });
      this.ownsClient = true;
    }
    this.connection = new CasConnection(this.client, this.timeoutMs);
  }

  /** The backend's current time in whole ms. */
  now(): number {
    return Math.floor(this.clock());
  }

  /**
   * Runs one hit (all its rates in one compare-and-swap). Resolves with one
   * decision per rate; rejects with `BackendConnectionError` / `BackendError`
   * (store down, stuck, garbage value, conflicts past `maxRetries`), or with
   * what the strategy's step threw (then nothing is stored).
   */
  apply(request: ApplyRequest): Promise<StepDecision[]> {
    return this.enqueue(request, [request.cost], request.dryRun === true).then((results) => results[0]!);
  }

  /** Runs `request.costs.length` hits in order in one read-modify-CAS cycle; rejects as `apply`. */
  applyBatch(request: BatchRequest): Promise<StepDecision[][]> {
    if (request.costs.length === 0) return Promise.resolve([]);
    return this.enqueue(request, request.costs, false);
  }

  /**
   * The live states of `request.keys` (for `Throttle.stats`), read from
   * memcached without changing anything. Rejects with `BackendError` for a
   * value that is not Traffik state.
   */
  async read(request: ReadRequest): Promise<ReadResult> {
    if (this.closed) throw new BackendConnectionError('MemcachedBackend is closed');
    const key = itemKey(this.namespace, request.keys);
    const reply = await this.connection.read(key);
    const now = this.now();
    if (reply.status !== STATUS_OK) return { now, states: request.keys.map(() => undefined) };
    const stored = decodeItem(request.strategy, key, reply.value.toString('utf8'), request.keys.length);
    return { now, states: stored.map((r) => (r.expiresAt > now ? r.state : undefined)) };
  }

  /** Deletes the item of `keys` (every rate of one identity); a missing item is fine. */
  async reset(_scope: string, keys: readonly string[]): Promise<void> {
    if (this.closed) throw new BackendConnectionError('MemcachedBackend is closed');
    const key = itemKey(this.namespace, keys);
    this.cache.delete(key);
    await this.connection.remove(key);
  }

  /**
   * Stops accepting hits (they reject with `BackendConnectionError`) and
   * closes the memjs client if this backend created it (one given as
   * `client` stays open). Idempotent.
   */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.cache.clear();
      if (this.ownsClient) this.client.close();
    }
    return Promise.resolve();
  }

  private enqueue(request: Omit<ApplyRequest, 'cost' | 'dryRun'>, costs: readonly number[], dryRun: boolean): Promise<StepDecision[][]> {
    if (this.closed) return Promise.reject(new BackendConnectionError('MemcachedBackend is closed'));
    const key = itemKey(this.namespace, request.keys);
    return new Promise<StepDecision[][]>((resolve, reject) => {
      const pending: Pending = { strategy: request.strategy, costs, dryRun, args: request.args, resolve, reject };
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
   * One read-modify-CAS for `batch`, retried on conflict. Resolves each
   * pending hit (or rejects one whose strategy threw); throws when the store
   * fails or retries run out.
   */
  private async cycle(queue: ItemQueue, batch: readonly Pending[]): Promise<void> {
    const { key, strategy, rates } = queue;
    let conflicts = 0;
    let useCache = true;
    for (;;) {
      if (this.closed) throw new BackendConnectionError('MemcachedBackend is closed');
      const cached = useCache ? this.cached(key) : undefined;
      let stored: readonly StoredRate[] | undefined;
      let cas: CasToken | undefined;
      if (cached !== undefined) {
        stored = cached.rates;
        cas = cached.cas;
      } else {
        const reply = await this.connection.read(key);
        if (reply.status === STATUS_OK) {
          checkCas(reply.cas);
          try {
            stored = decodeItem(strategy, key, reply.value.toString('utf8'), rates.length);
          } catch (error) {
            this.cache.delete(key);
            throw error;
          }
          cas = reply.cas;
        }
      }

      const now = this.now();
      if (!Number.isFinite(now)) throw new BackendError(`MemcachedBackend: clock returned ${describeValue(now)}`);
      const outcome = applyPending(batch, stored, rates, now);

      if (outcome.next === undefined) {
        // Nothing to store: the decisions hold only if the state was current.
        if (cached !== undefined) {
          useCache = false;
          continue;
        }
        outcome.settle();
        return;
      }
      const ttlMs = Math.max(...outcome.next.map((r) => r.expiresAt - now));
      const value = encodeItem(strategy, outcome.next);
      const written = await this.connection.write(key, value, expiryField(ttlMs, Date.now()), cas);
      if (written !== undefined) {
        checkCas(written);
        this.remember(key, { rates: outcome.next, cas: written, socket: this.socketOf(key) });
        outcome.settle();
        return;
      }
      // Another writer changed the item since we read it: recompute from a fresh read.
      this.cache.delete(key);
      useCache = false;
      if (cached === undefined) {
        conflicts++;
        if (conflicts > this.maxRetries) {
          throw new BackendError(`Memcached item ${JSON.stringify(key.slice(0, 80))}: still changing after ${this.maxRetries} retries; hit not applied`);
        }
        await backoff(conflicts);
      }
    }
  }

  private cached(key: string): CachedItem | undefined {
    const entry = this.cache.get(key);
    if (entry === undefined) return undefined;
    if (entry.socket === undefined || entry.socket !== this.socketOf(key)) {
      // The connection changed (maybe the server restarted and reuses CAS values): trust nothing from before.
      this.cache.delete(key);
      return undefined;
    }
    return entry;
  }

  private remember(key: string, entry: CachedItem): void {
    this.cache.delete(key);
    if (this.cache.size >= MAX_CACHED_ITEMS) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(key, entry);
  }

  /** The socket memjs currently uses for `key`'s server (memjs internals; undefined when not connected). */
  private socketOf(key: string): unknown {
    const server = this.connection.serverFor(key) as unknown as { _socket?: unknown; connected?: boolean } | undefined;
    return server?.connected === true ? server._socket : undefined;
  }
}

/** What `applyPending` computed: the state to write (if any) and how to settle the hits. */
interface CycleOutcome {
  readonly next: StoredRate[] | undefined;
  settle(): void;
}

/**
 * Applies the pending hits in order to the stored state at `now`, each with
 * `runSteps` (all-or-nothing across rates). A hit whose strategy throws is
 * rejected alone (its batch leaves no trace); the others go on.
 */
function applyPending(batch: readonly Pending[], stored: readonly StoredRate[] | undefined, rates: readonly Rate[], now: number): CycleOutcome {
  let current: StoredRate[] = [];
  for (let i = 0; i < rates.length; i++) current.push(stored?.[i] ?? { expiresAt: -Infinity, state: undefined });
  let changed = false;
  const settlers: (() => void)[] = [];
  for (const p of batch) {
    const before = current;
    const beforeChanged: boolean = changed;
    try {
      const results: StepDecision[][] = [];
      for (const cost of p.costs) {
        const states = current.map((r) => (r.expiresAt > now ? r.state : undefined));
        const { decisions, writes } = runSteps(p.strategy, states, now, cost, rates, p.dryRun, p.args);
        if (writes !== undefined) {
          current = writes.map((w) => ({ expiresAt: now + w.ttlMs, state: w.state }));
          changed = true;
        }
        results.push(decisions);
      }
      settlers.push(() => p.resolve(results));
    } catch (error) {
      current = before;
      changed = beforeChanged;
      settlers.push(() => p.reject(error));
    }
  }
  return { next: changed ? current : undefined, settle: () => settlers.forEach((s) => s()) };
}

/** Throws when memcached runs with CAS disabled (`-C`): it answers CAS 0, and a SET with CAS 0 is unconditional. */
function checkCas(cas: CasToken): void {
  if (cas.every((byte) => byte === 0)) {
    throw new BackendError('Memcached returned no CAS value: the server runs with CAS disabled (-C), so hits cannot be exact');
  }
}

/** A short random pause before retrying a conflict, growing with each one (at most ~32 ms). */
function backoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(32, 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function checkServers(owner: string, servers: unknown): string {
  const list = typeof servers === 'string' ? servers.split(',') : Array.isArray(servers) ? servers : undefined;
  if (list === undefined || list.length === 0 || !list.every((s) => typeof s === 'string' && /^\S+$/.test(s.trim()) && s.trim() !== '')) {
    throw new ConfigurationError(`${owner}: servers must be "host:port" strings (comma-separated or an array), got ${describeValue(servers)}`);
  }
  return list.map((s: string) => s.trim()).join(',');
}
