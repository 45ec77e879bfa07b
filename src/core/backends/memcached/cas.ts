/**
 * Compare-and-swap on memjs's own connections. memjs 1.3 has no `gets`/`cas`
 * call, but the binary protocol carries an item's CAS value in every
 * response header and accepts one in a SET request: this file builds those
 * requests (the layout of memjs's `Utils.makeRequestBuffer`, in one
 * allocation) and sends them on the `Server` memjs picks for the key
 * (memjs's own key distribution), with its sequence numbers, so our requests
 * share the client's sockets and reply parsing.
 *
 * memjs's `perform` (retries, failover, console logging) is bypassed: a
 * request is sent once, and every outcome (reply, socket error, timeout)
 * settles its promise exactly once. Nothing here throws asynchronously.
 */
import type { Socket } from 'node:net';
import type { Client, Response, Server } from 'memjs';
import { BackendConnectionError, BackendError } from '../../errors.js';

/** Binary protocol opcodes used here. */
const OP_GET = 0x00;
const OP_SET = 0x01;
const OP_ADD = 0x02;
const OP_DELETE = 0x04;

/** Reply status: done. */
export const STATUS_OK = 0x0000;
/** Reply status: no such item (GET, DELETE), or a CAS write to an item that expired. */
export const STATUS_NOT_FOUND = 0x0001;
/** Reply status: the item changed since its CAS was read (SET), or already exists (ADD). */
export const STATUS_EXISTS = 0x0002;
/** SET/ADD refused with "Item not stored" (memcached uses it for some CAS failures). */
export const STATUS_NOT_STORED = 0x0005;

const STATUS_TEXT: Record<number, string> = {
  0x0003: 'value too large',
  0x0004: 'invalid arguments',
  0x0005: 'item not stored',
  0x0081: 'unknown command',
  0x0082: 'out of memory',
  0x0084: 'internal error',
  0x0085: 'busy',
  0x0086: 'temporary failure',
};

/** The 8-byte CAS value memcached returned with an item. */
export type CasToken = Buffer;

/** A reply to one request: its status, value and the item's CAS. */
export interface Reply {
  readonly status: number;
  readonly value: Buffer;
  readonly cas: CasToken;
}

/** The parts of memjs's `Client` this file uses (public in its typings). */
type MemjsClient = Pick<Client, 'server' | 'incrSeq' | 'seq'>;

const HEADER_BYTES = 24;
const REQUEST_MAGIC = 0x80;

/**
 * One binary-protocol request in one buffer (memjs's `makeRequestBuffer`
 * lays out the same bytes, with four allocations instead of one): the
 * 24-byte header (magic, opcode, key length, extras length, body length,
 * opaque, CAS), then extras, key and value.
 */
export function encodeRequest(opcode: number, key: string, extras: Buffer | undefined, value: string, opaque: number, cas?: CasToken): Buffer {
  const keyBytes = Buffer.byteLength(key);
  const extrasBytes = extras === undefined ? 0 : extras.length;
  const valueBytes = Buffer.byteLength(value);
  const body = extrasBytes + keyBytes + valueBytes;
  const request = Buffer.allocUnsafe(HEADER_BYTES + body);
  request.writeUInt8(REQUEST_MAGIC, 0);
  request.writeUInt8(opcode, 1);
  request.writeUInt16BE(keyBytes, 2);
  request.writeUInt8(extrasBytes, 4);
  request.writeUInt8(0, 5); // data type
  request.writeUInt16BE(0, 6); // vbucket
  request.writeUInt32BE(body, 8);
  request.writeUInt32BE(opaque, 12);
  if (cas === undefined) request.fill(0, 16, 24);
  else cas.copy(request, 16, 0, 8);
  let at = HEADER_BYTES;
  if (extras !== undefined) at += extras.copy(request, at);
  at += request.write(key, at, 'utf8');
  request.write(value, at, 'utf8');
  return request;
}

/**
 * Sends binary requests on a memjs client's connections. `timeoutMs` bounds
 * every request even when the client's own timeouts are longer (a client the
 * user built).
 */
export class CasConnection {
  private readonly corked = new Set<Socket>();

  constructor(
    private readonly client: MemjsClient,
    private readonly timeoutMs: number,
  ) {}

