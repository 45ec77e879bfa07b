/**
 * Reads a dotted path (`"input.owner.id"`) out of a field's arguments.
 * Missing steps give `undefined`; a path never throws.
 */
export function readArgPath(args: unknown, path: readonly string[]): unknown {
  let value: unknown = args;
  for (const step of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  return value;
}

/** Splits `"input.owner.id"` into its steps; throws `Error` for an empty step. */
export function parseArgPath(text: string): string[] {
  const steps = text.split('.');
  if (steps.some((s) => s.length === 0)) throw new Error(`identityArgs path ${JSON.stringify(text)} has an empty step`);
  return steps;
}

/**
 * The part of a rate-limit key given by `identityArgs`: the values at the
 * paths, as JSON (so `1` and `"1"` differ, and objects are compared by
 * value with sorted keys).
 */
export function identityArgsKey(args: unknown, paths: readonly (readonly string[])[]): string {
  return stableJson(paths.map((path) => readArgPath(args, path)));
}

function stableJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const entries = Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}
