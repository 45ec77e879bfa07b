import { Redis, type Cluster } from 'ioredis';
import { BOUNDS_OWN_CALLS } from '../../backend-call.js';
import type { Clock } from '../../clock.js';
import type { StepDecision } from '../../decision.js';
import { BackendConnectionError, BackendError, ConfigurationError, describeValue } from '../../errors.js';
import type { OnError } from '../../on-error.js';
import { checkOptionNames, checkWholeNumber } from '../../options.js';
import type { StepOp } from '../../strategies/strategy.js';
import type { ApplyRequest, Backend, BatchRequest, ReadRequest, ReadResult } from '../backend.js';
import { DenialCache, type RememberableHit, type SendTicket } from '../denial-cache.js';
import { BakedHitScripts, hitCost, type BakedScripts } from './baked-scripts.js';
import { applyWithCompareAndSet } from './compare-and-set.js';
import { DeadlineQueue } from '../../deadline-queue.js';
import { toBackendError, withTimeout } from './error-mapping.js';
import { HitCoalescer } from './hit-coalescer.js';
import { checkRedisNamespace, redisKeys, scopePrefix, scopeSlot } from './keys.js';
import { decodeReply, driverArgs, driverScript } from './lua-driver.js';
import { SingleHitCall, type SingleHitOwner } from './single-hit-call.js';
import { DirectCommands, runScript, type ScriptClient } from './script-runner.js';

/** Options of `RedisBackend`: give either `url` or `client`. */
export interface RedisBackendOptions {
  /** `redis://[user:pass@]host:port[/db]` (or `rediss://`): the backend creates, owns and closes this client (no auto-pipelining: the backend groups its own calls). */
  url?: string;
  /**
   * Your own ioredis `Redis` or `Cluster`. Never closed by `close()`; attach
   * your own 'error' listener. With `enableAutoPipelining` on it, the
   * backend's own commands still bypass the auto-pipeline (they are grouped
   * by the backend already); your other commands keep it.
   */
  client?: Redis | Cluster;
  /** Key prefix; two namespaces never share state. No `{` or `}`. Default `"traffik"`. */
  namespace?: string;
  /**
   * Time source in ms (floored), for tests. Default: the Redis server's
   * `TIME`, so app servers with skewed clocks agree. With a clock, every key
   * is kept `clockTtlSlackMs` longer than its TTL, because Redis expires keys
   * by its own clock (expired state reads as fresh, so no decision changes).
   */
  clock?: Clock;
  /** Most time one call may take before it fails with `BackendConnectionError`, ms. Default 1000. */
  timeoutMs?: number;
  /** Error policy for throttles that set none (see `OnError`). */
  onError?: OnError;
  /** Custom strategies (no Lua twin) only: compare-and-set attempts before a `BackendError`. Default 64. */
  maxCasAttempts?: number;
  /** With `clock` only: extra time every key is kept, ms. Default 60000. */
  clockTtlSlackMs?: number;
  /**
   * Default true: single hits (one rate, the common case) that start in the
   * same tick and share a strategy and rate go to Redis as one script call
   * (one per Cluster slot), applied in the order they started, each seeing
   * what the previous wrote: the same decisions as one call per hit, in
   * fewer round trips. A hit with no call on the way and nothing queued is
   * sent at once; a queued hit once 16 are queued, once the tick's pending
   * promise continuations have run, or before any other command of this
   * backend.
   * `false`: one script call per hit, sent at once.
   */
  coalesceHits?: boolean;
  /**
   * Default true: remember denied hits (strategies that declare
   * `denialsHoldUntilRetry` only) and answer the same hit (keys, args,
   * cost) from memory, with no Redis command, until its retry time, counted
   * on this process's monotonic clock from when the denied hit was sent.
   * This process's `reset`, charges and refunds of a scope forget it. The
   * one case where an answer differs from Redis': a reset or refund made by
   * another process before the retry time (docs/redis.md).
   */
  rememberDenials?: boolean;
}

const OPTION_NAMES = ['url', 'client', 'namespace', 'clock', 'timeoutMs', 'onError', 'maxCasAttempts', 'clockTtlSlackMs', 'coalesceHits', 'rememberDenials'];

/**
 * The Redis backend (`traffik/redis`, ioredis 5). Every built-in strategy runs
 * as one Lua script (its Lua twin under one driver): at most one EVALSHA per
 * hit or per batch, atomic on the server, on the server's clock, all rates
 * of a hit all-or-nothing, every key written with a TTL. Single hits that
 * start in one tick share script calls (`coalesceHits`), in order. Works on a single server and
 * on Redis Cluster (all keys of a hit share one hash tag). Custom strategies
 * without a Lua twin run with an optimistic compare-and-set (slower).
 *
 * Failures never throw synchronously and never hang: every call settles
 * within `timeoutMs`, rejecting with `BackendConnectionError` (unreachable,
 * timed out, closed) or `BackendError` (an error reply, corrupt state). A
 * built-in's script that timed out on a stuck server may still run when the
 * server resumes (Redis has the command); a custom strategy's write never
 * starts after the timeout.
 */
