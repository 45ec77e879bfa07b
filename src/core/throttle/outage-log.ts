import { describeBackend } from '../backend-call.js';
import type { Backend } from '../backends/backend.js';
import type { Logger } from './options.js';

/** One backend's current outage: when it began and how many calls failed since. */
interface Outage {
  readonly since: number;
  failures: number;
}

/** Backends failing right now, across every throttle of the process (so one dead store logs one line). */
const outages = new WeakMap<Backend, Outage>();
/** How many entries `outages` holds: lets the healthy path skip the map with one comparison. */
let open = 0;

function tell(logger: Logger, level: 'warn' | 'error', message: string): void {
  try {
    logger[level](message);
  } catch {
    // A logger that throws must not turn a decided hit into a failure.
  }
}

/**
 * Records that `backend` failed a call of throttle `uid`. The first failure
 * of an outage is logged (`logger.error`) with the backend, its namespace,
 * the error's message and what the throttle does meanwhile; later failures
 * are only counted.
 */
export function backendFailed(logger: Logger, uid: string, backend: Backend, error: unknown, policy: string): void {
  const outage = outages.get(backend);
  if (outage !== undefined) {
    outage.failures++;
    return;
  }
  outages.set(backend, { since: Date.now(), failures: 1 });
  open++;
  const message = ((error as Error | undefined)?.message ?? String(error)).replace(/[.\s]+$/, '');
  tell(logger, 'error', `traffik: ${describeBackend(backend)} failed (throttle "${uid}"): ${message}. `
    + `Hits are decided by onError (${policy}) until it answers again; logged once per outage.`);
}

/**
 * Records that `backend` answered a call. Ends its outage, if one is open,
 * with one `logger.warn` line (how long it lasted, how many calls failed).
 * Costs one comparison while no backend is failing.
 */
export function backendAnswered(logger: Logger, backend: Backend): void {
  if (open === 0) return;
  const outage = outages.get(backend);
  if (outage === undefined) return;
  outages.delete(backend);
  open--;
  tell(logger, 'warn', `traffik: ${describeBackend(backend)} answers again after ${Date.now() - outage.since} ms `
    + `(${outage.failures} failed call${outage.failures === 1 ? '' : 's'} during the outage).`);
}
