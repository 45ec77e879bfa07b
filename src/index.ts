/**
 * The `traffik` entry: the core (rates, strategies, throttles, the in-process
 * backend, errors). Needs no optional dependency.
 */
export * from './core/index.js';
