/**
 * GraphQL operation cost budgets, one run:
 * 1. Analysis time per operation: `operationCost` against
 *    graphql-query-complexity's `getComplexity` (field extensions + simple
 *    estimators) on the same schema and the same queries (connections sized by
 *    literals and variables, fragments, a union, a mutation). The two price
 *    by different rules; this compares the time to price.
 * 2. What the budget adds per operation on Redis (a private redis-server):
 *    the same query with graphql-js `execute`, and over HTTP with GraphQL
 *    Yoga, with and without the budget (charge + refund: two round trips,
 *    counted with redis' own script-call counter), as a share of the bare query.
 */
import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import { execute, parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { createYoga } from 'graphql-yoga';
import { RedisBackend } from '../../src/redis.js';
import { costBudget, operationCost, type CostBudget } from '../../src/graphql/index.js';
import { startRedis } from '../../test/harness/servers.js';
import { shopSchema } from '../../test/graphql/cost/shop-schema.js';
import { measure, printGrid, printTable, type Measurement } from '../lib.js';
import { listenOnFreePort, type RunningServer } from '../../test/support/http-server.js';

const ROUNDS = 3;
const ROUND_MS = Math.max(200, Math.round(Number(process.env.BENCH_MS ?? 1500) / ROUNDS));

/** The priced operations, with their variables. */
const OPERATIONS: { name: string; document: DocumentNode; variables: Record<string, unknown> }[] = [
  ['nested connections (variable)', 'query($n: Int!) { products(first: $n) { edges { cursor node { id title price { amount } variants(first: 5) { edges { node { id sku } } } } } pageInfo { hasNextPage } } }', { n: 20 }],
  ['fragments', 'query { products(first: 10) { nodes { ...P } } shop { name } } fragment P on Product { id title price { amount } variants(first: 3) { edges { node { ...V } } } } fragment V on Variant { id sku }', {}],
  ['union with inline fragments', '{ search(term: "x", limit: 8) { ... on Product { id title } ... on Article { title author { name } } } }', {}],
  ['mutation', 'mutation { createProduct(input: { title: "t", tags: ["a", "b"] }) { id title price { amount } } }', {}],
].map(([name, query, variables]) => ({ name: name as string, document: parse(query as string), variables: variables as Record<string, unknown> }));

/** Best of `ROUNDS` interleaved rounds per case. */
async function bestOf(cases: readonly [string, () => unknown][]): Promise<Map<string, Measurement>> {
  const best = new Map<string, Measurement>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, fn] of cases) {
      const m = await measure(name, fn, { durationMs: ROUND_MS, warmupMs: 100 });
      const previous = best.get(name);
      if (previous === undefined || m.opsPerSec > previous.opsPerSec) best.set(name, m);
    }
  }
  return best;
}

async function analysisSuite(schema: GraphQLSchema): Promise<void> {
  const estimators = [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })];
  const cases: [string, () => unknown][] = [];
  for (const { name, document, variables } of OPERATIONS) {
    cases.push([`${name}: traffik operationCost`, () => operationCost(schema, document, variables)]);
    cases.push([`${name}: getComplexity`, () => getComplexity({ schema, query: document, variables, estimators })]);
  }
  const best = await bestOf(cases);
  const rows = OPERATIONS.map(({ name }) => {
    const ours = best.get(`${name}: traffik operationCost`)!;
    const peer = best.get(`${name}: getComplexity`)!;
    return [name, ours.meanUs.toFixed(1), peer.meanUs.toFixed(1), `${(peer.meanUs / ours.meanUs).toFixed(2)}x`];
  });
  printGrid(`Analysis time per operation (µs, best of ${ROUNDS} interleaved rounds)`, ['operation', 'traffik operationCost', 'graphql-query-complexity getComplexity', 'peer / traffik'], rows);
}

/** A Yoga server on port 0; resolves with its URL and a stop function. */
function yogaServer(schema: GraphQLSchema, budget?: CostBudget): Promise<RunningServer> {
  return listenOnFreePort(createServer(createYoga({ schema, logging: false, plugins: budget === undefined ? [] : [budget.envelop()] })));
}

/** Script calls (EVALSHA / EVAL) redis ran since its stats were reset: one per round trip of the backend. */
async function scriptCalls(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  let calls = 0;
  for (const match of info.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+)/g)) calls += Number(match[1]);
  return calls;
}

async function budgetSuite(schema: GraphQLSchema): Promise<void> {
  const server = await startRedis();
  const redis = new Redis(server.url);
  const backend = new RedisBackend({ url: server.url, namespace: 'bench-cost' });
  const budget = costBudget({ backend, identify: () => 'bench', maximumAvailable: 1_000_000_000, restoreRate: 1_000_000_000, maxCost: 1_000_000 });
  const document = OPERATIONS[0]!.document;
  const variableValues = OPERATIONS[0]!.variables;
  const budgeted = budget.wrapExecute(execute);
  const plainYoga = await yogaServer(schema);
  const budgetYoga = await yogaServer(schema, budget);
  const body = JSON.stringify({ query: 'query($n: Int!) { products(first: $n) { edges { cursor node { id title price { amount } variants(first: 5) { edges { node { id sku } } } } } pageInfo { hasNextPage } } }', variables: variableValues });
  const post = async (url: string): Promise<void> => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    if (!response.ok) throw new Error(`bench query failed: ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
  };
  try {
    // Round trips per operation, from redis' own counter of script calls.
    await redis.config('RESETSTAT');
    for (let i = 0; i < 100; i++) await budgeted({ schema, document, variableValues });
    const perOperation = (await scriptCalls(redis)) / 100;
    const best = await bestOf([
      ['execute, no budget', () => execute({ schema, document, variableValues })],
      ['execute, budget on Redis', () => budgeted({ schema, document, variableValues })],
      ['Yoga over HTTP, no budget', () => post(plainYoga.url)],
      ['Yoga over HTTP, budget on Redis', () => post(budgetYoga.url)],
    ]);
    const share = (bare: string, withBudget: string): string[] => {
      const added = best.get(withBudget)!.meanUs - best.get(bare)!.meanUs;
      return [withBudget, `${best.get(bare)!.meanUs.toFixed(1)} µs`, `${added.toFixed(1)} µs`, `${((added / best.get(bare)!.meanUs) * 100).toFixed(0)}%`];
    };
    printGrid(`Time the budget adds per operation (Redis script calls per operation: ${perOperation.toFixed(2)})`, ['case', 'bare query', 'added', 'share of bare'], [
      share('execute, no budget', 'execute, budget on Redis'),
      share('Yoga over HTTP, no budget', 'Yoga over HTTP, budget on Redis'),
    ]);
    printTable(`One operation per call (nested connections, requested cost ${operationCost(schema, document, variableValues).requested}), serial, best of ${ROUNDS} rounds`, [...best.values()]);
  } finally {
    await plainYoga.stop();
    await budgetYoga.stop();
    await backend.close();
    redis.disconnect();
    await server.stop();
  }
}

export default async function suite(): Promise<void> {
  const schema = shopSchema();
  await analysisSuite(schema);
  await budgetSuite(schema);
}
