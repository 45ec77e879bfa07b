/**
 * Keys never collide and never cost more for being long (issue 19, findings
 * 1 and 3): distinct JavaScript strings get distinct budgets on every
 * backend, lone UTF-16 surrogates included (Redis and Memcached encode keys
 * as UTF-8, which folds every lone surrogate into U+FFFD), and a long
 * identity costs the same per hit however many long identities came before.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { InMemoryBackend, Throttle, type Backend } from '../../src/index.js';
import { keyPart, scopeKey } from '../../src/extend.js';
import { MemcachedBackend } from '../../src/memcached.js';
import { RedisBackend } from '../../src/redis.js';
import { MAX_PLAIN_KEY_PART_LENGTH } from '../../src/core/keys.js';

/** Strings that a careless encoding would fold together, or that look like another's encoding. */
function hostileStrings(): string[] {
  const long = 'x'.repeat(MAX_PLAIN_KEY_PART_LENGTH);
  const strings = [
    '\uD800', '\uDC00', '\uFFFD', '\uDBFF', '\uDFFF', '\uD800\uDC00', '\uDC00\uD800', 'a\uD800', 'a\uFFFD', 'a\uDC00',
    '\uD800\uD800', '\uFFFD\uFFFD', '', ' ', ':', '0:', '1::', '#', long, `${long}x`, `${long}y`, `${long}\uD800`,
    `${long}\uFFFD`, 'é', 'e\u0301', '\u0000', '\n', '{', '}', 'user:1', '6:user:1',
  ];
  // A plain identity spelled like the digest another identity gets.
  strings.push(keyPart(`${long}x`), keyPart('\uD800'));
  // Random strings of random UTF-16 code units, surrogates included, short and long.
  let seed = 7;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  for (let i = 0; i < 40; i++) {
    const length = i < 30 ? 1 + (next() % 6) : MAX_PLAIN_KEY_PART_LENGTH - 2 + (next() % 5);
    let text = '';
    for (let k = 0; k < length; k++) text += String.fromCharCode(next() % 4 === 0 ? 0xd800 + (next() % 0x800) : next() % 0x10000);
    strings.push(text);
  }
  return [...new Set(strings)];
}

describe('key parts', () => {
  it('are well-formed, short, and distinct for distinct texts', () => {
    const strings = hostileStrings();
    const parts = strings.map(keyPart);
    expect(new Set(parts).size).toBe(strings.length);
    for (const part of parts) {
      expect((part as unknown as { isWellFormed(): boolean }).isWellFormed()).toBe(true);
      expect(part.length).toBeLessThanOrEqual(MAX_PLAIN_KEY_PART_LENGTH + 4);
    }
    // Scopes stay injective across the uid/identity boundary with digests in play.
    expect(scopeKey('a', `${'x'.repeat(300)}`)).not.toBe(scopeKey(`a${'x'.repeat(300)}`, ''));
  });
});

const opened: Backend[] = [];
afterAll(async () => {
  await Promise.all(opened.map((b) => b.close()));
});

const backends: [string, () => Backend][] = [
  ['in-process', () => new InMemoryBackend({ namespace: 'hostile' })],
  ['Redis', () => new RedisBackend({ url: inject('redisUrl'), namespace: `hostile-${process.pid}-${Date.now()}` })],
  ['Memcached', () => new MemcachedBackend({ servers: inject('memcachedServers'), namespace: `hostile-${process.pid}-${Date.now()}` })],
];

describe.each(backends)('hostile identities on %s', (_name, make) => {
  it('each distinct string has its own budget', async () => {
    const backend = make();
    opened.push(backend);
    const throttle = new Throttle({ uid: 'hostile', rate: '1/hour', backend, onError: 'raise' });
    const strings = hostileStrings();
    const first = await Promise.all(strings.map((s) => throttle.hit(s)));
    const shared = strings.filter((_, i) => !first[i]!.allowed).map((s) => JSON.stringify(s));
    expect(shared, 'identities that found their budget already spent by another').toEqual([]);
    const second = await Promise.all(strings.map((s) => throttle.hit(s)));
    expect(second.filter((d) => d.allowed)).toHaveLength(0);
  });
});

describe('long identities in process', () => {
  it('cost the same per hit for the last thousand of 4,000 distinct 17 KB identities as for the first', async () => {
    // One measured run; the machine is shared, so a noisy run may be measured again (at most 3 runs).
    const ratios: number[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const throttle = new Throttle({ uid: `long-${attempt}`, rate: '10/hour', backend: new InMemoryBackend() });
      const base = 'k'.repeat(17 * 1024);
      const timings: number[] = [];
      for (let block = 0; block < 4; block++) {
        const started = performance.now();
        for (let i = 0; i < 1000; i++) await throttle.hit(`${block * 1000 + i}:${base}`);
        timings.push(performance.now() - started);
      }
      ratios.push(timings[3]! / timings[0]!);
      if (ratios.at(-1)! <= 2) break;
    }
    // Before keys were digested, each new long key cost more than the last: the last thousand took about 7x the first.
    expect(Math.min(...ratios)).toBeLessThanOrEqual(2);
  });
});
