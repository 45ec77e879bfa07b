/**
 * `casBackend`'s local denial memory: `DenialCache` says WHEN a hit is
 * certain to be denied without asking the store (same keys, args and cost,
 * before the remembered retry time; SEMANTICS.md "Remembering denials");
 * the numbers of the answer are then computed here, by the strategy's own
 * step (a dry run) on the item's state as this process last saw it, at the
 * current time. So a denied flood costs no store call, and in one process
 * every field (remaining, retry and reset times) equals the store's answer;
 * hits of other processes since then only make the real answer more denied.
 */
import type { Clock } from '../../clock.js';
import type { StepDecision } from '../../decision.js';
import type { ApplyRequest } from '../backend.js';
import { DenialCache, type SendTicket } from '../denial-cache.js';
import { runSteps } from '../run-steps.js';
import type { StoredRate } from './item.js';

const MAX_SEEN_ITEMS = 10_000;

/** Remembered denials, and the last state seen of each item they are about. */
export class RememberedDenials {
  private readonly denials: DenialCache;
  private readonly seen = new Map<string, readonly StoredRate[] | undefined>();

  /** `clock`: the backend's injected clock, or undefined for the monotonic process clock. */
  constructor(clock: Clock | undefined) {
    this.denials = new DenialCache(clock === undefined ? {} : { now: clock });
  }

  /** Call as a request leaves for the store (`DenialCache.send`): a charge, refund or batch forgets the scope's denials. */
  send(request: ApplyRequest, key: string, kind: 'hit' | 'dry' | 'change'): SendTicket {
    if (kind === 'change') this.seen.delete(key);
    return this.denials.send(request, kind);
  }

  /**
   * The decisions of a hit (op 'hit', or a dry run) that a remembered denial
   * covers, computed at `now` from the item's last seen state; undefined
   * when the store must be asked.
   */
  answer(request: ApplyRequest, key: string, now: number): StepDecision[] | undefined {
    if (this.denials.answer(request) === undefined || !this.seen.has(key)) return undefined;
    const stored = this.seen.get(key);
    const states = request.rates.map((_, i) => {
      const rate = stored?.[i];
      return rate !== undefined && rate.expiresAt > now ? rate.state : undefined;
    });
    try {
      const { decisions } = runSteps(request.strategy, states, now, request.cost, request.rates, true, request.args, request.op);
      return decisions.some((d) => !d.allowed) ? decisions : undefined;
    } catch {
      return undefined; // let the store path report the strategy's error
    }
  }

  /** Call once with the store's decisions for `ticket`'s request, or `undefined` when it failed (`DenialCache.settle`). */
  settle(request: ApplyRequest, ticket: SendTicket, decisions: readonly StepDecision[] | undefined): void {
    this.denials.settle(request, ticket, decisions);
  }

  /** Records the state an item holds after a cycle of this process (`undefined`: absent). */
  saw(key: string, rates: readonly StoredRate[] | undefined): void {
    this.seen.delete(key);
    if (this.seen.size >= MAX_SEEN_ITEMS) {
      const oldest = this.seen.keys().next();
      if (oldest.done !== true) this.seen.delete(oldest.value);
    }
    this.seen.set(key, rates);
  }

  /**
   * `saw`, for an item this process wrote after a cycle of allowed hits:
   * recorded only when the item is already tracked (a denial of it was
   * seen), so the common allowed hit costs no bookkeeping here. An answer
   * needs the item tracked, and a denial always records it (`saw`).
   */
  wrote(key: string, rates: readonly StoredRate[]): void {
    if (this.seen.has(key)) this.saw(key, rates);
  }

  /** Forgets the denials of `scope` and the state of its item (this process's reset). */
  forget(scope: string, key: string): void {
    this.denials.forget(scope);
    this.seen.delete(key);
  }

  /** Forgets everything. */
  clear(): void {
    this.denials.clear();
    this.seen.clear();
  }
}
