export { Throttle } from './throttle.js';
export { defaultBackend } from './default-backend.js';
export type {
  ThrottleOptions, HitOptions, ContextOptions, WaitOptions, CostFunction, BackendFunction, Logger, ThrottleMode,
} from './options.js';
export type { Rates, RateFunction } from '../rate-set.js';
