/**
 * Issue 15 "Must show", as a new user meets the package: the packed tarball
 * in a scratch project, each integration's quick start taken from the docs
 * (test/tarball/quickstarts: the drivers; the doc snippets themselves are
 * extracted at test time by doc-snippet.ts), compiled with strict
 * TypeScript against the tarball's types, and run with node as child
 * processes against a real redis-server and memcached:
 * - core, Redis/Memcached from a URL, tRPC standalone (429 + Retry-After),
 *   GraphQL Yoga (RATE_LIMITED, 429), Apollo Server 5 (three clients behind
 *   a trusted proxy, three budgets; without `req` a clear error), graphql-ws
 *   with the real client, and CommonJS `require`;
 * - a wrong Redis URL: one log line and "rate limiter unavailable", never a
 *   rate limit.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, startRedis, type RedisServer } from '../harness/servers.js';
import { assertDocContains, docSnippet, type DocSnippet } from './doc-snippet.js';
import { createScratchProject, runScript, type ScratchProject } from './scratch.js';

const here = join(import.meta.dirname, 'quickstarts');
const redisUrlLine = "'redis://127.0.0.1:6379/0'";
const fromEnv = 'process.env.REDIS_URL!';

const apollo: DocSnippet = {
  file: 'docs/graphql.md', marker: 'startStandaloneServer(server',
  // The test's client connects from loopback, standing for the load balancer the page trusts.
  replace: [["trustProxy: ['10.0.0.0/8'],", "trustProxy: ['10.0.0.0/8', '127.0.0.1'],"], ['port: 4000', 'port: Number(process.env.PORT)']],
  exports: ['server', 'url'],
};
/** The doc snippets the drivers import, by the generated file's name. */
const snippets: Record<string, DocSnippet> = {
  'core.snippet.ts': { file: 'README.md', marker: "new TokenBucketStrategy({ burstSize: 150 })", exports: ['throttle', 'd'] },
  'redis-url.snippet.ts': {
    file: 'README.md', marker: 'const memcached = new MemcachedBackend(',
    replace: [[redisUrlLine, fromEnv], ["'127.0.0.1:11211'", 'process.env.MEMCACHED_SERVERS!']], exports: ['redis', 'memcached'],
  },
  'yoga.snippet.ts': {
    file: 'docs/graphql.md', marker: 'createYoga<object, Context>',
    replace: [[redisUrlLine, fromEnv], ['.listen(4000)', '.listen(Number(process.env.PORT))']],
  },
  'apollo.snippet.ts': apollo,
  'apollo-no-req.snippet.ts': {
    ...apollo,
    replace: [
      ...apollo.replace!,
      ['new ApolloServer<{ req: IncomingMessage }>(', 'new ApolloServer('],
      ['  context: async ({ req }) => ({ req }),   // the one line the default identity needs\n', ''],
    ],
  },
  'graphql-ws.snippet.ts': {
    file: 'docs/graphql-ws.md', marker: 'rateLimitSubscriptions(',
    replace: [[redisUrlLine, fromEnv], ['http.listen(4000)', 'http.listen(Number(process.env.PORT))']],
  },
};

let project: ScratchProject;
let redis: RedisServer;
let compiled = false;

beforeAll(async () => {
  [project, redis] = await Promise.all([
    createScratchProject(['@trpc/client', 'graphql-yoga', '@apollo/server', '@graphql-tools/schema', 'ws', '@types/ws']),
    startRedis(),
  ]);
  const src = join(project.dir, 'src');
  mkdirSync(src);
  for (const file of readdirSync(here)) copyFileSync(join(here, file), join(src, file));
  writeFileSync(join(project.dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', types: ['node'],
      skipLibCheck: true, esModuleInterop: true, rootDir: 'src', outDir: 'out',
    },
    include: ['src'],
  }));
}, 240_000);

afterAll(async () => {
  project?.remove();
  await redis?.stop();
});

