/**
 * Fault scenarios run against real servers (a private redis-server or
 * memcached started, killed, frozen and restarted by the test): the same
 * steps for every remote backend, so Redis and Memcached are held to the
 * same promise.
 */
import { createConnection } from 'node:net';
import { expect } from 'vitest';
import {
  BackendError, CircuitBreaker, CircuitOpenError, failover, type CircuitState,
} from '../../src/errors.js';
import { InMemoryBackend, Throttle, type Backend, type Decision } from '../../src/index.js';
import type { ServerHandle } from '../harness/servers.js';

/** How long a remote call may take in these tests, and the slack a busy 2-core machine needs on top. */
export const TIMEOUT_MS = 300;
export const MARGIN_MS = 400;

/** Collects unhandled rejections while `run` goes on; resolves with them after a few turns of the event loop. */
export async function unhandledDuring(run: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => void seen.push(reason);
  process.on('unhandledRejection', listener);
  try {
    await run();
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    process.off('unhandledRejection', listener);
  }
  return seen;
}

async function timedHit(throttle: Throttle, key: string): Promise<{ decision: Decision; ms: number }> {
  const started = performance.now();
  const decision = await throttle.hit(key);
  return { decision, ms: performance.now() - started };
}

/**
 * Kill the server while 1,000 hits are in flight, with `failover` to an
 * in-process backend: every hit answered within its timeout plus a margin,
 * no unhandled rejection, the fallback deciding while the breaker is open;
 * restart the server: half-open, then closed, and hits go to it again.
 */
