/**
 * The example's `CasStore`: the key-value server of kv-server.ts reached
 * over TCP, written only against Traffik's `CasStore` interface. One
 * connection, requests pipelined, replies matched in order. A dropped
 * connection fails the requests in flight (casBackend hands that to
 * `onError`) and the next call reconnects.
 */
import { createConnection, type Socket } from 'node:net';
import type { CasEntry, CasStore, CasWritten } from '../../src/index.js';

interface Waiting {
  resolve(reply: string): void;
  reject(error: Error): void;
}

/** A `CasStore` on the example key-value server at `host:port`. */
export class KvStore implements CasStore {
  private socket: Socket | undefined;
  private waiting: Waiting[] = [];
  private buffered = '';

  constructor(private readonly address: { host?: string; port: number }) {}

  async get(key: string): Promise<CasEntry | undefined> {
    const reply = await this.request(`get ${key}`);
    if (reply === 'none') return undefined;
    const [, version, value] = expect(reply, /^value (\S+) (\S*)$/);
    return { version: version!, value: Buffer.from(value!, 'base64').toString('utf8') };
  }

  async compareAndSet(key: string, value: string, version: string, ttlMs: number): Promise<false | CasWritten> {
    return written(await this.request(`cas ${key} ${version} ${ttlMs} ${Buffer.from(value).toString('base64')}`), 'conflict');
  }

  async add(key: string, value: string, ttlMs: number): Promise<false | CasWritten> {
    return written(await this.request(`add ${key} ${ttlMs} ${Buffer.from(value).toString('base64')}`), 'exists');
  }

  async delete(key: string): Promise<void> {
    expect(await this.request(`del ${key}`), /^ok$/);
  }

  /** Closes the connection; requests in flight fail. */
  close(): void {
    this.socket?.destroy();
    this.fail(new Error('KvStore closed'));
  }

  private request(line: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.connection().write(line + '\n');
    });
  }

  private connection(): Socket {
    if (this.socket !== undefined && !this.socket.destroyed) return this.socket;
    const socket = createConnection({ host: this.address.host ?? '127.0.0.1', port: this.address.port });
    socket.setNoDelay(true);
    socket.on('data', (chunk) => {
      this.buffered += chunk.toString('latin1');
      let end = this.buffered.indexOf('\n');
      while (end >= 0) {
        const reply = this.buffered.slice(0, end);
        this.buffered = this.buffered.slice(end + 1);
        this.waiting.shift()?.resolve(reply);
        end = this.buffered.indexOf('\n');
      }
    });
    const drop = (error?: Error): void => {
      if (this.socket === socket) this.socket = undefined;
      this.fail(error ?? new Error('KvStore: connection closed'));
    };
    socket.on('error', drop);
    socket.on('close', () => drop());
    this.buffered = '';
    this.socket = socket;
    return socket;
  }

  private fail(error: Error): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const w of waiting) w.reject(error);
  }
}

function expect(reply: string, pattern: RegExp): RegExpExecArray {
  const match = pattern.exec(reply);
  if (match === null) throw new Error(`KvStore: unexpected reply ${JSON.stringify(reply.slice(0, 80))}`);
  return match;
}

function written(reply: string, refused: string): false | CasWritten {
  if (reply === refused) return false;
  return { version: expect(reply, /^ok (\S+)$/)[1]! };
}
