import { checkOptionNames } from '../options.js';
import type { Rate } from '../rate.js';
import { BacklogStrategy, type BacklogState } from './backlog.js';
import { checkPerRateOption, type PerRateOption } from './per-rate-option.js';
import type { StateDescription } from './strategy.js';
import { describeTokens, optionLabel } from './token-bucket.js';

/** Options of `TokenBucketWithDebtStrategy`. */
export interface TokenBucketWithDebtOptions {
  /**
   * Bucket capacity B in units (default: the rate's limit), or a function of
   * the rate (see `TokenBucketOptions.burstSize`; the same multi-rate guard).
   */
  burstSize?: PerRateOption;
  /** How far below zero the tokens may go, D >= 0 (default 0); a number for every rate, or a function of the rate. */
  maxDebt?: PerRateOption;
}

/**
 * Token bucket that may go into debt: tokens may fall to -D, so a caller can
 * borrow against future refill; the debt is paid back before new bursts.
 * Allowed iff `y' + c * P <= (B + D) * P`. `limit` = B; `remaining` counts
 * the debt allowance too (up to B + D). Charge and refund: see `BacklogStrategy`.
 */
export class TokenBucketWithDebtStrategy extends BacklogStrategy {
  readonly name: string;
  /** The configured burst size (a number or a function of the rate), or undefined for "the rate's limit". */
  readonly burstSize: PerRateOption | undefined;
  /** The most debt allowed, in units (a number or a function of the rate). */
  readonly maxDebt: PerRateOption;

  constructor(options: TokenBucketWithDebtOptions = {}) {
    super();
    this.owner = 'TokenBucketWithDebtStrategy';
    this.sizeName = 'burstSize';
    checkOptionNames(this.owner, options, ['burstSize', 'maxDebt']);
    this.burstSize = checkPerRateOption(this.owner, 'burstSize', options.burstSize, 1);
    this.maxDebt = checkPerRateOption(this.owner, 'maxDebt', options.maxDebt, 0) ?? 0;
    this.name = `token-bucket-debt:${optionLabel(this.burstSize)}:${optionLabel(this.maxDebt)}`;
    this.size = this.burstSize;
    this.extra = this.maxDebt;
  }

  /** Tokens left (negative while in debt), and when the bucket is full again. */
  override describe(state: BacklogState | undefined, now: number, rate: Rate): StateDescription {
    const B = this.reportedLimit(rate);
    return describeTokens(state, now, rate, B, this.capacity(rate) - B);
  }
}
