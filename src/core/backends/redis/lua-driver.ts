/**
 * The general driver's call, in Node: the script for a Lua twin
 * (driver.lua.ts, built once per twin source), its ARGV, and the decoding
 * of its run-length coded reply (both layouts are described in
 * driver.lua.ts).
 */
import type { StepDecision } from '../../decision.js';
import type { Rate } from '../../rate.js';
import type { LuaStep } from '../../strategies/lua-step.js';
import type { StepArgs, StepOp } from '../../strategies/strategy.js';
import { DRIVER_LUA } from './driver.lua.js';
import { script, withTwin, type Script } from './script-source.js';

const driverScripts = new Map<string, Script>();

/** The full script (prelude + twin + driver) for one Lua twin, built once per distinct source. */
export function driverScript(lua: LuaStep): Script {
  let found = driverScripts.get(lua.source);
  if (found === undefined) {
    found = script(withTwin(lua, DRIVER_LUA));
    driverScripts.set(lua.source, found);
  }
  return found;
}

/** Encodes a request as the driver's ARGV (see the layout above). */
export function driverArgs(
  lua: LuaStep, rates: readonly Rate[], costs: readonly number[], now: number | undefined,
  dryRun: boolean, ttlPadMs: number, args: StepArgs | undefined, op: StepOp = 'hit',
): (string | number)[] {
  const argv: (string | number)[] = [now === undefined ? '' : now, dryRun ? 'dry' : op, ttlPadMs, 0];
  // Runs of one cost (a list's items) go as -n, cost: three or more hits in two arguments.
  for (let j = 0; j < costs.length; ) {
    const cost = costs[j]!;
    let end = j + 1;
    while (end < costs.length && costs[end] === cost) end++;
    if (end - j >= 3) argv.push(j - end, cost);
    else for (let m = j; m < end; m++) argv.push(cost);
    j = end;
  }
  argv[3] = argv.length - 4;
  if (lua.params === undefined) {
    argv.push(0);
    for (const rate of rates) argv.push(rate.limit, rate.periodMs);
  } else {
    let count = -1;
    const perRate: (readonly number[])[] = rates.map((rate) => lua.params!(rate));
    for (const p of perRate) {
      if (count !== -1 && p.length !== count) throw new TypeError('LuaStep.params must return the same count for every rate');
      count = p.length;
    }
    argv.push(Math.max(count, 0));
    rates.forEach((rate, i) => argv.push(rate.limit, rate.periodMs, ...perRate[i]!));
  }
  argv.push(args?.length ?? 0);
  if (args !== undefined) for (const a of args) argv.push(a);
  return argv;
}

/** Decodes the driver's reply (see the layout above) into `result[hit][rate]` decisions. Throws `TypeError` for a reply of the wrong shape. */
export function decodeReply(reply: unknown, hits: number, rates: number): StepDecision[][] {
  const bad = (): TypeError => unexpectedReply(reply);
  if (typeof reply !== 'string') throw bad();
  const fields = reply.split(',');
  const width = 6 * rates;
  const x = new Array<number>(width);
  const d = new Array<number>(width);
  const result: StepDecision[][] = new Array(hits);
  let h = 0;
  let at = 0;
  while (at < fields.length) {
    const k = Number(fields[at]);
    const end = at + 1 + (k > 1 ? 2 * width : width);
    if (!Number.isSafeInteger(k) || k < 1 || h + k > hits || end > fields.length) throw bad();
    let still = true;
    for (let f = 0; f < width; f++) {
      x[f] = Number(fields[at + 1 + f]);
      if (k > 1) {
        d[f] = Number(fields[at + 1 + width + f]);
        if (d[f] !== 0) still = false;
      }
    }
    if (!x.every(Number.isInteger) || (k > 1 && !d.every(Number.isSafeInteger))) throw bad();
    at = end;
    if (still) {
      // The same decision k times (denied hits, say): one row shared by all.
      const row = rates === 1 ? [decodeDecision(x, 0)] : decodeRow(x, rates);
      for (let m = 0; m < k; m++) result[h++] = row;
      continue;
    }
    for (let m = 0; m < k; m++) {
      if (m > 0) for (let f = 0; f < width; f++) x[f]! += d[f]!;
      result[h++] = rates === 1 ? [decodeDecision(x, 0)] : decodeRow(x, rates);
    }
  }
  if (h !== hits) throw bad();
  return result;
}

function decodeRow(x: readonly number[], rates: number): StepDecision[] {
  const row: StepDecision[] = new Array(rates);
  for (let i = 0; i < rates; i++) row[i] = decodeDecision(x, 6 * i);
  return row;
}

function decodeDecision(x: readonly number[], at: number): StepDecision {
  const retry = x[at + 3]!;
  return {
    allowed: x[at] === 1,
    limit: x[at + 1]!,
    remaining: x[at + 2]!,
    retryAfterMs: retry === -1 ? Infinity : retry,
    resetAfterMs: x[at + 4]!,
    delayMs: x[at + 5]!,
  };
}

/** The error for a script reply of the wrong shape (a `TypeError`: bad data, mapped to `BackendError`), quoting its start. */
export function unexpectedReply(reply: unknown): TypeError {
  return new TypeError(`unexpected script reply ${JSON.stringify(reply)?.slice(0, 120)}`);
}
