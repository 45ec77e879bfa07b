import type { StepDecision } from '../../decision.js';
import { BackendConnectionError, type BackendError } from '../../errors.js';
import type { DenialCache, RememberableHit, SendTicket } from '../denial-cache.js';
import type { DeadlineQueue, Expirable } from '../../deadline-queue.js';
import { decodeHitAt } from './baked-scripts.js';

/** What a `SingleHitCall` needs of its backend. */
export interface SingleHitOwner {
  /** The calls' shared timeouts. */
  readonly deadlines: DeadlineQueue;
  /** Most time one call may take, ms (for the timeout's message). */
  readonly timeoutMs: number;
  /** Maps what a call failed with to the error its caller gets. */
  describeFailure(error: unknown, what: string): BackendError;
}

/**
 * One single hit in flight (sent alone, or coalesced with others): settles
 * its promise once, with the decoded decision, the mapped error, or
 * `BackendConnectionError` after the backend's `timeoutMs`, whichever
 * comes first. One object per hit with its callbacks as methods: no
 * closures per hit.
 */
export class SingleHitCall implements Expirable {
  settled = false;
  readonly deadline: number;
  /** The denial cache told of this hit's outcome (`reportTo`). */
  private denials: DenialCache | undefined;
  private hit: RememberableHit | undefined;
  private ticket: SendTicket | undefined;

  constructor(
    private readonly owner: SingleHitOwner,
    private readonly strategyName: string,
    private readonly resolve: (decisions: StepDecision[]) => void,
    private readonly reject: (error: BackendError) => void,
  ) {
    this.deadline = owner.deadlines.deadlineFromNow();
    owner.deadlines.add(this);
  }

  /** Settles `ticket` in `denials` with this hit's outcome, when it has one. */
  reportTo(denials: DenialCache, hit: RememberableHit, ticket: SendTicket): void {
    this.denials = denials;
    this.hit = hit;
    this.ticket = ticket;
  }

  private what(): string {
    return `RedisBackend (${this.strategyName})`;
  }

  /** Called by the deadline queue only (which moves past this call itself). */
  expire(): void {
    if (this.settled) return;
    this.settled = true;
    this.denials?.settle(this.hit!, this.ticket!, undefined);
    this.reject(this.owner.describeFailure(new BackendConnectionError(`${this.what()}: Redis did not answer within ${this.owner.timeoutMs} ms`), this.what()));
  }

  /** Fails the call with what the script call failed with (mapped to a `BackendError`). */
  fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.owner.deadlines.settle();
    this.denials?.settle(this.hit!, this.ticket!, undefined);
    this.reject(this.owner.describeFailure(error, this.what()));
  }

  /** Settles the call with the hit at `at` of a script's reply (six values); a malformed or refused hit fails it with `BackendError`. */
  done(reply: readonly unknown[], at: number): void {
    if (this.settled) return;
    this.settled = true;
    this.owner.deadlines.settle();
    let decision: StepDecision;
    try {
      decision = decodeHitAt(reply, at);
    } catch (error) {
      this.denials?.settle(this.hit!, this.ticket!, undefined);
      this.reject(this.owner.describeFailure(error, this.what()));
      return;
    }
    this.denials?.settle(this.hit!, this.ticket!, [decision]);
    this.resolve([decision]);
  }
}
