/**
 * A local denial cache (SEMANTICS "Remembering denials"): a hit the store
 * denied with `retryAfterMs = r` stays denied, for the same keys, args and
 * cost, until `r` ms after it was sent, whatever other processes do (they
 * only add units), unless this process resets, charges or refunds those
 * keys (it then calls `forget`). Within that time a backend answers such a
 * hit from memory, with no round trip: denied, with the store's
 * `retryAfterMs` and `resetAfterMs` counted down from the denial, exact;
 * `remaining` is the store's at the denial (units that left the window
 * since, while the hit stays denied, are not counted: a lower bound). A
 * denial for ever (cost above the limit) is kept until the state resets.
 *
 * Only strategies that declare `denialsHoldUntilRetry` are remembered. The
 * one case where an answer can differ from the store's: a `reset` or
 * `refund` made by ANOTHER process, which this one cannot see before the
 * remembered retry time.
 *
 * Usable by any backend: call `answer` before sending a hit, `now()` just
 * before sending it, `remember` with the store's decisions, and `forget` on
 * the backend's `reset` and on charges and refunds.
 */
import type { StepDecision } from '../decision.js';
import { ConfigurationError, describeValue } from '../errors.js';
import type { AnyStrategy, StepArgs, StepOp } from '../strategies/strategy.js';

/** The parts of a hit a denial cache reads (an `ApplyRequest` fits). */
export interface RememberableHit {
  readonly strategy: AnyStrategy;
  readonly scope: string;
  readonly keys: readonly string[];
  readonly cost: number;
  readonly op?: StepOp | undefined;
  readonly args?: StepArgs | undefined;
}

/** Options of `DenialCache`. */
export interface DenialCacheOptions {
  /** Most denials remembered at once (the oldest scopes are forgotten first). Default 10000. */
  maxEntries?: number;
  /** Local clock in ms, monotonic. Default `performance.now`. A backend with an injected clock passes it here. */
  now?: () => number;
}

/** One remembered denial. */
interface Denial {
  readonly cost: number;
  /** Local time the hit was sent. */
  readonly sentAt: number;
  /** Local time until which the hit is denied: `sentAt` + the smallest retry time of a denying rate. */
  readonly until: number;
  /** What the store said, per rate. */
  readonly decisions: readonly StepDecision[];
}

/** Key separator: keys are length-prefixed text and never hold it as a delimiter of their own. */
const SEPARATOR = '\u0000';

/** The entry key of a hit: its keys and its args (one key without args, the common case: the key itself). */
function entryKey(keys: readonly string[], args: StepArgs | undefined): string {
  let text = keys.length === 1 ? keys[0]! : keys.join(SEPARATOR);
  if (args !== undefined && args.length > 0) text += SEPARATOR + JSON.stringify(args);
  return text;
}

/**
 * Remembers denied hits (see the file header). Bounded: at most
 * `maxEntries` denials; past that the scopes remembered first are
 * forgotten. Never throws on `answer`, `remember` or `forget`.
 */
export class DenialCache {
  /** The clock the cache measures with (ms). Read it just before sending a hit. */
  readonly now: () => number;
  private readonly maxEntries: number;
  /** Denials by scope, then by entry key (scope first: `forget` drops a scope at once). */
  private readonly byScope = new Map<string, Map<string, Denial>>();
  private count = 0;
  /** `now()` at the latest `forget`/`clear`: a denial sent before it may predate that reset and is not kept. */
  private lastForgetAt = -Infinity;

