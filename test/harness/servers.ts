/**
 * Starts real `redis-server` and `memcached` processes on free loopback ports
 * for tests, and stops them. Fails loudly (throws) when a binary is missing or
 * a server does not come up: no test is silently skipped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createConnection, createServer } from 'node:net';

/** A server process started by the harness. */
export interface ServerHandle {
  readonly host: string;
  readonly port: number;
  /** Stops the process (SIGTERM, then SIGKILL) and waits for it to exit. */
  stop(): Promise<void>;
  /** Kills the process at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Freezes the process (SIGSTOP): it keeps its port but answers nothing. */
  pause(): void;
  /** Thaws a paused process (SIGCONT). */
  resume(): void;
  /** Starts the process again on the same port (after `kill` or `stop`) and waits until it answers. */
  restart(): Promise<void>;
}

/** A redis-server started by the harness. */
export interface RedisServer extends ServerHandle {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
}

/** A memcached started by the harness. */
export interface MemcachedServer extends ServerHandle {
  /** `127.0.0.1:<port>` */
  readonly location: string;
}

const HOST = '127.0.0.1';
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, HOST);
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

/** Sends `request` to host:port and resolves with the first reply, or rejects. */
function ask(port: number, request: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: HOST, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('timeout'));
    }, timeoutMs);
    socket.once('connect', () => socket.write(request));
    socket.once('data', (data) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(data.toString());
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    });
  });
}

async function waitUntilAnswers(name: string, port: number, request: string, expect: RegExp, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} on port ${port} exited (${child.exitCode ?? child.signalCode}) before answering:\n${output()}`);
    }
    try {
      const reply = await ask(port, request, 500);
      if (expect.test(reply)) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${name} on port ${port} did not answer within 10 s:\n${output()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function launch(binary: string, args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const collect = (chunk: Buffer) => {
    if (text.length < 20_000) text += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  child.on('error', (error) => {
    text += `\n${binary}: ${error.message}`;
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return { child, output: () => text };
}

function missing(binary: string, pkg: string): Error {
  return new Error(`${binary} could not be started: install Debian's ${pkg} package (.ci/run does: apt-get install -y ${pkg})`);
}

async function startProcess(
  name: string, binary: string, pkg: string, args: string[], port: number, probe: string, expect: RegExp,
): Promise<ServerHandle> {
  let current: ChildProcess | undefined;
  const boot = async () => {
    const { child, output } = launch(binary, args);
    current = child;
    const spawnError = await Promise.race([
      once(child, 'spawn').then(() => undefined),
      once(child, 'error').then(([error]) => error as NodeJS.ErrnoException),
    ]);
    if (spawnError) throw spawnError.code === 'ENOENT' ? missing(binary, pkg) : spawnError;
    await waitUntilAnswers(name, port, probe, expect, child, output);
  };
  const end = async (signal: NodeJS.Signals) => {
    const child = current;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGCONT');
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };
  await boot();
  return {
    host: HOST,
    port,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    pause: () => void current?.kill('SIGSTOP'),
    resume: () => void current?.kill('SIGCONT'),
    restart: async () => {
      await end('SIGKILL');
      await boot();
    },
  };
}

/** Starts a redis-server (no persistence) on a free port; `extraArgs` are added to its command line. */
export async function startRedis(extraArgs: string[] = []): Promise<RedisServer> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--protected-mode', 'no', ...extraArgs];
  const handle = await startProcess('redis-server', 'redis-server', 'redis-server', args, port, 'PING\r\n', /\+PONG/);
  return { ...handle, url: `redis://${HOST}:${port}` };
}

/** Starts a memcached (64 MB, no UDP) on a free port. */
export async function startMemcached(): Promise<MemcachedServer> {
  const port = await freePort();
  const args = ['-p', String(port), '-l', HOST, '-U', '0', '-m', '64'];
  if (process.getuid?.() === 0) args.push('-u', 'root');
  const handle = await startProcess('memcached', 'memcached', 'memcached', args, port, 'version\r\n', /^VERSION/);
  return { ...handle, location: `${HOST}:${port}` };
}
