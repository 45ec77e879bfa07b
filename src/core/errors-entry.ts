/**
 * Every error class Traffik throws, in one list: the root entry and
 * `traffik/errors` both export exactly this.
 */
export {
  TraffikError, ConfigurationError, RateLimitExceededError, BackendError, BackendConnectionError, BackendTimeoutError,
  CircuitOpenError, FunctionTimeoutError, WaitTimeoutError,
} from './errors.js';
