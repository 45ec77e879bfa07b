import memjs from 'memjs';
import type { Client } from 'memjs';
import { ConfigurationError, describeValue } from '../../errors.js';
import { checkOptionNames } from '../../options.js';
import { CasBackend } from '../cas/cas-backend.js';
import { CAS_OPTION_NAMES, checkCasOptions, type CasBackendOptions } from '../cas/options.js';
import { MemjsCasStore, type MemcachedVersion } from './memjs-store.js';

/** Options of `MemcachedBackend` (those of `casBackend`, plus where memcached is). Give `servers` or `client`, not both. */
export interface MemcachedBackendOptions extends CasBackendOptions {
  /**
   * memcached servers, `"host:port"` (comma-separated or an array). Keys are
   * spread over them by memjs's key distribution. Default `"127.0.0.1:11211"`.
   * The backend creates the memjs client and closes it in `close()`.
   */
  servers?: string | readonly string[];
  /** An existing memjs `Client` (memjs 1.3) to use instead; `close()` leaves it open. */
  client?: Client;
  /**
   * Longest wait for one memcached reply, in ms (default 1000). A down,
   * unreachable or stuck server fails the hit with `BackendConnectionError` /
   * `BackendError` within this time; nothing waits longer.
   */
  timeoutMs?: number;
}

const DEFAULT_SERVERS = '127.0.0.1:11211';
const SILENT_LOGGER = { log: (): void => undefined };

/**
 * Limit state in memcached, shared by every process that uses the same
 * servers and namespace: `casBackend` over memcached's own compare-and-swap
 * (GET with the item's CAS value, SET with that CAS, ADD for a new item),
 * so exact without locks. All rates of a hit live in one item, so one CAS
 * covers the whole hit. Works for any `Strategy`, with every `op` (hit,
 * charge, refund).
 *
 * In this process, hits on the same item are queued and applied in arrival
 * order in one cycle (one read, one write for all of them), and the last
 * CAS written is kept, so a serial stream of allowed hits costs one round
 * trip each; a stale copy only costs a failed write, never a wrong decision.
 * Denied hits and dry runs store nothing. Items expire ~1-2 s after the
 * longest rate's state (relative seconds up to 30 days, absolute unix time
 * beyond). A store failure rejects with `BackendConnectionError` /
 * `BackendError` (for `onError`), within `timeoutMs`; never a hang, a
 * console message or an unhandled rejection. Under memory pressure
 * memcached may evict an item before it expires: that identity's limit
 * then starts afresh (choose Redis where that is not acceptable).
 */
export class MemcachedBackend extends CasBackend<MemcachedVersion> {
  constructor(options: MemcachedBackendOptions = {}) {
    const owner = 'MemcachedBackend';
    checkOptionNames(owner, options, ['servers', 'client', ...CAS_OPTION_NAMES]);
    const checked = checkCasOptions(owner, options);
    super(memjsStore(owner, options, checked.timeoutMs), checked, { owner, storeName: 'Memcached', storeBoundsCalls: true });
  }
}

/** The memjs store for `options`: over the given client (left open), or over a client made here (closed by `close()`). */
function memjsStore(owner: string, options: MemcachedBackendOptions, timeoutMs: number): MemjsCasStore {
  if (options.client !== undefined) {
    if (options.servers !== undefined) throw new ConfigurationError(`${owner}: give servers or client, not both`);
    const client = options.client as unknown;
    if (client === null || typeof client !== 'object' || typeof (client as Client).server !== 'function' || typeof (client as Client).incrSeq !== 'function') {
      throw new ConfigurationError(`${owner}: client must be a memjs Client, got ${describeValue(client)}`);
    }
    return new MemjsCasStore(options.client, timeoutMs, false);
  }
  const servers = checkServers(owner, options.servers ?? DEFAULT_SERVERS);
  const seconds = timeoutMs / 1000;
  const client = memjs.Client.create(servers, {
    // Requests are sent once (see cas.ts); failures go to onError, not the console.
    retries: 1, failover: false, logger: SILENT_LOGGER,
    timeout: seconds, conntimeout: seconds, keepAlive: true,
  });
  return new MemjsCasStore(client, timeoutMs, true);
}

function checkServers(owner: string, servers: unknown): string {
  const list = typeof servers === 'string' ? servers.split(',') : Array.isArray(servers) ? servers : undefined;
  if (list === undefined || list.length === 0 || !list.every((s) => typeof s === 'string' && /^\S+$/.test(s.trim()) && s.trim() !== '')) {
    throw new ConfigurationError(`${owner}: servers must be "host:port" strings (comma-separated or an array), got ${describeValue(servers)}`);
  }
  return list.map((s: string) => s.trim()).join(',');
}
