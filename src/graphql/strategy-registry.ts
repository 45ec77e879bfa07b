import { STRATEGY_CATALOGUE } from '../core/strategies/catalogue.js';
import type { AnyStrategy } from '../core/index.js';

/**
 * The strategies a directive can name with `strategy: "..."` without any
 * registration: every built-in of the strategy catalogue
 * (src/core/strategies/catalogue.ts) that can be built without options,
 * each with its default options ("tiered" and "time-of-day" need their
 * tiers or periods: register an instance under the `strategies` option).
 * "concurrency-limit" holds a slot per hit until its lease ends when the
 * integration does not release it. A `strategies` option adds names and
 * wins over these.
 */
export function builtInStrategies(): Record<string, AnyStrategy> {
  const out: Record<string, AnyStrategy> = {};
  for (const entry of STRATEGY_CATALOGUE) {
    if (!entry.needsOptions) out[entry.name] = entry.create();
  }
  return out;
}
