import { checkOptionNames, checkWholeNumber } from '../options.js';
import type { Rate } from '../rate.js';
import { BacklogStrategy, type BacklogState } from './backlog.js';
import { checkScaledCapacity } from './token-bucket.js';
import { describeTokenBucket } from './describe-state.js';
import type { StateDescription } from './strategy.js';

/** Options of `TokenBucketWithDebtStrategy`. */
export interface TokenBucketWithDebtOptions {
  /** Bucket capacity B in units (default: the rate's limit). */
  burstSize?: number;
  /** How far below zero the tokens may go, D >= 0 (default 0). */
  maxDebt?: number;
}

/**
 * Token bucket that may go into debt: tokens may fall to -D, so a caller can
 * borrow against future refill; the debt is paid back before new bursts.
 * Allowed iff `y' + c * P <= (B + D) * P`. `limit` = B; `remaining` counts
 * the debt allowance too (up to B + D).
 */
export class TokenBucketWithDebtStrategy extends BacklogStrategy {
  readonly name: string;
  /** The configured burst size, or undefined for "the rate's limit". */
  readonly burstSize: number | undefined;
  /** The most debt allowed, in units. */
  readonly maxDebt: number;

  constructor(options: TokenBucketWithDebtOptions = {}) {
    super();
    checkOptionNames('TokenBucketWithDebtStrategy', options, ['burstSize', 'maxDebt']);
    this.burstSize = options.burstSize === undefined ? undefined : checkWholeNumber('TokenBucketWithDebtStrategy', 'burstSize', options.burstSize, 1);
    this.maxDebt = options.maxDebt === undefined ? 0 : checkWholeNumber('TokenBucketWithDebtStrategy', 'maxDebt', options.maxDebt, 0);
    this.name = `token-bucket-debt:${this.burstSize ?? 'L'}:${this.maxDebt}`;
    this.size = this.burstSize;
    this.extra = this.maxDebt;
  }

  /** Tokens left (negative while in debt), and when the bucket is full again. */
  override describe(state: BacklogState | undefined, now: number, rate: Rate): StateDescription {
    return describeTokenBucket(state, now, rate, this.burstSize ?? rate.limit, this.maxDebt);
  }
  validateRate(rate: Rate): void {
    checkScaledCapacity('TokenBucketWithDebtStrategy', this.capacity(rate), rate);
  }
}