  /** The server that holds `key`, as memjs distributes keys; `undefined` when none is available. */
  serverFor(key: string): Server | undefined {
    return this.client.server(key) ?? undefined;
  }

  /** GET with the item's CAS. Status OK or NOT_FOUND; anything else rejects. */
  async read(key: string): Promise<Reply> {
    const reply = await this.send(key, OP_GET, undefined, '');
    if (reply.status !== STATUS_OK && reply.status !== STATUS_NOT_FOUND) throw statusError('GET', key, reply.status);
    return reply;
  }

  /**
   * Writes `value` only if the item still has `cas` (SET with CAS), or, with
   * `cas` undefined, only if the item does not exist (ADD). Resolves with the
   * new CAS, or `undefined` when another writer got there first.
   */
  async write(key: string, value: string, expiry: number, cas: CasToken | undefined): Promise<CasToken | undefined> {
    const extras = Buffer.alloc(8);
    extras.writeUInt32BE(0, 0); // flags
    extras.writeUInt32BE(expiry, 4);
    const reply = await this.send(key, cas === undefined ? OP_ADD : OP_SET, extras, value, cas);
    if (reply.status === STATUS_OK) return reply.cas;
    if (reply.status === STATUS_EXISTS || reply.status === STATUS_NOT_FOUND || reply.status === STATUS_NOT_STORED) return undefined;
    throw statusError(cas === undefined ? 'ADD' : 'SET', key, reply.status);
  }

  /** DELETE; a missing key is fine. */
  async remove(key: string): Promise<void> {
    const reply = await this.send(key, OP_DELETE, undefined, '');
    if (reply.status !== STATUS_OK && reply.status !== STATUS_NOT_FOUND) throw statusError('DELETE', key, reply.status);
  }

  /**
   * Holds the server's socket writes until the next tick, so that the
   * requests issued together (64 hits in flight) leave in one system call
   * instead of one each. Only for a connected socket (memjs internals:
   * `_socket`, `connected`); otherwise memjs writes once it connects.
   */
  private corkUntilNextTick(server: Server): void {
    const socket = (server as unknown as { _socket?: Socket; connected?: boolean });
    const target = socket.connected === true ? socket._socket : undefined;
    if (target === undefined || this.corked.has(target)) return;
    this.corked.add(target);
    target.cork();
    process.nextTick(() => {
      this.corked.delete(target);
      target.uncork();
    });
  }

  /** Sends one request to `key`'s server; settles once: reply, socket error or timeout. */
  private send(key: string, opcode: number, extras: Buffer | undefined, value: string, cas?: CasToken): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      const server = this.client.server(key);
      if (!server) {
        reject(new BackendConnectionError('Memcached: no server available'));
        return;
      }
      this.client.incrSeq();
      // memjs wraps its counter to a signed 32-bit value; the header field is unsigned.
      const seq = this.client.seq >>> 0;
      const request = encodeRequest(opcode, key, extras, value, seq, cas);
      let settled = false;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        // memjs keeps the request's callbacks until a late reply or its own timeout consumes them.
        reject(new BackendError(`Memcached ${describeServer(server)}: no reply within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      server.onResponse(seq, (response: Response) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status: response.header.status, value: response.val, cas: Buffer.from(response.header.cas) });
      });
      server.onError(seq, (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(connectionError(server, error));
      });
      try {
        this.corkUntilNextTick(server);
        server.write(request);
      } catch (error) {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(connectionError(server, error));
      }
    });
  }
}

function describeServer(server: Server): string {
  return `${server.host}:${server.port}`;
}

/** memjs reports socket failures as `Error`s (or, for SASL, a string). */
function connectionError(server: Server, error: unknown): BackendError {
  const message = error instanceof Error ? error.message : String(error);
  const text = `Memcached ${describeServer(server)}: ${message}`;
  // A reply that never came on an open connection is a stuck server, not a refused one.
  if (/waiting on response/.test(message)) return new BackendError(text, { cause: error });
  return new BackendConnectionError(text, { cause: error });
}

function statusError(command: string, key: string, status: number): BackendError {
  const text = STATUS_TEXT[status] ?? `status 0x${status.toString(16)}`;
  return new BackendError(`Memcached ${command} ${JSON.stringify(key.slice(0, 80))}: ${text}`);
}
