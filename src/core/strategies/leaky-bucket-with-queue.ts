import { checkOptionNames, checkWholeNumber } from '../options.js';
import type { Rate } from '../rate.js';
import { BacklogStrategy, type BacklogState } from './backlog.js';
import { checkScaledCapacity } from './token-bucket.js';
import { describeQueue } from './describe-state.js';
import type { StateDescription } from './strategy.js';

/** Options of `LeakyBucketWithQueueStrategy`. */
export interface LeakyBucketWithQueueOptions {
  /** How many units may wait in the queue, Q >= 1 (default: the rate's limit). */
  queueSize?: number;
}

/**
 * Leaky bucket with a queue (nginx `limit_req` with a burst): up to Q units
 * wait their turn and leave at L per period. An allowed hit carries
 * `delayMs = ceil(y' / L)`, the time for the backlog ahead of it to drain;
 * the integrations wait that long before running the request. `limit` = Q.
 */
export class LeakyBucketWithQueueStrategy extends BacklogStrategy {
  readonly name: string;
  /** The configured queue size, or undefined for "the rate's limit". */
  readonly queueSize: number | undefined;

  constructor(options: LeakyBucketWithQueueOptions = {}) {
    super();
    checkOptionNames('LeakyBucketWithQueueStrategy', options, ['queueSize']);
    this.queueSize = options.queueSize === undefined ? undefined : checkWholeNumber('LeakyBucketWithQueueStrategy', 'queueSize', options.queueSize, 1);
    this.name = `leaky-bucket-queue:${this.queueSize ?? 'L'}`;
    this.size = this.queueSize;
    this.delays = true;
  }

  /** Units waiting in the queue, and how long a hit now would wait. */
  override describe(state: BacklogState | undefined, now: number, rate: Rate): StateDescription {
    return describeQueue(state, now, rate, this.capacity(rate));
  }
  validateRate(rate: Rate): void {
    checkScaledCapacity('LeakyBucketWithQueueStrategy', this.capacity(rate), rate);
  }
}