  constructor(options: DenialCacheOptions = {}) {
    const { maxEntries = 10_000, now } = options;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new ConfigurationError(`DenialCache: maxEntries must be a whole number >= 1, got ${describeValue(maxEntries)}`);
    }
    if (now !== undefined && typeof now !== 'function') throw new ConfigurationError(`DenialCache: now must be a function, got ${describeValue(now)}`);
    this.maxEntries = maxEntries;
    this.now = now ?? (() => performance.now());
  }

  /** How many hits `answer` has answered from memory (for tests and metrics). */
  answered = 0;

  /** Denials remembered now (expired ones included until they are looked up or pushed out). */
  get size(): number {
    return this.count;
  }

  /**
   * The store's answer to `hit` if a remembered denial covers it (same
   * strategy, keys and args, same cost, op 'hit', before its retry time):
   * the remembered decisions with `retryAfterMs` and `resetAfterMs` counted
   * down to now. Otherwise undefined (the hit must go to the store).
   */
  answer(hit: RememberableHit): StepDecision[] | undefined {
    if (this.count === 0 || (hit.op !== undefined && hit.op !== 'hit')) return undefined;
    const scoped = this.byScope.get(hit.scope);
    if (scoped === undefined) return undefined;
    const key = entryKey(hit.keys, hit.args);
    const denial = scoped.get(key);
    if (denial === undefined || denial.cost !== hit.cost) return undefined;
    const now = this.now();
    if (now >= denial.until) {
      scoped.delete(key);
      this.count--;
      if (scoped.size === 0) this.byScope.delete(hit.scope);
      return undefined;
    }
    // Whole ms, as the store reports: the store decides on a ms clock that has moved at least this far.
    const elapsed = Math.floor(now - denial.sentAt);
    this.answered++;
    return denial.decisions.map((d) => ({
      allowed: d.allowed,
      limit: d.limit,
      remaining: d.remaining,
      retryAfterMs: d.allowed ? d.retryAfterMs : Math.max(0, d.retryAfterMs - elapsed),
      resetAfterMs: Math.max(0, d.resetAfterMs - elapsed),
      delayMs: d.delayMs,
    }));
  }

  /**
   * Records the store's `decisions` for `hit`, sent at `sentAt` (`now()`
   * read before sending): kept only when the hit was denied, its op is
   * 'hit' and its strategy declares `denialsHoldUntilRetry`.
   */
  remember(hit: RememberableHit, sentAt: number, decisions: readonly StepDecision[]): void {
    if (hit.strategy.denialsHoldUntilRetry !== true || (hit.op !== undefined && hit.op !== 'hit')) return;
    let retry = Infinity;
    let reset = 0;
    let denied = false;
    for (const d of decisions) {
      if (!d.allowed) {
        denied = true;
        if (d.retryAfterMs < retry) retry = d.retryAfterMs;
      }
      if (d.resetAfterMs > reset) reset = d.resetAfterMs;
    }
    // Denied for ever (a cost above the limit): kept until the state has reset, so the numbers stay those of a live state.
    if (retry === Infinity) retry = reset;
    // A reset, charge or refund since the hit was sent may have made the store's answer stale.
    if (!denied || !(retry > 0) || sentAt <= this.lastForgetAt) return;
    let scoped = this.byScope.get(hit.scope);
    if (scoped === undefined) {
      scoped = new Map();
      this.byScope.set(hit.scope, scoped);
    }
    const key = entryKey(hit.keys, hit.args);
    if (!scoped.has(key)) this.count++;
    scoped.set(key, { cost: hit.cost, sentAt, until: sentAt + retry, decisions });
    while (this.count > this.maxEntries) this.dropOldestScope();
  }

  /** Forgets every denial of `scope` (call on this process's reset, charge or refund of its keys). */
  forget(scope: string): void {
    this.lastForgetAt = this.now();
    this.dropScope(scope);
  }

  /** Forgets everything. */
  clear(): void {
    this.lastForgetAt = this.now();
    this.byScope.clear();
    this.count = 0;
  }

  private dropScope(scope: string): void {
    const scoped = this.byScope.get(scope);
    if (scoped === undefined) return;
    this.count -= scoped.size;
    this.byScope.delete(scope);
  }

  private dropOldestScope(): void {
    const oldest = this.byScope.keys().next();
    if (oldest.done === true) {
      this.count = 0;
      return;
    }
    this.dropScope(oldest.value);
  }
}