/** Runs a compiled quick start; returns its RESULT and the other lines it printed (logs). */
async function quickstart<Result>(file: string, env: Record<string, string> = {}): Promise<{ result: Result; logs: string[] }> {
  expect(compiled, 'the quick starts did not compile').toBe(true);
  const port = String(await freePort());
  const run = await runScript(join('out', file), project.dir, { PORT: port, REDIS_URL: `${redis.url}/0`, MEMCACHED_SERVERS: inject('memcachedServers'), ...env });
  const lines = `${run.stdout}\n${run.stderr}`.split('\n').filter((line) => line.trim() !== '');
  const resultLine = lines.find((line) => line.startsWith('RESULT '));
  if (run.code !== 0 || resultLine === undefined) {
    throw new Error(`${file} exited ${run.code ?? run.signal} without a result:\n${run.stdout}\n${run.stderr}`);
  }
  return { result: JSON.parse(resultLine.slice('RESULT '.length)) as Result, logs: lines.filter((line) => line !== resultLine) };
}

/** An HTTP answer to a GraphQL query, as the drivers report it (driver.ts postQuery). */
interface GraphQLAnswer {
  status: number;
  retryAfter: string | null;
  body: { data?: unknown; errors?: { message: string; extensions: Record<string, unknown> }[]; extensions?: unknown };
}
/** A decision as the drivers report it. */
interface Reported { allowed: boolean; remaining: number; retryAfterMs: number | null; error?: string | null }
/** A failed tRPC call as the drivers report it. */
interface CallError { code?: string; httpStatus?: number; message: string; rateLimit?: { retryAfterMs: number } }

/** The first error of an answer (failing the test when there is none). */
function firstError(answer: GraphQLAnswer): { message: string; extensions: Record<string, unknown> } {
  expect(answer.body.errors, JSON.stringify(answer.body)).toBeDefined();
  return answer.body.errors![0]!;
}

/** A redis:// URL of a free port nobody listens on. */
async function deadRedisUrl(): Promise<string> {
  return `redis://127.0.0.1:${await freePort()}/0`;
}

