/**
 * Runs one of examples/ as its own Node process (tsx, outside vitest: one
 * graphql copy, as a user runs it) on a free port, and stops it.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';

/** A running example: the URL it printed, and how to stop it. */
export interface ExampleProcess {
  readonly url: string;
  /** Sends SIGTERM (if it still runs) and waits for the exit. */
  stop(): Promise<void>;
}

/** Starts `path` with PORT=0 and resolves once it prints `listening on <url>`; rejects with its output if it exits or takes over 20 s. */
export async function startExample(path: string): Promise<ExampleProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`example did not start: ${output}`)), 20_000);
    const read = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /listening on (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => reject(new Error(`example exited with ${code}: ${output}`)));
  });
  return {
    url,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    },
  };
}
