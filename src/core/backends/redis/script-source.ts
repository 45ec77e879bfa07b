/**
 * How a backend script's source is put together: only the prelude it uses
 * (integer helpers, `scriptNow`, `stores`), the Lua twin inline at the
 * script's top level (its functions named twinParse, twinStep,
 * twinSerialize and, when it has them, twinLoad and twinSave), STATE_IO,
 * then the driver. Scripts are cached by SHA-1.
 */
import { createHash } from 'node:crypto';
import { LUA_PRELUDE } from '../../strategies/integer-math.lua.js';
import type { LuaStep } from '../../strategies/lua-step.js';
import { SCRIPT_PRELUDE, STATE_IO } from './script-prelude.lua.js';

/** A script ready to run: its source and the SHA-1 Redis knows it by. */
export interface Script {
  readonly source: string;
  readonly sha: string;
}

/** Builds a `Script` from Lua source. */
export function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** The prelude split into its top-level definitions (`local NAME ...` up to the next one), in order. */
const PRELUDE_PARTS: readonly { name: string; text: string }[] = `${LUA_PRELUDE}\n${SCRIPT_PRELUDE}`
  .split(/\n(?=local )/)
  .filter((t) => t.trim() !== '')
  .map((text) => ({ name: /^\s*local (?:function )?([A-Za-z_]\w*)/.exec(text)?.[1] ?? '', text }));

/** Only the prelude definitions `body` refers to (and what those refer to): each one is a closure Redis would build on every call. */
function preludeFor(body: string): string {
  const uses = (text: string, name: string) => new RegExp(`\\b${name}\\b`).test(text);
  const needed = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const part of PRELUDE_PARTS) {
      if (needed.has(part.name)) continue;
      if (uses(body, part.name) || PRELUDE_PARTS.some((other) => needed.has(other.name) && other !== part && uses(other.text, part.name))) {
        needed.add(part.name);
        grew = true;
      }
    }
  }
  return PRELUDE_PARTS.filter((part) => needed.has(part.name)).map((part) => part.text).join('\n');
}

/** A twin's last line, `return { parse = parse, step = step, ... }` (simple `name = local` pairs). */
const TWIN_RETURN = /\n\s*return\s*\{((?:\s*[A-Za-z_]\w*\s*=\s*[A-Za-z_]\w*\s*,?)+)\s*\}\s*$/;

/** The functions a driver takes from a twin (the last two optional: a twin's own storage). */
const TWIN_FUNCTIONS = ['parse', 'step', 'serialize', 'load', 'save'] as const;

/** The twin's source as top-level Lua defining twinParse, twinStep, twinSerialize, twinLoad, twinSave (the last two nil unless the twin has them). */
function twinSource(lua: LuaStep): string {
  const names = TWIN_FUNCTIONS.map((f) => `twin${f[0]!.toUpperCase()}${f.slice(1)}`).join(', ');
  const found = TWIN_RETURN.exec(lua.source);
  if (found !== null) {
    // Inline: no wrapper closure and no table per call.
    const fields = new Map(found[1]!.split(',').map((pair) => pair.split('=').map((s) => s.trim()) as [string, string]).filter(([k]) => k !== undefined && k !== ''));
    return `${lua.source.slice(0, found.index)}\nlocal ${names} = ${TWIN_FUNCTIONS.map((f) => fields.get(f) ?? 'nil').join(', ')}\n`;
  }
  return `local strategy = (function()\n${lua.source}\nend)()\nlocal ${names} = ${TWIN_FUNCTIONS.map((f) => `strategy.${f}`).join(', ')}\n`;
}

/** `body` after only the prelude it uses (a script without a twin). */
export function withPrelude(body: string): string {
  return `${preludeFor(body)}\n${body}`;
}

/** A full script's text: the prelude both use, the twin, STATE_IO, then `driver`. */
export function withTwin(lua: LuaStep, driver: string): string {
  const body = `${twinSource(lua)}${STATE_IO}${driver}`;
  return `${preludeFor(body)}\n${body}`;
}
