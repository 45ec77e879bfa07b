import { checkOptionNames } from '../options.js';
import type { Rate } from '../rate.js';
import { BacklogStrategy, drainBacklog, inWords, type BacklogState } from './backlog.js';
import { ceilDiv } from './integer-math.js';
import { checkPerRateOption, type PerRateOption } from './per-rate-option.js';
import type { StateDescription } from './strategy.js';
import { optionLabel } from './token-bucket.js';

/** Options of `LeakyBucketWithQueueStrategy`. */
export interface LeakyBucketWithQueueOptions {
  /**
   * How many units may wait in the queue, Q >= 1 (default: the rate's
   * limit), or a function of the rate (see `TokenBucketOptions.burstSize`;
   * the same multi-rate guard).
   */
  queueSize?: PerRateOption;
}

/**
 * Leaky bucket with a queue (nginx `limit_req` with a burst): up to Q units
 * wait their turn and leave at L per period. An allowed hit carries
 * `delayMs = ceil(y' / L)`, the time for the backlog ahead of it to drain;
 * the integrations wait that long before running the request. `limit` = Q.
 * Charge and refund (see `BacklogStrategy`) carry `delayMs` 0.
 */
export class LeakyBucketWithQueueStrategy extends BacklogStrategy {
  readonly name: string;
  /** The configured queue size (a number or a function of the rate), or undefined for "the rate's limit". */
  readonly queueSize: PerRateOption | undefined;

  constructor(options: LeakyBucketWithQueueOptions = {}) {
    super();
    this.owner = 'LeakyBucketWithQueueStrategy';
    this.sizeName = 'queueSize';
    checkOptionNames(this.owner, options, ['queueSize']);
    this.queueSize = checkPerRateOption(this.owner, 'queueSize', options.queueSize, 1);
    this.name = `leaky-bucket-queue:${optionLabel(this.queueSize)}`;
    this.size = this.queueSize;
    this.delays = true;
  }

  /** Units waiting in the queue, and how long a hit now would wait. */
  override describe(state: BacklogState | undefined, now: number, rate: Rate): StateDescription {
    const y = drainBacklog(state, now, rate.reducedLimit);
    const queued = y / rate.reducedPeriodMs;
    const queueSize = this.capacity(rate);
    const waitMs = ceilDiv(y, rate.reducedLimit);
    return {
      summary: `${inWords(queued)} of ${queueSize} queued; a hit now waits ${waitMs} ms`,
      values: { queued, queueSize, waitMs },
    };
  }
}
