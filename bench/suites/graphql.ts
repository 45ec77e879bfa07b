/**
 * GraphQL: one query for a list of 1,000 items whose `name` field is
 * limited, executed with graphql-js `execute` (no HTTP, so the limiter's own
 * cost shows). Same run, a private redis-server: no limiter,
 * graphql-rate-limit-directive on rate-limiter-flexible's RateLimiterRedis
 * (one Redis call per item), and ours on Redis (the list's 1,000 hits in one
 * script call), plus ours in-process and ours with a later flush
 * (setImmediate) to compare batching schedules. Limits are high enough that
 * every item is admitted, so every case does the same GraphQL work.
 * Note the peer's 1,000 calls are pipelined by ioredis (all resolvers start
 * in one tick), so it pays 1,000 script runs, not 1,000 sequential trips.
 */
import { Redis } from 'ioredis';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { execute, parse, type GraphQLSchema } from 'graphql';
import { rateLimitDirective as peerDirective } from 'graphql-rate-limit-directive';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { InMemoryBackend } from '../../src/index.js';
import { RedisBackend } from '../../src/redis.js';
import { rateLimitDirective, type FlushScheduler } from '../../src/graphql/index.js';
import { startRedis } from '../../test/harness/servers.js';
import { measure, printGrid, printTable, type Measurement } from '../lib.js';

const ITEMS = 1000;
const PEER = 'graphql-rate-limit-directive + RateLimiterRedis';
const ROUNDS = 5;
const ROUND_MS = Math.max(200, Math.round(Number(process.env.BENCH_MS ?? 1500) / ROUNDS));
const items = Array.from({ length: ITEMS }, (_, i) => ({ id: i, name: `item ${i}` }));
const resolvers = { Query: { items: async () => items } };
const document = parse('{ items { id name } }');

function plainSchema(): GraphQLSchema {
  return makeExecutableSchema({ typeDefs: 'type Query { items: [Item!]! } type Item { id: Int! name: String }', resolvers });
}

function peerSchema(redis: Redis): GraphQLSchema {
  const { rateLimitDirectiveTypeDefs, rateLimitDirectiveTransformer } = peerDirective<{ user: string }>({
    limiterClass: RateLimiterRedis,
    limiterOptions: { storeClient: redis, keyPrefix: 'peer' } as never,
    keyGenerator: (_directiveArgs, _source, _args, context, info) => `${context.user}:${info.parentType.name}.${info.fieldName}`,
  });
  return rateLimitDirectiveTransformer(makeExecutableSchema({
    typeDefs: [rateLimitDirectiveTypeDefs, 'type Query { items: [Item!]! } type Item { id: Int! name: String @rateLimit(limit: 100000000, duration: 3600) }'],
    resolvers,
  }));
}

function ourSchema(backend: RedisBackend | InMemoryBackend, scheduleFlush?: FlushScheduler): GraphQLSchema {
  const { typeDefs, transformer } = rateLimitDirective<{ user: string }>({
    backend,
    identify: (context) => context.user,
    ...(scheduleFlush ? { scheduleFlush } : {}),
  });
  return transformer(makeExecutableSchema({
    typeDefs: [typeDefs, 'type Query { items: [Item!]! } type Item { id: Int! name: String @rateLimit(rate: "100000000/hour") }'],
    resolvers,
  }));
}

async function run(schema: GraphQLSchema): Promise<void> {
  const result = await execute({ schema, document, contextValue: { user: 'bench' } });
  if (result.errors !== undefined) throw new Error(`benchmark query failed: ${result.errors[0]!.message}`);
}

export default async function suite(): Promise<void> {
  const server = await startRedis();
  const redis = new Redis(server.url);
  const backend = new RedisBackend({ url: server.url, namespace: 'bench-graphql' });
  try {
    const cases: [string, GraphQLSchema][] = [
      ['no limiter', plainSchema()],
      [PEER, peerSchema(redis)],
      ['traffik @rateLimit, Redis', ourSchema(backend)],
      ['traffik @rateLimit, Redis, flush on setImmediate', ourSchema(backend, (flush) => void setImmediate(flush))],
      ['traffik @rateLimit, in-process', ourSchema(new InMemoryBackend())],
    ];
    // The machine is shared: measure in rounds, cases interleaved, and keep each case's best round.
    const best = new Map<string, Measurement>();
    for (const [, schema] of cases) await run(schema);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, schema] of cases) {
        const m = await measure(name, () => run(schema), { durationMs: ROUND_MS, warmupMs: 100 });
        const previous = best.get(name);
        if (previous === undefined || m.opsPerSec > previous.opsPerSec) best.set(name, m);
      }
    }
    const rows = cases.map(([name]) => best.get(name)!);
    const plain = best.get('no limiter')!.meanUs;
    const peerAdded = best.get(PEER)!.meanUs - plain;
    const added = rows.filter((r) => r.name !== 'no limiter').map((r) => {
      const extra = r.meanUs - plain;
      return [r.name, `${(extra / 1000).toFixed(2)} ms`, `${(extra / ITEMS).toFixed(2)} µs`, `${(peerAdded / extra).toFixed(1)}x`];
    });
    printGrid('Time the limiter adds to that query (mean minus "no limiter")', ['case', 'added per query', 'added per item', 'peer / this'], added);
    printTable(`A list of ${ITEMS.toLocaleString('en')} items with a limited field, one query per call, serial, best of ${ROUNDS} interleaved rounds`, rows, PEER);
  } finally {
    await backend.close();
    redis.disconnect();
    await server.stop();
  }
}