export class RedisBackend implements Backend, SingleHitOwner {
  readonly namespace: string;
  readonly onError: OnError | undefined;
  /** @internal Every call settles within `timeoutMs` (the throttle adds no bound of its own). */
  readonly [BOUNDS_OWN_CALLS] = true;
  /** Most time one call may take, ms. */
  readonly timeoutMs: number;
  /** The ioredis client (yours, or the one created from `url`). */
  readonly client: Redis | Cluster;
  private readonly scripts: ScriptClient;
  private readonly ownsClient: boolean;
  private readonly clock: Clock | undefined;
  private readonly ttlPadMs: number;
  private readonly maxCasAttempts: number;
  /** @internal The single hits' timeouts (one timer for all of them). */
  readonly deadlines: DeadlineQueue;
  /** Many-hits scripts with this backend's most used rates written in. */
  private readonly bakedScripts: BakedHitScripts;
  /** Sends single hits on the fast path, queuing those of one tick into shared script calls (unless `coalesceHits: false`). */
  private readonly coalescer: HitCoalescer;
  /** @internal Denied hits remembered (`rememberDenials`); undefined when off. */
  readonly denials: DenialCache | undefined;
  /** True on a Redis Cluster: coalesced hits are grouped by slot. */
  private readonly isCluster: boolean;
  private closed = false;
  /** The last connection error our own client reported (for messages). */
  private lastClientError: unknown;

  constructor(options: RedisBackendOptions) {
    checkOptionNames('RedisBackend', options, OPTION_NAMES);
    if (options === undefined) throw new ConfigurationError('RedisBackend: options are required ({ url } or { client })');
    const { url, client, namespace = 'traffik', clock, timeoutMs = 1000, maxCasAttempts = 64, clockTtlSlackMs = 60_000, coalesceHits = true, rememberDenials = true } = options;
    if (typeof coalesceHits !== 'boolean') throw new ConfigurationError(`RedisBackend: coalesceHits must be true or false, got ${describeValue(coalesceHits)}`);
    if (typeof rememberDenials !== 'boolean') throw new ConfigurationError(`RedisBackend: rememberDenials must be true or false, got ${describeValue(rememberDenials)}`);
    this.namespace = checkRedisNamespace(namespace);
    if (clock !== undefined && typeof clock !== 'function') {
      throw new ConfigurationError(`RedisBackend: clock must be a function returning ms, got ${describeValue(clock)}`);
    }
    this.clock = clock;
    this.timeoutMs = checkWholeNumber('RedisBackend', 'timeoutMs', timeoutMs, 1);
    this.deadlines = new DeadlineQueue(this.timeoutMs);
    this.maxCasAttempts = checkWholeNumber('RedisBackend', 'maxCasAttempts', maxCasAttempts, 1);
    this.ttlPadMs = clock === undefined ? 0 : checkWholeNumber('RedisBackend', 'clockTtlSlackMs', clockTtlSlackMs, 0);
    this.bakedScripts = new BakedHitScripts(this.ttlPadMs);
    // With an injected clock, denials are timed on it too (tests replay exactly); else on a monotonic clock.
    this.denials = rememberDenials ? new DenialCache(clock === undefined ? {} : { now: () => Math.floor(clock()) }) : undefined;
    const onError = options.onError;
    if (onError !== undefined && typeof onError !== 'function' && onError !== 'allow' && onError !== 'throttle' && onError !== 'raise') {
      throw new ConfigurationError(`RedisBackend: onError must be 'allow', 'throttle', 'raise' or a function, got ${describeValue(onError)}`);
    }
    this.onError = onError;
    if ((url === undefined) === (client === undefined)) {
      throw new ConfigurationError('RedisBackend: give exactly one of url (a redis:// URL) or client (an ioredis Redis or Cluster)');
    }
    if (url !== undefined) {
      if (typeof url !== 'string' || !/^rediss?:\/\//.test(url)) {
        throw new ConfigurationError(`RedisBackend: url must be a redis:// or rediss:// URL, got ${describeValue(url)}`);
      }
      // No auto-pipelining: the hit coalescer already groups a tick's hits; a second grouping made each wait twice.
      const created = new Redis(url, { maxRetriesPerRequest: 2 });
      // Without a listener ioredis logs "Unhandled error event" on every failed reconnect.
      created.on('error', (error: unknown) => {
        this.lastClientError = error;
      });
      this.client = created;
      this.ownsClient = true;
    } else {
      if (client === null || typeof client !== 'object' || typeof (client as { evalsha?: unknown }).evalsha !== 'function') {
        throw new ConfigurationError(`RedisBackend: client must be an ioredis Redis or Cluster, got ${describeValue(client)}`);
      }
      this.client = client;
      this.ownsClient = false;
    }
    this.scripts = new DirectCommands(this.client);
    this.isCluster = (this.client as { isCluster?: unknown }).isCluster === true;
    this.coalescer = new HitCoalescer(this.scripts, clock !== undefined, coalesceHits);
  }

