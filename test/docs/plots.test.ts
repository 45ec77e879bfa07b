/**
 * The strategy pictures in docs/plots/ are drawn from the strategies' real
 * steps (`npm run plots`); this fails when a committed picture differs from
 * what the code draws now, or when one is missing or no longer drawn, so the
 * pictures in docs/strategies.md never disagree with the behaviour.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { drawPlots } from '../../scripts/plots/draw.js';

const directory = join(import.meta.dirname, '..', '..', 'docs', 'plots');

describe('docs/plots', async () => {
  const drawn = await drawPlots();

  it('holds exactly the pictures npm run plots draws (run it and commit the result)', () => {
    const committed = existsSync(directory) ? readdirSync(directory).filter((f) => f.endsWith('.svg')).sort() : [];
    expect(committed).toEqual([...drawn.keys()].sort());
  });

  it.each([...drawn.keys()])('%s matches what the strategy does now (else: npm run plots)', (name) => {
    const file = join(directory, name);
    expect(existsSync(file), `${name} is missing: run npm run plots`).toBe(true);
    expect(readFileSync(file, 'utf8') === drawn.get(name), `${name} drifted from the code: run npm run plots and look at the diff`).toBe(true);
  });

  it('are all shown in docs/strategies.md', () => {
    const guide = readFileSync(join(directory, '..', 'strategies.md'), 'utf8');
    const missing = [...drawn.keys()].filter((name) => !guide.includes(`(plots/${name})`));
    expect(missing, 'pictures docs/strategies.md does not show').toEqual([]);
  });

  it('tells allowed from denied by shape, names its axes, and is the same on every draw', async () => {
    const svg = drawn.get('token-bucket--burst.svg')!;
    expect(svg).toContain('<circle');
    expect(svg).toMatch(/<path d="M[^"]+L[^"]+M[^"]+L[^"]+" stroke="#c0262d"/);
    expect(svg).toContain('time (ms)');
    expect(svg).toContain('>tokens</text>');
    expect(svg).toContain('20 allowed, 10 denied');
    expect((await drawPlots()).get('token-bucket--burst.svg')).toBe(svg);
  });
});
