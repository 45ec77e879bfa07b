import { ConfigurationError, describeValue } from './errors.js';

/**
 * Client addresses as rate-limit identities. One client must get one budget
 * however its address is spelled, and an IPv6 client must not get a fresh
 * budget per address of its subnet (one host commonly owns a /64 or more):
 * - IPv4 stays dotted (`1.2.3.4`); IPv4-mapped IPv6 (`::ffff:1.2.3.4`,
 *   `::ffff:102:304`) is that IPv4 address;
 * - IPv6 is written in the RFC 5952 form (lower case, no leading zeros, the
 *   longest run of zero groups as `::`), zone ids (`%eth0`) and brackets dropped;
 * - IPv6 identities are the client's network, `2001:db8:0:100::/56` with the
 *   default `ipv6Subnet` of 56 (what ISPs hand a home; use 64 for a finer cut,
 *   48 for a coarser one, 128 for single addresses).
 */

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

/** Options of `clientIdentity`: how to find the client behind proxies, and how coarse IPv6 identities are. */
export interface ClientAddressOptions {
  /** Which proxies' `X-Forwarded-For` to trust (see `TrustProxy`). Default: none (the socket peer is the client). */
  trustProxy?: TrustProxy;
  /** IPv6 clients are grouped by this prefix length, 1 to 128. Default 56. */
  ipv6Subnet?: number;
}

/** A request as the node and fetch adapters give it: a socket peer and headers. */
export interface RequestLike {
  headers?: unknown;
  socket?: { remoteAddress?: string | undefined } | null;
}

/** A compiled trust test: is `address`, `hop` steps from the socket peer, one of our proxies? */
export type TrustTest = (address: string, hop: number) => boolean;

/** An address as 16-bit groups: 2 for IPv4, 8 for IPv6. */
interface ParsedAddress {
  readonly groups: readonly number[];
}

/** The default IPv6 grouping prefix: a typical customer allocation. */
export const DEFAULT_IPV6_SUBNET = 56;

/**
 * Parses an IPv4 or IPv6 address (brackets, zone ids and surrounding blanks
 * allowed; IPv4-mapped IPv6 counts as IPv4). Undefined when it is not one.
 */
function parseAddress(text: string): ParsedAddress | undefined {
  let host = text.trim();
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    if (end < 0) return undefined;
    host = host.slice(1, end);
  }
  const zone = host.indexOf('%');
  if (zone >= 0) host = host.slice(0, zone);
  if (!host.includes(':')) {
    const v4 = parseIPv4(host);
    return v4 === undefined ? undefined : { groups: v4 };
  }
  const groups = parseIPv6(host);
  if (groups === undefined) return undefined;
  const mapped = groups[5] === 0xffff && groups.slice(0, 5).every((g) => g === 0);
  return { groups: mapped ? groups.slice(6) : groups };
}

function parseIPv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const byte = Number(part);
    if (byte > 255) return undefined;
    bytes.push(byte);
  }
  return [bytes[0]! * 256 + bytes[1]!, bytes[2]! * 256 + bytes[3]!];
}

function parseIPv6(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const side = halves.length === 2 ? tail : head; // a dotted IPv4 tail may only end the address
  const last = side[side.length - 1];
  if (last !== undefined && last.includes('.')) {
    const v4 = parseIPv4(last);
    if (v4 === undefined) return undefined;
    side.splice(side.length - 1, 1, v4[0]!.toString(16), v4[1]!.toString(16));
  }
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups: number[] = [];
  for (const group of [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail]) {
    if (!/^[0-9a-f]{1,4}$/i.test(group)) return undefined;
    groups.push(parseInt(group, 16));
  }
  return groups;
}

/** The groups with every bit past `prefix` cleared. */
function maskGroups(groups: readonly number[], prefix: number): number[] {
  return groups.map((group, i) => {
    const keep = Math.min(16, Math.max(0, prefix - i * 16));
    return keep === 16 ? group : keep === 0 ? 0 : group & (0xffff << (16 - keep)) & 0xffff;
  });
}