  /**
   * One hit (or charge, or refund). Paths: a remembered denial answers at
   * once (`rememberDenials`); a built-in's single hit on one rate without
   * args takes the fast path (the many-hits script with the rate written
   * in, coalesced); everything else the general driver; a custom strategy
   * compare-and-set.
   */
  apply(request: ApplyRequest): Promise<StepDecision[]> {
    if (this.closed) return Promise.reject(new BackendConnectionError('RedisBackend is closed'));
    const op = request.op ?? 'hit';
    if (op !== 'hit' && request.dryRun === true) {
      return Promise.reject(new ConfigurationError(`RedisBackend: a dry run is a hit's only; got op ${describeValue(op)}`));
    }
    const denials = request.strategy.denialsHoldUntilRetry === true ? this.denials : undefined;
    let ticket: SendTicket | undefined;
    if (denials !== undefined) {
      if (op === 'hit') {
        const known = denials.answer(request);
        if (known !== undefined) return Promise.resolve(known);
      }
      ticket = denials.send(request, op !== 'hit' ? 'change' : request.dryRun === true ? 'dry' : 'hit');
    }
    const lua = request.strategy.lua;
    if (lua !== undefined && request.keys.length === 1 && request.dryRun !== true && (request.args === undefined || request.args.length === 0)) {
      const baked = this.bakedScripts.get(lua, request.rates[0]!);
      if (baked !== undefined) return this.runSingleHit(request, op, baked, ticket);
    }
    const pending = this.run(request, [request.cost], request.dryRun === true, op).then((rows) => rows[0]!);
    return ticket === undefined ? pending : reportOutcome(pending, denials!, request, ticket);
  }

  applyBatch(request: BatchRequest): Promise<StepDecision[][]> {
    if (request.costs.length === 0) return Promise.resolve([]);
    const denials = request.strategy.denialsHoldUntilRetry === true ? this.denials : undefined;
    if (denials === undefined) return this.run(request, request.costs, false);
    // A batch may add units: it forgets the scope's denials (settled below, whatever its decisions).
    const hit = { ...request, cost: 0 };
    return reportOutcome(this.run(request, request.costs, false), denials, hit, denials.send(hit, 'change'));
  }

  /**
   * The live states of `request.keys` (for `Throttle.stats`): one MGET (the
   * keys share a slot) and the server's TIME (unless a clock was given),
   * parsed with the strategy. Changes nothing; bounded by `timeoutMs`.
   */
  read(request: ReadRequest): Promise<ReadResult> {
    if (this.closed) return Promise.reject(new BackendConnectionError('RedisBackend is closed'));
    const what = `RedisBackend read (${request.strategy.name})`;
    this.coalescer.flush();
    try {
      const clockNow = this.now();
      const pending = Promise.all([
        this.scripts.command('mget', redisKeys(this.namespace, request.scope, request.keys)) as Promise<(string | null)[]>,
        clockNow === undefined ? (this.scripts.command('time', []) as Promise<string[]>) : undefined,
      ]).then(([texts, time]) => ({
        now: clockNow ?? Number(time![0]) * 1000 + Math.floor(Number(time![1]) / 1000),
        states: texts.map((text) => (text === null ? undefined : request.strategy.parse(text))),
      }));
      return withTimeout(pending, this.timeoutMs, what).catch((error: unknown) => Promise.reject(this.describe(error, what)));
    } catch (error) {
      return Promise.reject(toBackendError(error, what));
    }
  }

  reset(scope: string, keys: readonly string[]): Promise<void> {
    if (this.closed) return Promise.reject(new BackendConnectionError('RedisBackend is closed'));
    if (keys.length === 0) return Promise.resolve();
    this.denials?.forget(scope);
    this.coalescer.flush();
    const del = this.scripts.command('del', redisKeys(this.namespace, scope, keys));
    return withTimeout(del, this.timeoutMs, 'RedisBackend reset').then(() => undefined);
  }

