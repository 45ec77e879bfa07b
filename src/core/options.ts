import { ConfigurationError, describeValue } from './errors.js';

/**
 * Throws `ConfigurationError` when `options` has a key outside `known`, or is
 * not an object. Catches typos such as `burstsize` at construction.
 */
export function checkOptionNames(owner: string, options: unknown, known: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object') {
    throw new ConfigurationError(`${owner}: options must be an object, got ${describeValue(options)}`);
  }
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) {
      throw new ConfigurationError(
        `${owner}: unknown option "${name}" (known: ${known.length ? known.join(', ') : 'none'})`,
      );
    }
  }
}

/** Returns `value` when it is a whole number within [min, max]; throws `ConfigurationError` naming it otherwise. */
export function checkWholeNumber(owner: string, name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigurationError(
      `${owner}: ${name} must be a whole number between ${min} and ${max}, got ${describeValue(value)}`,
    );
  }
  return value;
}