export async function killAndRecover(server: ServerHandle, makeBackend: () => Backend): Promise<void> {
  const primary = makeBackend();
  const clock = { now: 0 };
  const states: CircuitState[] = [];
  const breaker = new CircuitBreaker({
    failureThreshold: 5, recoveryTimeoutMs: 30_000, successThreshold: 3, clock: () => clock.now,
    onStateChange: (state) => void states.push(state),
  });
  const spare = new InMemoryBackend({ namespace: 'spare' });
  // maxRetries 0: a hit never waits more than one timeout (each retry may add one while the breaker is closed).
  const throttle = new Throttle({ uid: 'fault', rate: '1000000/hour', backend: primary, onError: failover({ backend: spare, breaker, maxRetries: 0 }) });
  const direct = new Throttle({ uid: 'fault', rate: '1000000/hour', backend: primary, onError: 'raise' });
  try {
    expect((await throttle.hit('warm')).error).toBeUndefined();

    const unhandled = await unhandledDuring(async () => {
      // 1,000 hits sent in ten waves a few ms apart; the server is killed (SIGKILL) after the third wave is sent,
      // so some hits are answered, some are on the wire when it dies, and the rest meet a dead server.
      const inFlight: Promise<{ decision: Decision; ms: number }>[] = [];
      let killed: Promise<void> | undefined;
      for (let wave = 0; wave < 10; wave++) {
        for (let i = 0; i < 100; i++) inFlight.push(timedHit(throttle, `user:${i % 50}`));
        if (wave === 2) killed = server.kill();
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
      await killed;
      const results = await Promise.all(inFlight);
      const slowest = Math.max(...results.map((r) => r.ms));
      expect(slowest).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
      expect(results.every((r) => r.decision.allowed)).toBe(true); // the limit is high: every hit is allowed by whoever decided it
      const fromFallback = results.filter((r) => r.decision.error !== undefined);
      expect(fromFallback.length).toBeGreaterThan(0);
      expect(results.length - fromFallback.length).toBeGreaterThan(0); // the server answered the first ones
      for (const r of fromFallback) expect(r.decision.error).toBeInstanceOf(BackendError);
    });
    expect(unhandled).toEqual([]);
    expect(breaker.state).toBe('open');

    // Open: the fallback decides at once, the dead primary is not called.
    const whileOpen = await Promise.all(Array.from({ length: 200 }, (_, i) => timedHit(throttle, `user:${i % 50}`)));
    for (const r of whileOpen) expect(r.decision.error).toBeInstanceOf(CircuitOpenError);
    expect(Math.max(...whileOpen.map((r) => r.ms))).toBeLessThan(TIMEOUT_MS / 2);

    // Restarted: after the recovery time the breaker lets trials through; they succeed once the client has reconnected.
    await server.restart();
    const deadline = Date.now() + 10_000;
    const stateNow = (): CircuitState => breaker.state; // read afresh each time (TypeScript would narrow a repeated property read)
    while (stateNow() !== 'closed' && Date.now() < deadline) {
      if (stateNow() === 'open') clock.now += 30_000;
      await throttle.hit('after');
      if (stateNow() !== 'closed') await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(breaker.state).toBe('closed');
    expect(states).toContain('half-open');
    expect(states.at(-1)).toBe('closed');

    // Closed again: hits go to the server.
    const before = (await direct.peek('after')).remaining;
    const back = await throttle.hit('after');
    expect(back.error).toBeUndefined();
    expect((await direct.peek('after')).remaining).toBe(before - 1);
  } finally {
    await primary.close();
  }
}

/** True when the server answers a one-line command (any reply, an error included) within 100 ms. */
function answers(server: ServerHandle): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: server.host, port: server.port }, () => socket.write('version\r\n'));
    const done = (answered: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answered);
    };
    const timer = setTimeout(() => done(false), 100);
    socket.once('data', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Waits until a paused server stops answering (SIGSTOP takes effect asynchronously). */
async function untilSilent(server: ServerHandle): Promise<void> {
  for (let i = 0; i < 50; i++) if (!(await answers(server))) return;
  throw new Error(`${server.host}:${server.port} still answers after SIGSTOP`);
}

/** Freeze the server (SIGSTOP): hits are answered within the timeout, not hung; thawed, it decides again. */
export async function stuckServer(server: ServerHandle, makeBackend: () => Backend): Promise<void> {
  const primary = makeBackend();
  const throttle = new Throttle({ uid: 'stuck', rate: '1000/minute', backend: primary, onError: 'allow' });
  try {
    expect((await throttle.hit('k')).error).toBeUndefined();
    server.pause();
    await untilSilent(server);
    const unhandled = await unhandledDuring(async () => {
      const results = await Promise.all(Array.from({ length: 20 }, () => timedHit(throttle, 'k')));
      for (const r of results) {
        expect(r.decision.allowed).toBe(true);
        expect(r.decision.error).toBeInstanceOf(BackendError);
        expect(r.ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
      }
    });
    expect(unhandled).toEqual([]);
    server.resume();
    const deadline = Date.now() + 5000;
    let decision = await throttle.hit('k');
    while (decision.error !== undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      decision = await throttle.hit('k');
    }
    expect(decision.error).toBeUndefined();
  } finally {
    server.resume();
    await primary.close();
  }
}

/** 'allow', 'throttle' and 'raise' against a dead server. */
export async function builtInPolicies(server: ServerHandle, makeBackend: () => Backend): Promise<void> {
  const primary = makeBackend();
  try {
    const make = (onError: 'allow' | 'throttle' | 'raise') => new Throttle({ uid: `p-${onError}`, rate: '10/minute', backend: primary, onError, minWaitMs: 700 });
    expect((await make('allow').hit('k')).error).toBeUndefined();
    await server.kill();
    const open = await make('allow').hit('k');
    expect(open.allowed).toBe(true);
    expect(open.error).toBeInstanceOf(BackendError);
    const closed = await make('throttle').hit('k');
    expect(closed).toMatchObject({ allowed: false, retryAfterMs: 700 });
    expect(closed.error).toBeInstanceOf(BackendError);
    await expect(make('raise').hit('k')).rejects.toBeInstanceOf(BackendError);
  } finally {
    await primary.close();
  }
}
