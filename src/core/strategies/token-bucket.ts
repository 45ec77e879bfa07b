import { ConfigurationError } from '../errors.js';
import { checkOptionNames, checkWholeNumber } from '../options.js';
import type { Rate } from '../rate.js';
import { BacklogStrategy, type BacklogState } from './backlog.js';
import { describeTokenBucket } from './describe-state.js';
import type { StateDescription } from './strategy.js';

/** Options of `TokenBucketStrategy`. */
export interface TokenBucketOptions {
  /** Bucket capacity B in units (default: the rate's limit). A whole number >= 1. */
  burstSize?: number;
}

/**
 * Token bucket: a bucket of B tokens (default L) refilled at L per period.
 * A hit of cost c takes c tokens and is allowed iff that many are there.
 * Allows bursts up to B, then L per period. `limit` = B; Infinity retry when c > B.
 */
export class TokenBucketStrategy extends BacklogStrategy {
  readonly name: string;
  /** The configured burst size, or undefined for "the rate's limit". */
  readonly burstSize: number | undefined;

  constructor(options: TokenBucketOptions = {}) {
    super();
    checkOptionNames('TokenBucketStrategy', options, ['burstSize']);
    this.burstSize = options.burstSize === undefined ? undefined : checkWholeNumber('TokenBucketStrategy', 'burstSize', options.burstSize, 1);
    this.name = `token-bucket:${this.burstSize ?? 'L'}`;
    this.size = this.burstSize;
  }

  /** Tokens left of the burst, and when the bucket is full again. */
  override describe(state: BacklogState | undefined, now: number, rate: Rate): StateDescription {
    return describeTokenBucket(state, now, rate, this.capacity(rate), 0);
  }
  validateRate(rate: Rate): void {
    checkScaledCapacity('TokenBucketStrategy', this.capacity(rate), rate);
  }
}

/** Throws when capacity * P would not stay exact in double arithmetic. */
export function checkScaledCapacity(owner: string, capacity: number, rate: Rate): void {
  if (!rate.unlimited && capacity * rate.periodMs > 2 ** 51) {
    throw new ConfigurationError(
      `${owner}: capacity ${capacity} x period ${rate.periodMs} ms is too large for exact arithmetic (must stay below 2^51)`,
    );
  }
}
