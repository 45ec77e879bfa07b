/**
 * A scratch project holding the package as a user installs it: `npm run
 * build` and `npm pack` (ONCE per Vitest run, shared by every test file
 * that asks: the first one builds under a lock, the others wait for its
 * tarball), then the tarball extracted into the scratch project's
 * node_modules/traffik, offline, with the peer libraries (and whatever
 * else the caller names) linked from ours.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The repository root. */
export const root = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { peerDependencies: Record<string, string> };
/** Packages every scratch project links: the peers and the type packages their declarations need. */
const alwaysLinked = [...Object.keys(pkg.peerDependencies), '@types/node', '@types/memjs'];
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

/** Runs a command; on failure, throws with everything it printed. */
export function run(command: string, args: string[], cwd: string, timeoutMs = 120_000): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}${e.message}`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the pack directories of earlier runs whose Vitest process has ended. */
function removeStalePacks(): void {
  for (const name of readdirSync(tmpdir())) {
    const pid = /^traffik-pack-(\d+)$/.exec(name)?.[1];
    if (pid !== undefined && Number(pid) !== process.ppid && !alive(Number(pid))) {
      rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
}

/**
 * The path of the packed tarball of this Vitest run (Vitest's test files run
 * in child processes of one parent: its pid names the run). The first
 * caller builds and packs; the others wait for it, up to three minutes.
 */
async function packedTarball(): Promise<string> {
  const dir = join(tmpdir(), `traffik-pack-${process.ppid}`);
  const ready = join(dir, 'ready.json');
  const failed = join(dir, 'failed.txt');
  let builder = false;
  try {
    mkdirSync(dir);
    builder = true;
  } catch {
    // another test file of this run builds
  }
  if (builder) {
    removeStalePacks();
    try {
      run('npm', ['run', 'build', '--silent'], root, 180_000);
      const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dir], root)) as { filename: string }[];
      writeFileSync(ready, JSON.stringify({ tarball: join(dir, packed[0]!.filename) }));
    } catch (error) {
      writeFileSync(failed, String(error));
      throw error;
    }
  }
  const deadline = Date.now() + 180_000;
  while (!existsSync(ready)) {
    if (existsSync(failed)) throw new Error(`build and pack failed in another test file:\n${readFileSync(failed, 'utf8')}`);
    if (Date.now() > deadline) throw new Error(`no tarball in ${dir} after 3 minutes`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return (JSON.parse(readFileSync(ready, 'utf8')) as { tarball: string }).tarball;
}

/** A scratch project with the packed package installed. */
export interface ScratchProject {
  /** Its directory (package.json with "type": "module", node_modules/traffik). */
  readonly dir: string;
  /** Compiles with the project's TypeScript: `tsc -p <tsconfig>` relative to `dir`; throws with the diagnostics. */
  tsc(tsconfig: string): void;
  /** Deletes the project. */
  remove(): void;
}

/**
 * Makes a scratch project in a fresh temporary directory: the tarball of
 * this run extracted into node_modules/traffik, the peers and `link`
 * (package names) symlinked from the repository's node_modules.
 */
export async function createScratchProject(link: readonly string[] = []): Promise<ScratchProject> {
  const tarball = await packedTarball();
  const dir = mkdtempSync(join(tmpdir(), 'traffik-scratch-'));
  const modules = join(dir, 'node_modules');
  mkdirSync(join(modules, 'traffik'), { recursive: true });
  run('tar', ['-xzf', tarball, '-C', join(modules, 'traffik'), '--strip-components=1'], dir);
  for (const name of new Set([...alwaysLinked, ...link])) {
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(join(root, 'node_modules', name), join(modules, name), 'dir');
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
  return {
    dir,
    tsc: (tsconfig) => void run(process.execPath, [tsc, '-p', join(dir, tsconfig)], dir),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** What a script run as a child process did. */
export interface ScriptRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `node <file>` in `cwd` with `env` added; kills it (SIGKILL) after
 * `timeoutMs`. Resolves with its exit and everything it printed.
 */
export function runScript(file: string, cwd: string, env: Record<string, string>, timeoutMs = 20_000): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
