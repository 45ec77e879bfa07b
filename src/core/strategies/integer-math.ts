/**
 * Exact integer division for integers below 2^53 (JavaScript numbers are
 * doubles: `Math.floor(a / b)` can round the wrong way for large operands).
 * The Lua twins use the same functions, so both sides agree bit for bit.
 */

/** floor(a / b) for integers a and b > 0, exact. */
export function floorDiv(a: number, b: number): number {
  let q = Math.floor(a / b);
  const r = a - q * b;
  if (r < 0) q -= 1;
  else if (r >= b) q += 1;
  return q + 0; // never -0

}

/** ceil(a / b) for integers a and b > 0, exact. */
export function ceilDiv(a: number, b: number): number {
  return 0 - floorDiv(-a, b);
}
