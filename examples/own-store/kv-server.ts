/**
 * A tiny key-value server with versions and TTLs, in its own process: the
 * store of the "your own store" example. One request per line, one reply
 * per line, in order (clients may pipeline):
 *
 *     get <key>                             -> value <version> <base64> | none
 *     cas <key> <version> <ttlMs> <base64>  -> ok <version> | conflict
 *     add <key> <ttlMs> <base64>            -> ok <version> | exists
 *     del <key>                             -> ok
 *     (anything else)                       -> error <message>
 *
 * Versions come from one counter prefixed with a random boot id, so they
 * never repeat, not even after a restart. Expired keys read as absent.
 *
 *   npx tsx examples/own-store/kv-server.ts [port]   (0 or none: a free port)
 * Prints `listening <port>` once it accepts connections.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Socket } from 'node:net';

interface Item {
  readonly value: string;
  readonly version: string;
  readonly expiresAt: number;
}

const items = new Map<string, Item>();
const boot = randomBytes(4).toString('hex');
let counter = 0;

function live(key: string): Item | undefined {
  const item = items.get(key);
  if (item !== undefined && item.expiresAt <= Date.now()) {
    items.delete(key);
    return undefined;
  }
  return item;
}

function store(key: string, value: string, ttl: string): string {
  const ttlMs = Number(ttl);
  if (!Number.isInteger(ttlMs) || ttlMs <= 0) return `error bad ttl ${ttl}`;
  const version = `${boot}.${++counter}`;
  items.set(key, { value, version, expiresAt: Date.now() + ttlMs });
  return `ok ${version}`;
}

/** Answers one request line. Each runs to completion before the next: that is what makes cas and add atomic. */
export function answer(line: string): string {
  const [command, key, ...rest] = line.split(' ');
  if (key === undefined || key === '') return 'error missing key';
  switch (command) {
    case 'get': {
      const item = live(key);
      return item === undefined ? 'none' : `value ${item.version} ${item.value}`;
    }
    case 'cas': {
      const [version, ttl, value] = rest;
      if (value === undefined) return 'error cas needs <key> <version> <ttlMs> <value>';
      return live(key)?.version === version ? store(key, value, ttl!) : 'conflict';
    }
    case 'add': {
      const [ttl, value] = rest;
      if (value === undefined) return 'error add needs <key> <ttlMs> <value>';
      return live(key) === undefined ? store(key, value, ttl!) : 'exists';
    }
    case 'del':
      items.delete(key);
      return 'ok';
    default:
      return `error unknown command ${JSON.stringify(command)}`;
  }
}

function serve(socket: Socket): void {
  let buffered = '';
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk) => {
    buffered += chunk.toString('latin1');
    let end = buffered.indexOf('\n');
    if (end < 0) return;
    let replies = '';
    while (end >= 0) {
      replies += answer(buffered.slice(0, end)) + '\n';
      buffered = buffered.slice(end + 1);
      end = buffered.indexOf('\n');
    }
    socket.write(replies);
  });
}

// Drop expired keys now and then, so memory follows the live keys.
setInterval(() => {
  const now = Date.now();
  for (const [key, item] of items) if (item.expiresAt <= now) items.delete(key);
}, 10_000).unref();

const server = createServer(serve);
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address !== null ? address.port : address}\n`);
});
// Stop at once: open client connections would keep server.close() waiting.
process.on('SIGTERM', () => process.exit(0));
