import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const client = fileURLToPath(new URL('../../examples/graphql-ws/client.ts', import.meta.url));

describe('examples/graphql-ws', () => {
  it('runs: paced clock events, the concurrency cap, the @rateLimit field and the Subscribe rate', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', client], { timeout: 20_000 });
    const clockLines = stdout.split('\n').filter((line) => line.includes('{"clock":'));
    // 20 events/s at the source, 2/s delivered, for 2 s.
    expect(clockLines.length).toBeGreaterThanOrEqual(3);
    expect(clockLines.length).toBeLessThanOrEqual(5);
    expect(stdout.match(/"reason":"concurrency"/g)).toHaveLength(2);
    expect(stdout).toMatch(/#3 \{"report":null\} field error \{"code":"RATE_LIMITED"/);
    expect(stdout).toMatch(/#1 \{"hello":"world"\}\n {2}#2 error \{"code":"RATE_LIMITED","retryAfterMs":\d+,"limit":8/);
  });
});
