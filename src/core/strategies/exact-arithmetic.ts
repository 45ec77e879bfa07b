import { ConfigurationError } from '../errors.js';
import type { Rate } from '../rate.js';

/**
 * Refuses a rate for which one of a strategy's integer products would leave
 * the range where doubles are exact (above 2^53 - 1), so TypeScript and the
 * Lua twins could round differently. `what` names the product in the message
 * (e.g. "limit x period"); callers pass products of the rate already reduced
 * by gcd(limit, period) where their formulas allow (SEMANTICS.md "Notation"),
 * so only rates that stay too large even then are refused.
 */
export function checkExactProduct(owner: string, rate: Rate, what: string, value: number): void {
  if (rate.unlimited || value <= Number.MAX_SAFE_INTEGER) return;
  throw new ConfigurationError(
    `${owner}: rate ${rate.limit}/${rate.periodMs}ms is too large for exact arithmetic: ${what} = ${value} must stay below 2^53` +
      ' even with the rate reduced by gcd(limit, period); use a shorter period or a smaller limit',
  );
}
