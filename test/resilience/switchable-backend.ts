/**
 * An in-process backend that a test can take down (every call rejects, as a
 * refused connection does) or freeze (calls never answer, as a stuck store),
 * and bring back. Counts the calls that reached it. Used by the handler unit
 * tests; the fault tests kill real redis-server / memcached processes instead.
 */
import { BackendConnectionError, InMemoryBackend, type ApplyRequest, type Backend, type BatchRequest, type StepDecision } from '../../src/index.js';
import type { ReadRequest, ReadResult } from '../../src/core/backends/backend.js';

export class SwitchableBackend implements Backend {
  readonly namespace: string;
  readonly onError = undefined;
  readonly timeoutMs: number | undefined;
  mode: 'up' | 'down' | 'stuck' = 'up';
  calls = 0;
  readonly inner: InMemoryBackend;

  constructor(options: { clock?: () => number; timeoutMs?: number; namespace?: string } = {}) {
    this.namespace = options.namespace ?? 'switchable';
    this.inner = new InMemoryBackend({ namespace: this.namespace, ...(options.clock ? { clock: options.clock } : {}) });
    this.timeoutMs = options.timeoutMs;
  }

  private gate<T>(run: () => Promise<T>): Promise<T> {
    this.calls++;
    if (this.mode === 'down') return Promise.reject(new BackendConnectionError(`${this.namespace}: connection refused`));
    if (this.mode === 'stuck') return new Promise<T>(() => undefined);
    return run();
  }

  apply(request: ApplyRequest): Promise<StepDecision[]> {
    return this.gate(() => this.inner.apply(request));
  }
  applyBatch(request: BatchRequest): Promise<StepDecision[][]> {
    return this.gate(() => this.inner.applyBatch(request));
  }
  read(request: ReadRequest): Promise<ReadResult> {
    return this.gate(() => this.inner.read(request));
  }
  reset(scope: string, keys: readonly string[]): Promise<void> {
    return this.inner.reset(scope, keys);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
