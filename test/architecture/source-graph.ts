/**
 * Reads src/ as a graph for the architecture tests: every .ts file, its line
 * count, and the files it imports at run time (type-only imports and
 * exports are left out: they vanish when compiled and cannot form a cycle at
 * load time; dynamic `import()` is lazy and left out too).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** One source file. */
export interface SourceFile {
  /** Path relative to the repository root, with forward slashes. */
  readonly path: string;
  readonly lines: number;
  /** Files (same form as `path`) it imports at run time. */
  readonly imports: readonly string[];
}

/** Every .ts file under `dir`, recursively. */
function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTs(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** True when an import or export declaration brings a value in (not only types). */
function importsValues(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isImportDeclaration(node)) {
    const clause = node.importClause;
    if (clause === undefined) return true; // a side-effect import
    if (clause.isTypeOnly) return false;
    if (clause.name !== undefined) return true;
    const bindings = clause.namedBindings;
    if (bindings === undefined || ts.isNamespaceImport(bindings)) return true;
    return bindings.elements.length === 0 || bindings.elements.some((e) => !e.isTypeOnly);
  }
  if (node.isTypeOnly) return false;
  const clause = node.exportClause;
  if (clause === undefined || ts.isNamespaceExport(clause)) return true;
  return clause.elements.length === 0 || clause.elements.some((e) => !e.isTypeOnly);
}

/** Reads every file under `root`/src. */
export function readSourceGraph(root: string): SourceFile[] {
  const files = listTs(join(root, 'src'));
  const rel = (file: string) => relative(root, file).split('\\').join('/');
  return files.sort().map((file) => {
    const text = readFileSync(file, 'utf8');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    const imports = new Set<string>();
    for (const statement of source.statements) {
      if (!(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement))) continue;
      const specifier = statement.moduleSpecifier;
      if (specifier === undefined || !ts.isStringLiteral(specifier) || !specifier.text.startsWith('.')) continue;
      if (!importsValues(statement)) continue;
      const target = resolve(dirname(file), specifier.text.replace(/\.js$/, '.ts'));
      const resolved = existsSync(target) ? target : existsSync(join(target, 'index.ts')) ? join(target, 'index.ts') : undefined;
      if (resolved !== undefined) imports.add(rel(resolved));
    }
    return { path: rel(file), lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0), imports: [...imports].sort() };
  });
}

/**
 * The import cycles of a graph: one entry per strongly connected group of
 * files (Tarjan), each given as one concrete cycle `a -> b -> ... -> a` and
 * the group's members (every file some cycle of the group passes through).
 */
export function findCycles(files: readonly SourceFile[]): { cycle: string[]; members: string[] }[] {
  const edges = new Map(files.map((f) => [f.path, f.imports]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  let counter = 0;
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        group.push(member);
      } while (member !== node);
      if (group.length > 1 || (edges.get(node) ?? []).includes(node)) groups.push(group);
    }
  };
  for (const file of files) if (!index.has(file.path)) visit(file.path);
  return groups.map((group) => ({ cycle: cycleWithin(new Set(group), edges), members: group.sort() }));
}

/** One cycle through the group's first file (breadth-first, so the shortest). */
function cycleWithin(group: Set<string>, edges: Map<string, readonly string[]>): string[] {
  const start = [...group].sort()[0]!;
  const parent = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const next of edges.get(node) ?? []) {
      if (!group.has(next)) continue;
      if (next === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(parent.get(path[0]!)!);
        return [...path, start];
      }
      if (!parent.has(next)) {
        parent.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start];
}
