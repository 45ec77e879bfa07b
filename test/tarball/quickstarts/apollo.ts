/**
 * docs/graphql.md "Apollo Server 5, complete", run as written
 * (apollo.snippet.ts; the test's loopback client stands for the trusted
 * load balancer): three clients, told apart by X-Forwarded-For, get three
 * budgets of 3 quotes a minute; each one's fourth quote is RATE_LIMITED
 * (HTTP 429 with Retry-After).
 */
import { server, url } from './apollo.snippet.js';
import { clearOfWindowEdge, postQuery, report, whenListening } from './driver.js';

await clearOfWindowEdge(60_000, 3000);
const clients: Record<string, unknown[]> = {};
for (const address of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
  const answers = [];
  for (let i = 0; i < 4; i++) {
    const answer = await whenListening(() => postQuery(url, '{ quote }', { 'x-forwarded-for': address }));
    answers.push({ status: answer.status, retryAfter: answer.retryAfter, quote: (answer.body.data as { quote?: number } | undefined)?.quote ?? null, code: answer.body.errors?.[0]?.extensions?.code ?? null });
  }
  clients[address] = answers;
}
await server.stop();
report({ clients });
