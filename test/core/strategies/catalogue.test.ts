/**
 * The strategy catalogue is the one list of built-ins: every strategy the
 * package exports is in it under a unique name, its factory builds it (or,
 * for the wrappers, refuses without options, naming them), and GraphQL's
 * directive knows every one that needs no options.
 */
import { describe, expect, it } from 'vitest';
import * as traffik from '../../../src/index.js';
import { builtInStrategies } from '../../../src/graphql/strategy-registry.js';
import { STRATEGY_CATALOGUE, createStrategy } from '../../../src/core/strategies/catalogue.js';

describe('strategy catalogue', () => {
  it('lists every exported strategy class once, under a unique name', () => {
    const names = STRATEGY_CATALOGUE.map((e) => e.name);
    expect(new Set(names).size).toBe(15);
    const exported = Object.entries(traffik)
      .filter(([name, value]) => /^[A-Z]\w*Strategy$/.test(name) && typeof value === 'function' && !['BacklogStrategy', 'ScaledStrategy'].includes(name))
      .map(([name]) => name).sort();
    const wrapperOptions: Record<string, object> = { tiered: { tiers: { a: 1 } }, 'time-of-day': { periods: [{ from: 0, to: 1, scale: 2 }] } };
    const built = STRATEGY_CATALOGUE.map((e) => e.create(wrapperOptions[e.name]));
    expect(built.map((s) => s.constructor.name).sort()).toEqual(exported);
  });

  it('the wrappers need options and say which', () => {
    for (const entry of STRATEGY_CATALOGUE.filter((e) => e.needsOptions)) {
      expect(() => entry.create(), entry.name).toThrow(traffik.ConfigurationError);
    }
    expect(createStrategy('tiered', { tiers: { free: 1, pro: 3 } })).toBeInstanceOf(traffik.TieredStrategy);
  });

  it('refuses an unknown name, listing the known ones', () => {
    expect(() => createStrategy('token-bucket2')).toThrow(/Unknown strategy "token-bucket2" \(built-in: fixed-window, .*cost-based-token-bucket\)/);
  });

  it('GraphQL knows every built-in that needs no options', () => {
    expect(Object.keys(builtInStrategies()).sort()).toEqual(STRATEGY_CATALOGUE.filter((e) => !e.needsOptions).map((e) => e.name).sort());
    expect(Object.keys(builtInStrategies())).toHaveLength(13);
  });
});
