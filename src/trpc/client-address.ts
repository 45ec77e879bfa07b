import { ConfigurationError, describeValue } from '../core/errors.js';

/**
 * Which proxies' `X-Forwarded-For` entries to believe:
 * - a number `n`: the last `n` hops (the socket peer and the `n - 1` entries
 *   before it) are your own proxies; the client is the entry before them;
 * - a list of addresses or IPv4/IPv6 CIDR blocks (`'10.0.0.0/8'`, `'::1'`):
 *   walking from the socket peer towards the client, every address in the
 *   list is skipped; the first one outside it is the client;
 * - a function telling whether an address is a trusted proxy (same walk).
 * Without it, `X-Forwarded-For` is ignored: anyone can send that header.
 */
export type TrustProxy = number | readonly string[] | ((address: string) => boolean);

/** Checks a `trustProxy` value and turns it into a predicate (or a hop count). */
export function compileTrustProxy(value: TrustProxy | undefined): ((address: string, hop: number) => boolean) | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new ConfigurationError(`rateLimit: trustProxy must be a whole number of hops >= 0, a list of addresses or a function, got ${describeValue(value)}`);
    }
    return (_address, hop) => hop < value;
  }
  if (typeof value === 'function') return (address) => value(address);
  if (!Array.isArray(value)) {
    throw new ConfigurationError(`rateLimit: trustProxy must be a whole number of hops, a list of addresses or a function, got ${describeValue(value)}`);
  }
  const matchers = value.map(compileBlock);
  return (address) => {
    const parsed = parseAddress(address);
    return parsed !== undefined && matchers.some((m) => m(parsed));
  };
}

interface ParsedAddress { v6: boolean; bits: bigint }

function compileBlock(text: unknown): (address: ParsedAddress) => boolean {
  if (typeof text !== 'string') throw new ConfigurationError(`rateLimit: trustProxy entries must be strings, got ${describeValue(text)}`);
  const [host = '', prefixText] = text.split('/');
  const parsed = parseAddress(host);
  const width = parsed?.v6 ? 128 : 32;
  const prefix = prefixText === undefined ? width : Number(prefixText);
  if (parsed === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > width) {
    throw new ConfigurationError(`rateLimit: trustProxy entry ${describeValue(text)} is not an IP address or CIDR block`);
  }
  const shift = BigInt(width - prefix);
  const network = parsed.bits >> shift;
  return (address) => address.v6 === parsed.v6 && address.bits >> shift === network;
}

/** Parses an IPv4 or IPv6 address (IPv4-mapped IPv6 counts as IPv4). */
function parseAddress(text: string): ParsedAddress | undefined {
  let host = text.trim();
  if (host.startsWith('[')) host = host.slice(1, host.indexOf(']'));
  const zone = host.indexOf('%');
  if (zone >= 0) host = host.slice(0, zone);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host);
  if (mapped) host = mapped[1]!;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) {
    const parts = host.split('.').map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { v6: false, bits: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n) };
  }
  if (!host.includes(':')) return undefined;
  const halves = host.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let bits = 0n;
  for (const group of groups) {
    if (!/^[0-9a-f]{1,4}$/i.test(group)) return undefined;
    bits = (bits << 16n) | BigInt(parseInt(group, 16));
  }
  return { v6: true, bits };
}

interface RequestLike {
  headers?: unknown;
  socket?: { remoteAddress?: string };
}

function header(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  if (typeof (headers as { get?: unknown }).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * The client address of the request in `ctx.req` (a node `IncomingMessage`,
 * also the upgrade request of a WebSocket context, or a fetch `Request`).
 * `X-Forwarded-For` is read only when `trusted` says which proxies to trust.
 * Returns undefined when no address can be found (a fetch `Request` carries
 * none unless a trusted proxy added one).
 */
export function clientAddress(ctx: unknown, trustProxy?: TrustProxy): string | undefined {
  return addressFromContext(ctx, compileTrustProxy(trustProxy));
}

/** `clientAddress` with an already compiled `trustProxy`. */
export function addressFromContext(ctx: unknown, trusted: ((address: string, hop: number) => boolean) | undefined): string | undefined {
  const req = typeof ctx === 'object' && ctx !== null ? (ctx as { req?: RequestLike }).req : undefined;
  if (req === undefined || req === null) return undefined;
  const peer = req.socket?.remoteAddress;
  if (trusted === undefined) return peer;
  const forwarded = (header(req.headers, 'x-forwarded-for') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const chain = peer === undefined ? forwarded : [...forwarded, peer];
  let hop = peer === undefined ? 1 : 0; // without a socket peer, the nearest proxy is hop 0
  for (let i = chain.length - 1; i >= 0; i--, hop++) {
    const address = chain[i]!;
    if (i === 0 || !trusted(address, hop)) return address;
  }
  return undefined;
}
