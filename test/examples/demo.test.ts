/** The README's first command, `npm run demo`, keeps working and shows what it says it shows. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

it('npm run demo shows each strategy passing, denying with a wait, and queueing', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'examples/demo.ts'], { timeout: 60_000 });
  const rows = stdout.split('\n').filter((line) => / \d+\/12 passed$/.test(line));
  expect(rows.map((row) => row.slice(0, 26).trim())).toEqual([
    'fixed window', 'sliding window counter', 'sliding window log', 'token bucket (burst 8)',
    'leaky bucket', 'leaky bucket + queue (8)', 'GCRA (tolerance 400 ms)',
  ]);
  // A simulated clock: the same table every run. The fixed window resets mid-burst; the queue delays.
  expect(rows[0]).toMatch(/✗50 .* 10\/12 passed$/);
  expect(rows[5]).toContain('✓+150');
}, 60_000);
