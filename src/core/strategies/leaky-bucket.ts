import { checkOptionNames } from '../options.js';
import { BacklogStrategy } from './backlog.js';

/**
 * Leaky bucket as a meter: the bucket holds L units and leaks L per period; a
 * hit is allowed iff its cost fits in the bucket. Smooth output, no burst
 * beyond L. `limit` = L; Infinity retry when c > L. Charge and refund: see
 * `BacklogStrategy`.
 */
export class LeakyBucketStrategy extends BacklogStrategy {
  readonly name = 'leaky-bucket';

  constructor(options?: Record<string, never>) {
    super();
    this.owner = 'LeakyBucketStrategy';
    checkOptionNames('LeakyBucketStrategy', options, []);
  }
}