  /** Stops accepting calls; closes the client only when the backend created it (from `url`). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Hits already accepted still go out, before the client is told to quit.
    this.coalescer.flush();
    if (!this.ownsClient) return;
    const client = this.client as Redis;
    try {
      await withTimeout(client.quit(), this.timeoutMs, 'RedisBackend close');
    } catch {
      client.disconnect();
    }
  }

  /** The general path: the driver script of a Lua twin, or compare-and-set for a custom strategy. */
  private run(request: Omit<ApplyRequest, 'cost' | 'dryRun' | 'op'>, costs: readonly number[], dryRun: boolean, op: StepOp = 'hit'): Promise<StepDecision[][]> {
    if (this.closed) return Promise.reject(new BackendConnectionError('RedisBackend is closed'));
    const what = `RedisBackend (${request.strategy.name})`;
    this.coalescer.flush();
    try {
      const keys = redisKeys(this.namespace, request.scope, request.keys);
      const now = this.now();
      const lua = request.strategy.lua;
      if (lua === undefined) {
        const pending = applyWithCompareAndSet(this.scripts, {
          strategy: request.strategy, redisKeys: keys, rates: request.rates, costs, dryRun,
          args: request.args, op, now, ttlPadMs: this.ttlPadMs, maxAttempts: this.maxCasAttempts,
          deadline: performance.now() + this.timeoutMs,
        });
        return withTimeout(pending, this.timeoutMs, what).catch((error: unknown) => Promise.reject(this.describe(error, what)));
      }
      const argv = driverArgs(lua, request.rates, costs, now, dryRun, this.ttlPadMs, request.args, op);
      return withTimeout(runScript(this.scripts, driverScript(lua), keys, argv), this.timeoutMs, what).then(
        (reply) => {
          try {
            return decodeReply(reply, costs.length, keys.length);
          } catch (error) {
            throw new BackendError(`${what}: ${(error as Error).message}`, { cause: error });
          }
        },
        (error: unknown) => Promise.reject(this.describe(error, what)),
      );
    } catch (error) {
      return Promise.reject(toBackendError(error, what));
    }
  }

  /**
   * The fast path: one hit (not a dry run, no per-hit args) on one rate
   * written into a many-hits script, coalesced with the tick's other hits
   * of that rate (`coalesceHits`). Same guarantees as `run` (timeout,
   * `NOSCRIPT` reload, error mapping), in one promise instead of a chain.
   * With a `ticket`, the outcome is reported to the denial cache.
   */
  private runSingleHit(request: ApplyRequest, op: StepOp, baked: BakedScripts, ticket: SendTicket | undefined): Promise<StepDecision[]> {
    return new Promise<StepDecision[]>((resolve, reject) => {
      const call = new SingleHitCall(this, request.strategy.name, resolve, reject);
      if (ticket !== undefined) call.reportTo(this.denials!, request, ticket);
      if (this.closed) {
        call.fail(new BackendConnectionError('RedisBackend is closed'));
        return;
      }
      try {
        const key = scopePrefix(this.namespace, request.scope) + request.keys[0]!;
        this.coalescer.add(baked, this.isCluster ? scopeSlot(request.scope) : 0, key, hitCost(request.cost, op), this.now(), call);
      } catch (error) {
        call.fail(toBackendError(error, `RedisBackend (${request.strategy.name})`));
      }
    });
  }

  /** @internal Adds our client's last connection error to a connection failure's message (used by `SingleHitCall`). */
  describeFailure(error: unknown, what: string): BackendError {
    return this.describe(error, what);
  }

  private now(): number | undefined {
    if (this.clock === undefined) return undefined;
    const now = Math.floor(this.clock());
    if (!Number.isFinite(now)) throw new BackendError(`RedisBackend: clock returned ${describeValue(now)}`);
    return now;
  }

  /** Adds our client's last connection error to a connection failure's message. */
  private describe(error: unknown, what: string): BackendError {
    const mapped = toBackendError(error, what);
    if (mapped instanceof BackendConnectionError && this.lastClientError instanceof Error && mapped.cause === undefined) {
      return new BackendConnectionError(`${mapped.message} (last connection error: ${this.lastClientError.message})`, { cause: this.lastClientError });
    }
    return mapped;
  }
}

/** `pending`, after reporting its outcome for `ticket` to `denials` (a failure as `undefined`). */
function reportOutcome<T extends StepDecision[] | StepDecision[][]>(pending: Promise<T>, denials: DenialCache, hit: RememberableHit, ticket: SendTicket): Promise<T> {
  return pending.then(
    (decisions) => {
      denials.settle(hit, ticket, ticket.change ? undefined : (decisions as StepDecision[]));
      return decisions;
    },
    (error: unknown) => {
      denials.settle(hit, ticket, undefined);
      throw error;
    },
  );
}
