/**
 * memcached as a `CasStore`: GET with the item's CAS value, SET with that
 * CAS (compare-and-set), ADD, DELETE, on memjs's own connections (see
 * `CasConnection`). Every call settles within the connection's `timeoutMs`.
 */
import type { Client } from 'memjs';
import { BackendError } from '../../errors.js';
import type { CasEntry, CasStore, CasWritten } from '../cas/cas-store.js';
import { CasConnection, STATUS_OK, type CasToken } from './cas.js';
import { expiryField } from './expiry.js';

/**
 * A memcached item's version: its CAS value and the socket it was read or
 * written on. A server that restarted may hand out the same CAS values
 * again, so a version from an earlier connection is never used for a write.
 */
export interface MemcachedVersion {
  readonly cas: CasToken;
  readonly socket: unknown;
}

/** memcached through a memjs client, as a `CasStore`; closes the client only when `ownsClient`. */
export class MemjsCasStore implements CasStore<MemcachedVersion> {
  private readonly connection: CasConnection;

  constructor(
    private readonly client: Client,
    timeoutMs: number,
    private readonly ownsClient: boolean,
  ) {
    this.connection = new CasConnection(client, timeoutMs);
  }

  /** GET: the item's text and CAS. Rejects with `BackendError` when the server runs without CAS (`-C`). */
  async get(key: string): Promise<CasEntry<MemcachedVersion> | undefined> {
    const reply = await this.connection.read(key);
    if (reply.status !== STATUS_OK) return undefined;
    checkCas(reply.cas);
    return { value: reply.value.toString('utf8'), version: { cas: reply.cas, socket: this.socketOf(key) } };
  }

  /** SET with the version's CAS; `false` when the item changed, expired, or the version is from an earlier connection. */
  async compareAndSet(key: string, value: string, version: MemcachedVersion, ttlMs: number): Promise<false | CasWritten<MemcachedVersion>> {
    if (version.socket === undefined || version.socket !== this.socketOf(key)) return false;
    return this.written(key, await this.connection.write(key, value, expiryField(ttlMs, Date.now()), version.cas));
  }

  /** ADD; `false` when the item exists. */
  async add(key: string, value: string, ttlMs: number): Promise<false | CasWritten<MemcachedVersion>> {
    return this.written(key, await this.connection.write(key, value, expiryField(ttlMs, Date.now()), undefined));
  }

  /** DELETE; a missing item is fine. */
  delete(key: string): Promise<void> {
    return this.connection.remove(key);
  }

  /** Closes the memjs client if this store created it. */
  close(): void {
    if (this.ownsClient) this.client.close();
  }

  private written(key: string, cas: CasToken | undefined): false | CasWritten<MemcachedVersion> {
    if (cas === undefined) return false;
    checkCas(cas);
    return { version: { cas, socket: this.socketOf(key) } };
  }

  /** The socket memjs currently uses for `key`'s server (memjs internals; undefined when not connected). */
  private socketOf(key: string): unknown {
    const server = this.connection.serverFor(key) as unknown as { _socket?: unknown; connected?: boolean } | undefined;
    return server?.connected === true ? server._socket : undefined;
  }
}

/** Throws when memcached runs with CAS disabled (`-C`): it answers CAS 0, and a SET with CAS 0 is unconditional. */
function checkCas(cas: CasToken): void {
  if (cas.every((byte) => byte === 0)) {
    throw new BackendError('Memcached returned no CAS value: the server runs with CAS disabled (-C), so hits cannot be exact');
  }
}
