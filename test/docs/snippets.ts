/**
 * Finds the TypeScript snippets of the docs and typechecks them under strict
 * in one TypeScript program, importing the package by its public names
 * (`traffik`, `traffik/trpc`, ...) mapped to the sources. Each snippet is
 * its own module (a virtual file, nothing written to disk), so snippets
 * never see each other's names: each must carry its own imports.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { entries } from '../../tsup.config.js';

/** One ```ts block of a Markdown file. */
export interface Snippet {
  /** The Markdown file, relative to the repository root. */
  readonly file: string;
  /** Line of the block's first code line in that file (1-based). */
  readonly line: number;
  readonly code: string;
}

/** The fence info that opts a block out (an intentionally partial snippet). */
export const NO_COMPILE = 'no-compile';

/** The ```ts / ```typescript blocks of one Markdown text, without those marked `no-compile`. */
export function extractSnippets(file: string, markdown: string): Snippet[] {
  const lines = markdown.split('\n');
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(\S*)(.*)$/.exec(lines[i]!);
    if (open === null) continue;
    const [, indent, fence, lang, rest] = open;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j]!.trimStart().startsWith(fence!)) body.push(lines[j++]!.slice(indent!.length));
    const info = `${lang} ${rest}`.split(/\s+/);
    if ((lang === 'ts' || lang === 'typescript') && !info.includes(NO_COMPILE)) {
      snippets.push({ file, line: i + 2, code: body.join('\n') });
    }
    i = j;
  }
  return snippets;
}

/** README.md and every docs/*.md page. */
export function docsFiles(root: string): string[] {
  const docs = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

/** Every snippet of README.md and docs/*.md. */
export function readSnippets(root: string): Snippet[] {
  return docsFiles(root).flatMap((file) => extractSnippets(file, readFileSync(join(root, file), 'utf8')));
}

/** The compiler options a strict user project would have, with the package's names mapped to src/. */
export function snippetCompilerOptions(root: string): ts.CompilerOptions {
  const paths: Record<string, string[]> = {};
  for (const [name, file] of Object.entries(entries)) paths[name === 'index' ? 'traffik' : `traffik/${name}`] = [join(root, file)];
  return {
    strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2023.d.ts'], types: ['node'], skipLibCheck: true, noEmit: true, esModuleInterop: true, paths,
  };
}

/** A snippet's virtual file name (inside the repository, so packages resolve from its node_modules). */
function virtualName(root: string, snippet: Snippet, index: number): string {
  return join(root, 'test', 'docs', '.snippets', `${snippet.file.replace(/[^\w.-]/g, '_')}-L${snippet.line}-${index}.ts`);
}

/**
 * Typechecks every snippet in one program. Returns one list of messages per
 * snippet (same order), each "file.md:line: TSnnnn message", empty when the
 * snippet compiles.
 */
export function typecheckSnippets(root: string, snippets: readonly Snippet[]): string[][] {
  const options = snippetCompilerOptions(root);
  const virtual = new Map<string, number>();
  // `export {}` keeps a snippet without imports a module of its own (no shared globals).
  const texts = snippets.map((s) => `${s.code}\nexport {};\n`);
  snippets.forEach((s, i) => virtual.set(virtualName(root, s, i), i));
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.getCurrentDirectory = () => root;
  host.fileExists = (name) => virtual.has(name) || fileExists.call(host, name);
  host.readFile = (name) => (virtual.has(name) ? texts[virtual.get(name)!] : readFile.call(host, name));
  host.getSourceFile = (name, language, onError, create) => {
    const i = virtual.get(name);
    return i === undefined ? getSourceFile.call(host, name, language, onError, create) : ts.createSourceFile(name, texts[i]!, language, true);
  };
  const program = ts.createProgram({ rootNames: [...virtual.keys()], options, host });
  const messages: string[][] = snippets.map(() => []);
  const global = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
  if (global.length > 0) throw new Error(ts.formatDiagnostics(global, host));
  for (const [name, i] of virtual) {
    const source = program.getSourceFile(name)!;
    for (const d of [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]) {
      const line = d.start === undefined ? 0 : source.getLineAndCharacterOfPosition(d.start).line;
      const snippet = snippets[i]!;
      messages[i]!.push(`${snippet.file}:${snippet.line + line}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    }
  }
  return messages;
}
