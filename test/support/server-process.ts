/**
 * Runs a server script (one of examples/, or a test fixture) as its own
 * Node process (tsx, outside vitest: one graphql copy, as a user runs it),
 * and stops it.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll } from 'vitest';

/** A running server process: the URL it announced, and how to stop it. */
export interface ServerProcess {
  readonly url: string;
  /** Closes its stdin (fixtures shut down on that), then SIGTERM if it still runs after 2 s; waits for the exit. */
  stop(): Promise<void>;
}

/**
 * Starts `path` with `args` (PORT=0 in its environment) and resolves once
 * `urlOf` finds its URL in what it printed; rejects with that output if it
 * exits first or takes over 20 s.
 */
export async function startServerProcess(path: string, args: readonly string[], urlOf: (output: string) => string | undefined): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path, ...args], { env: { ...process.env, PORT: '0' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${path} did not start: ${output}`)), 20_000);
    const read = (chunk: Buffer): void => {
      output += chunk.toString();
      const found = urlOf(output);
      if (found !== undefined) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => reject(new Error(`${path} exited with ${code}: ${output}`)));
  });
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGTERM'), 2000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Starts a test fixture that prints `PORT <n>` once it listens; its URL is `http://127.0.0.1:<n>` + `path`. */
export function startPortFixture(script: string, args: readonly string[], path = ''): Promise<ServerProcess> {
  return startServerProcess(script, args, (output) => {
    const port = /PORT (\d+)/.exec(output)?.[1];
    return port === undefined ? undefined : `http://127.0.0.1:${port}${path}`;
  });
}

/**
 * Starts `count` copies of a port-printing fixture before the file's tests
 * and stops them after. Returns their URLs, filled in before the first test.
 */
export function usePortFixtures(script: string, args: readonly string[], count: number, path = ''): string[] {
  const urls: string[] = [];
  const servers: ServerProcess[] = [];
  const start = async (): Promise<string> => {
    const server = await startPortFixture(script, args, path);
    servers.push(server);
    return server.url;
  };
  beforeAll(async () => { urls.push(...(await Promise.all(Array.from({ length: count }, start)))); }, 30_000);
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
  });
  return urls;
}

/** Starts one of examples/, which prints `listening on <url>`. */
export function startExample(path: string): Promise<ServerProcess> {
  return startServerProcess(path, [], (output) => /listening on (\S+)/.exec(output)?.[1]);
}
