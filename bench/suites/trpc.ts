/**
 * tRPC: requests per second of a trivial query over HTTP (standalone adapter
 * in its own process; a keep-alive http.Agent client with 64 calls in
 * flight), bare and behind rate-limit middlewares, in the same run. Rounds
 * alternate between the cases to spread machine noise; each case's best round
 * is reported, with its overhead against the bare query.
 */
import { spawn } from 'node:child_process';
import { Agent, get } from 'node:http';
import { fileURLToPath } from 'node:url';
import { measure, printGrid, formatOps, type Measurement } from '../lib.js';

const CONCURRENCY = 64;
const ROUNDS = 3;
const cases: [string, string][] = [
  ['bare query (no limiter)', 'bare'],
  ['traffik rateLimit (in-process backend)', 'traffik'],
  ['traffik rateLimit, headers: "always"', 'traffikHeaders'],
  ['rate-limiter-flexible RateLimiterMemory in a hand-written middleware', 'peer'],
];

export default async function run(): Promise<void> {
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
  const call = (path: string): Promise<void> => new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: `/${path}`, agent }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`${path}: HTTP ${res.statusCode}`));
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  });
  try {
    const best = new Map<string, Measurement>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, path] of cases) {
        const m = await measure(name, () => call(path), { concurrency: CONCURRENCY, warmupMs: 200 });
        const known = best.get(name);
        if (known === undefined || m.opsPerSec > known.opsPerSec) best.set(name, m);
      }
    }
    const bare = best.get(cases[0]![0])!;
    printGrid(
      `tRPC over HTTP: trivial query, standalone adapter, ${CONCURRENCY} in flight (best of ${ROUNDS} rounds)`,
      ['case', 'req/s', 'mean ms', 'overhead vs bare'],
      cases.map(([name]) => {
        const m = best.get(name)!;
        const overhead = name === bare.name ? '' : `${((1 - m.opsPerSec / bare.opsPerSec) * 100).toFixed(1)}%`;
        return [name, formatOps(m.opsPerSec), (m.meanUs / 1000).toFixed(2), overhead];
      }),
    );
  } finally {
    agent.destroy();
    child.stdin!.end();
  }
}
