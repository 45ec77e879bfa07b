/**
 * Runs each strategy's real step through the in-process backend on a
 * simulated clock, scenario by scenario, and draws the result: every hit's
 * decision, and the state (`Throttle.stats`, i.e. `strategy.describe`)
 * sampled every 10 ms and after each hit.
 */
import { InMemoryBackend, Throttle } from '../../src/index.js';
import { plottedStrategies, type PlottedStrategy } from './catalogue.js';
import { PLOT_PERIOD_MS, PLOT_RATE, scenarios, type Scenario } from './scenarios.js';
import { renderTimeline, type PlottedHit, type StatePoint } from './svg-chart.js';

/** 2026-01-01 12:00:00 UTC: aligned to every period drawn, and inside the time-of-day strategy's busy hours. */
const START_MS = Date.UTC(2026, 0, 1, 12, 0, 0);
/** How often the state line is sampled between hits, ms. */
const SAMPLE_EVERY_MS = 10;

/** What one strategy did in one scenario. */
export interface ScenarioRun {
  readonly hits: readonly PlottedHit[];
  readonly state: readonly StatePoint[];
}

/** Runs `scenario` against a fresh `strategy` on its own backend and clock. */
export async function runScenario(strategy: PlottedStrategy, scenario: Scenario): Promise<ScenarioRun> {
  let now = START_MS;
  const backend = new InMemoryBackend({ namespace: 'plots', clock: () => now });
  const throttle = new Throttle({ uid: strategy.slug, rate: PLOT_RATE, strategy: strategy.make(), backend });
  const hits: PlottedHit[] = [];
  const state: StatePoint[] = [];
  const sample = async (t: number) => {
    const stats = await throttle.stats('client');
    const value = stats.rates[0]?.state?.values[strategy.stateKey];
    if (value === undefined) {
      throw new Error(`${strategy.title}: Throttle.stats has no value "${strategy.stateKey}" (got ${JSON.stringify(stats.rates[0]?.state?.values)})`);
    }
    state.push({ t, value });
  };
  const times = new Set(scenario.hitTimesMs);
  try {
    for (let t = 0; t <= scenario.durationMs; t++) {
      if (times.has(t)) {
        now = START_MS + t;
        const decision = await throttle.hit('client');
        hits.push({ t, allowed: decision.allowed });
        await sample(t);
      } else if (t % SAMPLE_EVERY_MS === 0) {
        now = START_MS + t;
        await sample(t);
      }
    }
  } finally {
    await backend.close();
  }
  return { hits, state };
}

/** The file name of one picture, under docs/plots/. */
export function plotFileName(strategy: PlottedStrategy, scenario: Scenario): string {
  return `${strategy.slug}--${scenario.slug}.svg`;
}

/** Every picture: file name (under docs/plots/) -> SVG text. Deterministic. */
export async function drawPlots(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const scenario of scenarios) {
    for (const strategy of plottedStrategies) {
      const { hits, state } = await runScenario(strategy, scenario);
      const allowed = hits.filter((h) => h.allowed).length;
      const boundariesMs: number[] = [];
      for (let t = PLOT_PERIOD_MS; t < scenario.durationMs; t += PLOT_PERIOD_MS) boundariesMs.push(t);
      files.set(plotFileName(strategy, scenario), renderTimeline({
        title: strategy.title,
        subtitle: `${scenario.title} at ${PLOT_RATE}: ${allowed} allowed, ${hits.length - allowed} denied`,
        durationMs: scenario.durationMs,
        boundariesMs,
        hits,
        stateLabel: strategy.stateLabel,
        state,
      }));
    }
  }
  return files;
}
