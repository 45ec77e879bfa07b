import type { Backend } from '../backends/backend.js';
import { ConfigurationError, describeValue } from '../errors.js';

/** Returns `backend` when it implements `Backend.apply`; throws `ConfigurationError` naming the value otherwise. */
export function checkBackend(owner: string, backend: unknown): Backend {
  if (backend === null || typeof backend !== 'object' || typeof (backend as Backend).apply !== 'function') {
    throw new ConfigurationError(`${owner}: backend must implement the Backend interface, got ${describeValue(backend)}`);
  }
  return backend as Backend;
}
