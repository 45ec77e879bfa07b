import { InMemoryBackend } from '../backends/in-memory.js';

let sharedBackend: InMemoryBackend | undefined;

/** The in-process backend used by throttles created without one: created on first use, one per process. */
export function defaultBackend(): InMemoryBackend {
  sharedBackend ??= new InMemoryBackend({ namespace: 'traffik' });
  return sharedBackend;
}
