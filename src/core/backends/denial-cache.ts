/**
 * A local denial cache (SEMANTICS "Remembering denials"): a hit the store
 * denied with `retryAfterMs = r` stays denied, for the same keys, args and
 * cost, until `r` ms after it was sent, whatever other processes do (they
 * only add units), unless this process resets, charges or refunds those
 * keys (it then calls `forget`). Within that time a backend answers such a
 * hit from memory, with no round trip: denied, with the store's
 * `retryAfterMs`, `resetAfterMs` and `delayMs` counted down from the denial, exact;
 * `remaining` is the store's at the denial (units that left the window
 * since, while the hit stays denied, are not counted). A denial "for
 * ever" (a cost above the limit, `retryAfterMs` Infinity) is not kept.
 *
 * Only strategies that declare `denialsHoldUntilRetry` are remembered. The
 * one case where an answer can differ from the store's: a `reset` or
 * `refund` made by ANOTHER process, which this one cannot see before the
 * remembered retry time.
 *
 * Exact also within this process, where requests are in flight together:
 * a charge, refund, batch or reset forgets its scope's denials when it is
 * sent; a hit the store allowed forgets the denials of hits sent before
 * it; while a hit that may change the state (not covered by a denial) is
 * in flight, its scope is answered by the store; and a denial whose hit
 * was sent before any of these is not kept. (The store applies one
 * process's requests on a scope in the order they were sent.)
 *
 * Usable by any backend: call `answer` before sending a hit; when it gives
 * nothing, `send` as the request leaves and `settle` with the store's
 * decisions (or `undefined` when the request failed); `forget` on `reset`.
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

/** Key separator: keys are length-prefixed text and never hold it as a delimiter of their own. */
const SEPARATOR = '\u0000';

/** The entry key of a hit: its keys and its args (one key without args, the common case: the key itself). */
function entryKey(keys: readonly string[], args: StepArgs | undefined): string {
  let text = keys.length === 1 ? keys[0]! : keys.join(SEPARATOR);
  if (args !== undefined && args.length > 0) text += SEPARATOR + JSON.stringify(args);
  return text;
}

/** A request on its way to the store, from `send` to `settle`. */
export interface SendTicket {
  /** Its place in this process's order of sends. */
  readonly seq: number;
  /** Local time it left. */
  readonly sentAt: number;
  /** True for a charge, refund or batch (it changes the state whatever the answer). */
  readonly change: boolean;
}

/** What `send` is told of a request: a hit, a dry run, or a change (charge, refund, batch). */
export type SendKind = 'hit' | 'dry' | 'change';

/** One remembered denial. */
interface Denial {
  readonly cost: number;
  /** `seq` of the hit. */
  readonly seq: number;
  /** Local time the hit was sent. */
  readonly sentAt: number;
  /** Local time until which the hit is denied: `sentAt` + the smallest retry time of a denying rate. */
  readonly until: number;
  /** What the store said, per rate. */
  readonly decisions: readonly StepDecision[];
}

/** One scope with denials (or a change whose in-flight denials must not be kept). */
interface ScopeRecord {
  readonly entries: Map<string, Denial>;
  /** Denials of hits sent before this `seq` are not kept. */
  forgotSeq: number;
  /** Answers wait until every request sent up to this `seq` has settled. */
  settledBefore: number;
}

/**
 * The order of this process's requests: which have settled. Requests
 * settle mostly in the order sent, so this is a window of flags from the
 * oldest unsettled one.
 */
class SendOrder {
  private flags: boolean[] = [];
  /** `seq` of flags[head]. */
  private base = 1;
  private head = 0;
  /** The last `seq` handed out. */
  last = 0;

  next(): number {
    this.flags.push(false);
    return ++this.last;
  }

  settle(seq: number): void {
    const at = seq - this.base;
    if (at < this.head) return;
    this.flags[at] = true;
    const flags = this.flags;
    while (this.head < flags.length && flags[this.head] === true) this.head++;
    if (this.head === flags.length) {
      this.base += this.head;
      this.flags = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > flags.length) {
      this.base += this.head;
      this.flags = flags.slice(this.head);
      this.head = 0;
    }
  }

