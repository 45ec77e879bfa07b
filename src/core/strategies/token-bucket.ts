import { checkOptionNames } from '../options.js';
import type { Rate } from '../rate.js';
import { BacklogStrategy, drainBacklog, inWords, type BacklogState } from './backlog.js';
import { ceilDiv } from './integer-math.js';
import { checkPerRateOption, type PerRateOption } from './per-rate-option.js';
import type { StateDescription } from './strategy.js';

/** Options of `TokenBucketStrategy`. */
export interface TokenBucketOptions {
  /**
   * Bucket capacity B in units (default: the rate's limit). A whole number
   * >= 1, or a function of the rate giving one per rate:
   * `burstSize: (rate) => (rate.limit === 10 ? 20 : rate.limit)`. With
   * several rates, a single number below one rate's limit is refused at
   * construction (it would cap that rate's bucket below its own limit).
   */
  burstSize?: PerRateOption;
}

/**
 * Token bucket: a bucket of B tokens (default L) refilled at L per period.
 * A hit of cost c takes c tokens and is allowed iff that many are there.
 * Allows bursts up to B, then L per period. `limit` = B; Infinity retry when
 * c > B. Charge and refund: see `BacklogStrategy` (a charge may leave the
 * bucket below zero tokens; hits then wait for the refill).
 */
export class TokenBucketStrategy extends BacklogStrategy {
  readonly name: string;
  /** The configured burst size (a number or a function of the rate), or undefined for "the rate's limit". */
  readonly burstSize: PerRateOption | undefined;

  constructor(options: TokenBucketOptions = {}) {
    super();
    this.owner = 'TokenBucketStrategy';
    this.sizeName = 'burstSize';
    checkOptionNames(this.owner, options, ['burstSize']);
    this.burstSize = checkPerRateOption(this.owner, 'burstSize', options.burstSize, 1);
    this.name = `token-bucket:${optionLabel(this.burstSize)}`;
    this.size = this.burstSize;
  }

  /** Tokens left of the burst, and when the bucket is full again. */
  override describe(state: BacklogState | undefined, now: number, rate: Rate): StateDescription {
    return describeTokens(state, now, rate, this.reportedLimit(rate), 0);
  }
}

/** How an option appears in a strategy's name: the number, "L" when unset, "per-rate" for a function. */
export function optionLabel(option: PerRateOption | undefined): string {
  return option === undefined ? 'L' : typeof option === 'number' ? String(option) : 'per-rate';
}

/** Token bucket (and its debt variant): tokens left (negative = debt) and when the bucket is full. */
export function describeTokens(state: BacklogState | undefined, now: number, rate: Rate, burst: number, maxDebt: number): StateDescription {
  const y = drainBacklog(state, now, rate.reducedLimit);
  const tokens = burst - y / rate.reducedPeriodMs;
  const fullInMs = ceilDiv(y, rate.reducedLimit);
  const debt = tokens < 0 ? ` (in debt by ${inWords(-tokens)}, at most ${maxDebt})` : '';
  return {
    summary: `${inWords(tokens)} of ${burst} tokens${debt}; full in ${fullInMs} ms`,
    values: { tokens, burst, maxDebt, fullInMs },
  };
}