/** Dotted IPv4, or RFC 5952 IPv6 (lower case, the first longest run of two or more zero groups as `::`). */
function formatAddress(groups: readonly number[]): string {
  if (groups.length === 2) return `${groups[0]! >> 8}.${groups[0]! & 255}.${groups[1]! >> 8}.${groups[1]! & 255}`;
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) { bestStart = i; bestLength = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/**
 * The canonical spelling of an IP address: dotted IPv4 (also for
 * IPv4-mapped IPv6), RFC 5952 IPv6 without zone id. Undefined when `text` is
 * not an IP address.
 */
export function canonicalAddress(text: string): string | undefined {
  const parsed = parseAddress(text);
  return parsed === undefined ? undefined : formatAddress(parsed.groups);
}

/**
 * The rate-limit identity of a client address: the canonical IPv4 address,
 * or the client's IPv6 network `prefix::/ipv6Subnet` (`ipv6Subnet` 128 gives
 * the single address, without `/128`). Text that is not an IP address (a
 * value a trusted proxy wrote) is returned trimmed, as it is.
 */
export function addressIdentity(address: string, ipv6Subnet = DEFAULT_IPV6_SUBNET): string {
  const parsed = parseAddress(address);
  if (parsed === undefined) return address.trim();
  if (parsed.groups.length === 2 || ipv6Subnet >= 128) return formatAddress(parsed.groups);
  return `${formatAddress(maskGroups(parsed.groups, ipv6Subnet))}/${ipv6Subnet}`;
}

/** Checks `ipv6Subnet` (1 to 128); `owner` names the caller in the error. */
export function checkIpv6Subnet(value: unknown, owner: string): number {
  if (value === undefined) return DEFAULT_IPV6_SUBNET;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 128) {
    throw new ConfigurationError(`${owner}: ipv6Subnet must be a whole number from 1 to 128, got ${describeValue(value)}`);
  }
  return value;
}

/** Checks a `trustProxy` value and compiles it; `owner` names the caller in errors. Undefined: trust nobody. */
export function compileTrustProxy(value: TrustProxy | undefined, owner = 'trustProxy'): TrustTest | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new ConfigurationError(`${owner}: trustProxy must be a whole number of hops >= 0, a list of addresses or a function, got ${describeValue(value)}`);
    }
    return (_address, hop) => hop < value;
  }
  if (typeof value === 'function') return (address) => value(address);
  if (!Array.isArray(value)) {
    throw new ConfigurationError(`${owner}: trustProxy must be a whole number of hops, a list of addresses or a function, got ${describeValue(value)}`);
  }
  const matchers = value.map((entry) => compileBlock(entry, owner));
  return (address) => {
    const parsed = parseAddress(address);
    return parsed !== undefined && matchers.some((matches) => matches(parsed));
  };
}

function compileBlock(text: unknown, owner: string): (address: ParsedAddress) => boolean {
  if (typeof text !== 'string') throw new ConfigurationError(`${owner}: trustProxy entries must be strings, got ${describeValue(text)}`);
  const [host = '', prefixText, extra] = text.split('/');
  const parsed = parseAddress(host);
  const width = (parsed?.groups.length ?? 0) * 16;
  const prefix = prefixText === undefined ? width : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (parsed === undefined || extra !== undefined || !(prefix >= 0 && prefix <= width)) {
    throw new ConfigurationError(`${owner}: trustProxy entry ${describeValue(text)} is not an IP address or CIDR block`);
  }
  const network = maskGroups(parsed.groups, prefix);
  return (address) => {
    if (address.groups.length !== network.length) return false;
    const masked = maskGroups(address.groups, prefix);
    return masked.every((group, i) => group === network[i]);
  };
}

function header(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  if (typeof (headers as { get?: unknown }).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * The client's address as the request shows it (not canonicalised): the
 * socket peer, or with `trusted` the first `X-Forwarded-For` entry, walking
 * back from the peer, that is not a trusted proxy. Undefined when there is
 * none (a fetch `Request` carries no peer unless a trusted proxy added one).
 */
export function requestAddress(request: RequestLike | null | undefined, trusted: TrustTest | undefined): string | undefined {
  if (request === undefined || request === null) return undefined;
  const peer = request.socket?.remoteAddress ?? undefined;
  if (trusted === undefined) return peer;
  const forwarded = (header(request.headers, 'x-forwarded-for') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const chain = peer === undefined ? forwarded : [...forwarded, peer];
  let hop = peer === undefined ? 1 : 0; // without a socket peer, the nearest proxy is hop 0
  for (let i = chain.length - 1; i >= 0; i--, hop++) {
    const address = chain[i]!;
    if (i === 0 || !trusted(address, hop)) return address;
  }
  return undefined;
}

/**
 * Builds the function the integrations call per request: the request's
 * client identity (`addressIdentity` of `requestAddress`), or undefined when
 * the request shows no address. Options are checked now (`ConfigurationError`
 * naming `owner` and the wrong value). Identities of recent addresses are
 * cached (a bounded map), so a hit costs one lookup.
 */
export function clientIdentity(options: ClientAddressOptions = {}, owner = 'clientIdentity'): (request: RequestLike | null | undefined) => string | undefined {
  const trusted = compileTrustProxy(options.trustProxy, owner);
  const subnet = checkIpv6Subnet(options.ipv6Subnet, owner);
  const cache = new Map<string, string>();
  return (request) => {
    const address = requestAddress(request, trusted);
    if (address === undefined) return undefined;
    let identity = cache.get(address);
    if (identity === undefined) {
      identity = addressIdentity(address, subnet);
      if (cache.size >= 4096) cache.clear();
      cache.set(address, identity);
    }
    return identity;
  };
}
