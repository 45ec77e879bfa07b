/**
 * tRPC: requests per second of a trivial query over HTTP (standalone adapter
 * in its own process; a keep-alive http.Agent client with 64 calls in
 * flight), bare and behind rate-limit middlewares, in the same run. Rounds
 * alternate between the cases to spread machine noise; each case's best round
 * is reported. Throughput on a shared machine is noisy, so the overhead is
 * also measured as the server process's CPU time per request (user + system),
 * which other processes on the machine barely move: median over the rounds.
 */
import { spawn } from 'node:child_process';
import { Agent, get } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { IncomingMessage } from 'node:http';
import { initTRPC } from '@trpc/server';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { InMemoryBackend } from '../../src/index.js';
import { rateLimit } from '../../src/trpc/index.js';
import { measure, printGrid, formatOps, type Measurement } from '../lib.js';

const CONCURRENCY = 64;
const signed = (value: number): string => `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;
const ROUNDS = 5;
const cases: [string, string][] = [
  ['bare query (no limiter)', 'bare'],
  ['traffik rateLimit (in-process backend)', 'traffik'],
  ['traffik rateLimit, headers: "always"', 'traffikHeaders'],
  ['rate-limiter-flexible RateLimiterMemory in a hand-written middleware', 'peer'],
];

/**
 * The middleware's own cost without HTTP: the same procedures called through
 * `createCaller`, one at a time, best of several alternating rounds (µs per
 * call). A no-op middleware shows what tRPC itself charges for one more layer.
 */
async function inProcess(): Promise<void> {
  const t = initTRPC.context<{ req: IncomingMessage }>().create();
  const backend = new InMemoryBackend({ namespace: 'bench-caller' });
  const peer = new RateLimiterMemory({ points: 1_000_000_000, duration: 3600 });
  const router = t.router({
    bare: t.procedure.query(() => 'ok'),
    noop: t.procedure.use(({ next }) => next()).query(() => 'ok'),
    traffik: t.procedure.use(rateLimit({ uid: 'bench', rate: '100000000/hour', backend })).query(() => 'ok'),
    peer: t.procedure.use(async ({ ctx, next }) => {
      await peer.consume(ctx.req.socket.remoteAddress ?? 'unknown');
      return next();
    }).query(() => 'ok'),
  });
  const caller = t.createCallerFactory(router)({ req: { socket: { remoteAddress: '127.0.0.1' }, headers: {} } as IncomingMessage });
  const names = [
    ['bare query', 'bare'], ['no-op middleware (tRPC layer cost)', 'noop'],
    ['traffik rateLimit', 'traffik'], ['rate-limiter-flexible in a middleware', 'peer'],
  ] as const;
  const best = new Map<string, number>();
  const calls = Math.max(5_000, Math.round(Number(process.env.BENCH_MS ?? 1500) * 20));
  for (let round = 0; round < 6; round++) {
    for (const [, name] of names) {
      const start = performance.now();
      for (let i = 0; i < calls; i++) await caller[name]();
      const us = ((performance.now() - start) * 1000) / calls;
      best.set(name, Math.min(best.get(name) ?? Infinity, us));
    }
  }
  const bare = best.get('bare')!;
  printGrid(
    'tRPC in process (createCaller, one call at a time, best of 6 rounds)',
    ['case', 'µs per call', 'over the bare query'],
    names.map(([label, name]) => [label, best.get(name)!.toFixed(2), name === 'bare' ? '' : `+${(best.get(name)! - bare).toFixed(2)} µs`]),
  );
  await backend.close();
}

export default async function run(): Promise<void> {
  await inProcess();
  const script = fileURLToPath(new URL('../trpc/server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /PORT (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const call = (path: string): Promise<string> => new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: `/${path}`, agent }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`${path}: HTTP ${res.statusCode}`));
      let body = '';
      res.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
  const serverCpuUs = async (): Promise<number> => (JSON.parse(await call('cpu')) as { result: { data: number } }).result.data;
  try {
    const best = new Map<string, Measurement>();
    const cpuPerCall = new Map<string, number[]>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, path] of cases) {
        let calls = 0;
        const cpuBefore = await serverCpuUs();
        const m = await measure(name, () => { calls++; return call(path); }, { concurrency: CONCURRENCY, warmupMs: 200 });
        const cpuUs = (await serverCpuUs()) - cpuBefore;
        cpuPerCall.set(name, [...(cpuPerCall.get(name) ?? []), cpuUs / calls]);
        const known = best.get(name);
        if (known === undefined || m.opsPerSec > known.opsPerSec) best.set(name, m);
      }
    }
    const median = (list: number[]): number => {
      const sorted = [...list].sort((a, b) => a - b);
      return sorted[Math.floor(sorted.length / 2)]!;
    };
    const bare = best.get(cases[0]![0])!;
    printGrid(
      `tRPC over HTTP: trivial query, standalone adapter, ${CONCURRENCY} in flight (best of ${ROUNDS} rounds)`,
      ['case', 'req/s', 'mean ms', 'throughput vs bare', 'server CPU µs/req', 'CPU overhead vs bare'],
      cases.map(([name]) => {
        const m = best.get(name)!;
        const cpu = median(cpuPerCall.get(name)!);
        const bareCpu = median(cpuPerCall.get(bare.name)!);
        const self = name === bare.name;
        return [
          name, formatOps(m.opsPerSec), (m.meanUs / 1000).toFixed(2),
          self ? '' : `${signed((m.opsPerSec / bare.opsPerSec - 1) * 100)}%`,
          cpu.toFixed(1), self ? '' : `${signed(cpu - bareCpu)} µs (${signed((cpu / bareCpu - 1) * 100)}%)`,
        ];
      }),
    );
  } finally {
    agent.destroy();
    child.stdin!.end();
  }
}