  /** True when every request up to `seq` has settled. */
  settledUpTo(seq: number): boolean {
    return this.base + this.head > seq;
  }
}

/**
 * Remembers denied hits (see the file header). Bounded: at most
 * `maxEntries` scopes are tracked; past that the scopes tracked first are
 * dropped (and denials of hits sent before that are not kept). Never
 * throws.
 */
export class DenialCache {
  /** The clock the cache measures with (ms). */
  readonly now: () => number;
  /** How many hits `answer` has answered from memory (for tests and metrics). */
  answered = 0;
  private readonly maxEntries: number;
  /** Scopes with denials (or a recent change), insertion-ordered: the oldest first. */
  private readonly byScope = new Map<string, ScopeRecord>();
  private readonly order = new SendOrder();
  /** Denials of hits sent at or before this `seq` are not kept (a `clear`, or a scope dropped for room). */
  private floorSeq = 0;

  constructor(options: DenialCacheOptions = {}) {
    const { maxEntries = 10_000, now } = options;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new ConfigurationError(`DenialCache: maxEntries must be a whole number >= 1, got ${describeValue(maxEntries)}`);
    }
    if (now !== undefined && typeof now !== 'function') throw new ConfigurationError(`DenialCache: now must be a function, got ${describeValue(now)}`);
    this.maxEntries = maxEntries;
    this.now = now ?? (() => performance.now());
  }

  /** Denials remembered now (expired ones included until they are looked up or pushed out). */
  get size(): number {
    let count = 0;
    for (const scoped of this.byScope.values()) count += scoped.entries.size;
    return count;
  }

  /**
   * The store's answer to `hit` if a remembered denial covers it (same
   * strategy, keys and args, same cost, op 'hit', before its retry time,
   * nothing of this process that may change the scope in flight): the
   * remembered decisions with `retryAfterMs`, `resetAfterMs` and `delayMs`
   * counted down to now. Otherwise undefined (the hit must go to the store).
   */
  answer(hit: RememberableHit): StepDecision[] | undefined {
    if (this.byScope.size === 0 || (hit.op !== undefined && hit.op !== 'hit')) return undefined;
    const scoped = this.byScope.get(hit.scope);
    if (scoped === undefined || !this.order.settledUpTo(scoped.settledBefore)) return undefined;
    const now = this.now();
    const denial = covering(scoped, hit, now);
    if (denial === undefined) return undefined;
    // Whole ms, as the store reports: the store decides on a ms clock that has moved at least this far.
    const elapsed = Math.floor(now - denial.sentAt);
    this.answered++;
    return denial.decisions.map((d) => ({
      allowed: d.allowed,
      limit: d.limit,
      remaining: d.remaining,
      retryAfterMs: d.allowed ? d.retryAfterMs : Math.max(0, d.retryAfterMs - elapsed),
      resetAfterMs: Math.max(0, d.resetAfterMs - elapsed),
      delayMs: Math.max(0, d.delayMs - elapsed),
    }));
  }

  /**
   * Call as a request for `hit.scope` leaves for the store: `kind` 'hit'
   * for a hit, 'dry' for a dry run, 'change' for a charge, refund or batch
   * (it forgets the scope's denials). Returns the ticket for `settle`.
   */
  send(hit: RememberableHit, kind: SendKind): SendTicket {
    const seq = this.order.next();
    const sentAt = this.now();
    if (kind === 'change') {
      forgetBefore(this.record(hit.scope), seq + 1);
      return { seq, sentAt, change: true };
    }
    if (kind === 'hit' && this.byScope.size > 0) {
      const scoped = this.byScope.get(hit.scope);
      // A hit no denial covers may change the scope: no answers from memory until it has settled.
      if (scoped !== undefined && covering(scoped, hit, sentAt) === undefined) scoped.settledBefore = seq;
    }
    return { seq, sentAt, change: false };
  }

  /**
   * Call once with the store's `decisions` for the request of `ticket`
   * (`undefined` when it failed: it may or may not have been applied). A
   * denial is remembered when the hit's op is 'hit', its strategy declares
   * `denialsHoldUntilRetry` and nothing this process sent may have changed
   * the scope after it.
   */
  settle(hit: RememberableHit, ticket: SendTicket, decisions: readonly StepDecision[] | undefined): void {
    this.order.settle(ticket.seq);
    if (ticket.change) return;
    let denied = false;
    if (decisions !== undefined) for (const d of decisions) if (!d.allowed) denied = true;
    if (denied) {
      this.remember(hit, ticket, decisions!);
      return;
    }
    // Allowed (or unknown): the state may have changed; denials of hits sent before this one are stale.
    const scoped = this.byScope.size === 0 ? undefined : this.byScope.get(hit.scope);
    if (scoped !== undefined) forgetBefore(scoped, ticket.seq);
  }

  /** Forgets every denial of `scope`, and denials of its hits in flight (this process's reset of its keys). */
  forget(scope: string): void {
    forgetBefore(this.record(scope), this.order.last + 1);
  }

  /** Forgets everything, and every denial in flight. */
  clear(): void {
    this.byScope.clear();
    this.floorSeq = this.order.last;
  }

  private remember(hit: RememberableHit, ticket: SendTicket, decisions: readonly StepDecision[]): void {
    if (hit.strategy.denialsHoldUntilRetry !== true || (hit.op !== undefined && hit.op !== 'hit') || ticket.seq <= this.floorSeq) return;
    let retry = Infinity;
    for (const d of decisions) if (!d.allowed && d.retryAfterMs < retry) retry = d.retryAfterMs;
    // Denied "for ever" (a cost above the limit) is not kept: a limit that moves (a rollover) can change that answer.
    if (!(retry > 0) || retry === Infinity) return;
    let scoped = this.byScope.get(hit.scope);
    if (scoped !== undefined && ticket.seq < scoped.forgotSeq) return;
    if (scoped === undefined) {
      scoped = this.record(hit.scope);
      // Requests sent before now, untracked, may be on this scope and change it: answers wait for them.
      scoped.settledBefore = this.order.last;
    }
    const key = entryKey(hit.keys, hit.args);
    const known = scoped.entries.get(key);
    // A denial already known from a later hit is as fresh or fresher.
    if (known !== undefined && known.seq > ticket.seq) return;
    scoped.entries.set(key, { cost: hit.cost, seq: ticket.seq, sentAt: ticket.sentAt, until: ticket.sentAt + retry, decisions });
  }

  /** The record of `scope`, tracked from now on (the oldest scopes dropped past `maxEntries`). */
  private record(scope: string): ScopeRecord {
    let scoped = this.byScope.get(scope);
    if (scoped !== undefined) return scoped;
    scoped = { entries: new Map(), forgotSeq: 0, settledBefore: 0 };
    this.byScope.set(scope, scoped);
    if (this.byScope.size > this.maxEntries) {
      this.byScope.delete(this.byScope.keys().next().value!);
      // A denial in flight for the dropped scope could be kept without what it missed: none from before this point.
      this.floorSeq = this.order.last;
    }
    return scoped;
  }
}

/** The unexpired denial of `scoped` for `hit`'s keys, args and cost (an expired one is dropped). */
function covering(scoped: ScopeRecord, hit: RememberableHit, now: number): Denial | undefined {
  if (scoped.entries.size === 0) return undefined;
  const key = entryKey(hit.keys, hit.args);
  const denial = scoped.entries.get(key);
  if (denial === undefined || denial.cost !== hit.cost) return undefined;
  if (now < denial.until) return denial;
  scoped.entries.delete(key);
  return undefined;
}

/** Drops the denials of hits sent before `seq`, and keeps none sent before it from now on. */
function forgetBefore(scoped: ScopeRecord, seq: number): void {
  if (seq > scoped.forgotSeq) scoped.forgotSeq = seq;
  for (const [key, denial] of scoped.entries) if (denial.seq < seq) scoped.entries.delete(key);
}
