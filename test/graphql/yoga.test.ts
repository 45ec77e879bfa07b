import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema, startYoga, type ManualClock, type RunningServer } from './fixtures.js';
import { describeDirectiveOverHttp } from './scenarios.js';

describeDirectiveOverHttp('GraphQL Yoga', startYoga);

/** Subscribes over Yoga's server-sent events and returns every event's payload until the stream ends. */
async function subscribe(url: string, user: string, query: string): Promise<unknown[]> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-user': user },
    body: JSON.stringify({ query }),
  });
  const text = await response.text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('data:') && line.length > 'data:'.length + 1)
    .map((line) => JSON.parse(line.slice('data:'.length)) as unknown);
}

describe('@rateLimit on a subscription field (GraphQL Yoga, server-sent events)', () => {
  const clock: ManualClock = { now: 1_700_000_000_000 };
  let server: RunningServer;
  beforeAll(async () => {
    server = await startYoga(buildSchema(clock));
  });
  afterAll(async () => {
    await server.stop();
  });

  it('charges once at subscribe time, not per event', async () => {
    const events = await subscribe(server.url, 'sub', 'subscription { ticks(n: 5) }');
    expect(events).toEqual([1, 2, 3, 4, 5].map((ticks) => ({ data: { ticks } })));
    expect(await subscribe(server.url, 'sub', 'subscription { ticks(n: 2) }')).toHaveLength(2);
    const refused = await subscribe(server.url, 'sub', 'subscription { ticks(n: 2) }');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ errors: [{ extensions: { code: 'RATE_LIMITED', limit: 2, remaining: 0 } }] });
  });
});
