import { canonicalAddress, compileTrustProxy, requestAddress, type RequestLike, type TrustProxy } from '../core/client-address.js';

export type { TrustProxy } from '../core/client-address.js';

/** The request a tRPC context carries as `ctx.req` (node `IncomingMessage`, a WebSocket upgrade request, or a fetch `Request`). */
export function contextRequest(ctx: unknown): RequestLike | undefined {
  if (typeof ctx !== 'object' || ctx === null) return undefined;
  const req = (ctx as { req?: unknown }).req;
  return typeof req === 'object' && req !== null ? req as RequestLike : undefined;
}

/**
 * The client address of the request in `ctx.req`, in its canonical spelling
 * (dotted IPv4, also for `::ffff:1.2.3.4`; RFC 5952 IPv6 without zone id).
 * `X-Forwarded-For` is read only when `trustProxy` says which proxies to
 * trust. Returns undefined when no address can be found (a fetch `Request`
 * carries none unless a trusted proxy added one). Throws
 * `ConfigurationError` for a wrong `trustProxy`.
 */
export function clientAddress(ctx: unknown, trustProxy?: TrustProxy): string | undefined {
  const address = requestAddress(contextRequest(ctx), compileTrustProxy(trustProxy, 'clientAddress'));
  return address === undefined ? undefined : canonicalAddress(address) ?? address.trim();
}
