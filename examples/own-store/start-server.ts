/** Starts kv-server.ts in a child process (on `port`, default a free one); resolves once it listens. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A running example key-value server. */
export interface KvServer {
  readonly port: number;
  /** Stops the process; resolves once it exited. */
  stop(): Promise<void>;
}

/** Starts the example key-value server (kv-server.ts) in a child process; rejects if it does not listen within 20 s. */
export function startKvServer(port = 0): Promise<KvServer> {
  const script = fileURLToPath(new URL('./kv-server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('kv-server did not start within 20 s'));
    }, 20_000);
    child.once('exit', (code) => reject(new Error(`kv-server exited with ${code}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening (\d+)/.exec(output);
      if (match === null) return;
      clearTimeout(timer);
      resolve({
        port: Number(match[1]),
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
  });
}