describe('quick starts from the packed tarball', () => {
  it('the hand-mirrored scripts still match the lines the docs show', () => {
    assertDocContains('docs/trpc.md', [
      '.meta<{ rateLimit?: RateLimitMeta }>()',
      '.create({ errorFormatter: rateLimitErrorFormatter });',
      "rateLimit: { rate: '10/second', strategy: new TokenBucketStrategy({ burstSize: 20 }) }",
      'createContext: ({ req, res }) => ({ req, res, userId: req.headers[\'x-user-id\']?.toString() }),',
    ]);
    assertDocContains('README.md', ['const procedure = t.procedure.use(rateLimit({ backend }));']);
    assertDocContains('docs/graphql-ws.md', [
      "const client = createClient({ url: 'ws://127.0.0.1:4000/graphql', connectionParams: { token: 'secret' } });",
      'const first = Array.isArray(error) ? (error[0] as { extensions?: LimitExtensions } | undefined) : undefined;',
    ]);
  });

  it('every quick start, with the doc snippets it runs, compiles under strict TypeScript against the tarball (ESM and CommonJS)', () => {
    for (const [file, source] of Object.entries(snippets)) writeFileSync(join(project.dir, 'src', file), docSnippet(source));
    project.tsc('tsconfig.json');
    compiled = true;
  }, 120_000);

  it('core (README "Quick start"): the bucket admits its burst of 150, then asks to wait at most one refill', async () => {
    const { result, logs } = await quickstart<{ runMs: number; first: Reported & { limit: number }; allowedAfter: number; denied: Reported }>('core.js');
    expect(result.first).toEqual({ allowed: true, limit: 150, remaining: 149 });
    // 100/minute refills a token every 600 ms while the script runs.
    expect(result.allowedAfter).toBeGreaterThanOrEqual(149);
    expect(result.allowedAfter).toBeLessThanOrEqual(149 + Math.ceil(result.runMs / 600));
    expect(result.denied.allowed).toBe(false);
    expect(result.denied.retryAfterMs).toBeGreaterThan(0);
    expect(result.denied.retryAfterMs!).toBeLessThanOrEqual(600);
    expect(logs).toEqual([]);
  });

  it('Redis and Memcached from their addresses (README): three of 3/hour allowed, the fourth denied with a wait', async () => {
    const { result } = await quickstart<Record<'redis' | 'memcached', Reported[]>>('redis-url.js');
    for (const backend of ['redis', 'memcached'] as const) {
      expect(result[backend].map((d) => d.allowed), backend).toEqual([true, true, true, false]);
      expect(result[backend][3]!.retryAfterMs, backend).toBeGreaterThan(0);
      expect(result[backend].map((d) => d.error), backend).toEqual([null, null, null, null]);
    }
  });

  it('tRPC standalone over HTTP with @trpc/client: a burst of 20 (and the refill meanwhile), then TOO_MANY_REQUESTS, 429 + Retry-After', async () => {
    const { result } = await quickstart<{ allowed: number; elapsedMs: number; limited: CallError; wire: Record<'retryAfter' | 'rateLimit' | 'policy', string | null> & { status: number } }>('trpc.js');
    // 10/second refills a token every 100 ms while the calls run.
    expect(result.allowed).toBeGreaterThanOrEqual(20);
    expect(result.allowed).toBeLessThanOrEqual(20 + Math.ceil(result.elapsedMs / 100));
    expect(result.limited).toMatchObject({ code: 'TOO_MANY_REQUESTS', httpStatus: 429, rateLimit: { limit: 20, remaining: 0 } });
    expect(result.limited.rateLimit?.retryAfterMs).toBeGreaterThan(0);
    expect(result.limited.rateLimit?.retryAfterMs).toBeLessThanOrEqual(100);
    expect(result.wire.status).toBe(429);
    expect(Number(result.wire.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(result.wire.rateLimit).not.toBeNull();
    expect(result.wire.policy).not.toBeNull();
  });

  it('GraphQL Yoga over HTTP (docs/graphql.md): the 101st unit of 100/minute is RATE_LIMITED, HTTP 429 + Retry-After', async () => {
    const { result, logs } = await quickstart<Record<'filled' | 'limited' | 'tooLarge' | 'me', GraphQLAnswer>>('yoga.js');
    expect(result.filled.status).toBe(200);
    expect(result.filled.body.errors).toBeUndefined();
    expect(result.limited.status).toBe(429);
    expect(Number(result.limited.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(firstError(result.limited).extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 100, remaining: 0 });
    expect(firstError(result.limited).extensions.retryAfterMs).toBeGreaterThan(0);
    expect(firstError(result.tooLarge).extensions).toMatchObject({ code: 'RATE_LIMITED', exceedsLimit: true, retryAfterMs: null });
    expect(firstError(result.tooLarge).message).toMatch(/never pass/);
    expect(result.tooLarge.retryAfter).toBeNull();
    expect(result.me.body).toEqual({ data: { me: { name: 'Ann' } }, extensions: expect.anything() });
    expect(logs).toEqual([]);
  });

  it('Apollo Server 5 as documented: three clients behind the trusted proxy get three budgets of 3', async () => {
    const { result } = await quickstart<{ clients: Record<string, { status: number; quote: number | null; code: string | null; retryAfter: string | null }[]> }>('apollo.js');
    expect(Object.keys(result.clients)).toHaveLength(3);
    for (const [address, answers] of Object.entries(result.clients)) {
      expect(answers.map((a) => a.quote), address).toEqual([42.5, 42.5, 42.5, null]);
      expect(answers[3], address).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
      expect(Number(answers[3]!.retryAfter), address).toBeGreaterThanOrEqual(1);
    }
  });

  it('Apollo Server 5 without req in the context: a clear error at the first request, naming the fix', async () => {
    const { result } = await quickstart<{ first: GraphQLAnswer }>('apollo-no-req.js');
    const error = firstError(result.first);
    expect(error.extensions.code).toBe('RATE_LIMITER_NO_CLIENT_ADDRESS');
    expect(error.message).toContain('context: async ({ req }) => ({ req })');
    expect(result.first.body.data).toEqual({ quote: null });
  });

  it('graphql-ws with the real client: events at 5/second, the 11th operation of 10/minute RATE_LIMITED, the socket kept', async () => {
    const { result } = await quickstart<{ prices: number[]; operations: { data?: unknown; extensions?: { code?: string; retryAfterMs?: number } }[]; closed: boolean }>('graphql-ws.js');
    // An endless stream, unlimited, would deliver thousands in a second; GCRA at 5/second spaces them 200 ms apart.
    expect(result.prices.length).toBeGreaterThanOrEqual(2);
    expect(result.prices.length).toBeLessThanOrEqual(7);
    const { operations } = result;
    expect(operations.slice(0, 9)).toEqual(Array(9).fill({ data: { hello: 'world' } }));
    expect(operations[9]!.extensions?.code).toBe('RATE_LIMITED');
    expect(operations[9]!.extensions?.retryAfterMs).toBeGreaterThan(0);
    expect(result.closed).toBe(false);
  });

  it('CommonJS require of the package runs the quick start on both backends', async () => {
    const { result } = await quickstart<{ moduleType: string; runMs: number; allowedLocally: number; shared: boolean[] }>('commonjs.cjs');
    const compiled = readFileSync(join(project.dir, 'out', 'commonjs.cjs'), 'utf8');
    expect(compiled).toContain('require("traffik")');
    expect(compiled).toContain('require("traffik/redis")');
    expect(result.moduleType).toBe('object');
    expect(result.allowedLocally).toBeGreaterThanOrEqual(150);
    expect(result.allowedLocally).toBeLessThanOrEqual(150 + Math.ceil(result.runMs / 600));
    expect(result.shared).toEqual([true, true, false]);
  });
});

describe('a wrong Redis URL (nobody listening): one log line, "rate limiter unavailable", never a rate limit', () => {
  it('GraphQL Yoga: RATE_LIMITER_UNAVAILABLE with HTTP 503, never RATE_LIMITED', async () => {
    const { result, logs } = await quickstart<{ answers: GraphQLAnswer[] }>('yoga-outage.js', { REDIS_URL: await deadRedisUrl() });
    for (const answer of result.answers) {
      expect(answer.status).toBe(503);
      expect(answer.body.errors?.map((e) => e.extensions.code)).toEqual(['RATE_LIMITER_UNAVAILABLE']);
      expect(firstError(answer).message).toMatch(/^Rate limiter unavailable/);
    }
    expect(logs, logs.join('\n')).toHaveLength(1);
    expect(logs[0]).toMatch(/^traffik: RedisBackend .*failed.*(unreachable|ECONNREFUSED|did not answer)/);
  });

  it('tRPC: SERVICE_UNAVAILABLE (503) "Rate limiter unavailable", never TOO_MANY_REQUESTS', async () => {
    const { result, logs } = await quickstart<{ calls: CallError[] }>('trpc-outage.js', { REDIS_URL: await deadRedisUrl() });
    for (const call of result.calls) {
      expect(call).toMatchObject({ code: 'SERVICE_UNAVAILABLE', httpStatus: 503 });
      expect(call.message).toMatch(/^Rate limiter unavailable/);
    }
    expect(logs, logs.join('\n')).toHaveLength(1);
    expect(logs[0]).toMatch(/^traffik: RedisBackend .*failed.*(unreachable|ECONNREFUSED|did not answer)/);
  });
});
