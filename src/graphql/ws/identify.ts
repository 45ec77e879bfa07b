import type { ConnectionInitMessage, Context } from 'graphql-ws';
import { clientIdentity, type ClientAddressOptions, type RequestLike } from '../../core/client-address.js';
import { ConfigurationError } from '../../core/index.js';

/**
 * What `ctx.extra` holds with `useServer` from `graphql-ws/use/ws` (and the
 * @fastify/websocket adapter), as far as the default `identify` needs it: the
 * HTTP upgrade request and its socket. The default type of `ctx.extra` in
 * `rateLimitSubscriptions`; other adapters pass their own type argument.
 */
export interface SocketExtra {
  readonly request: { readonly socket: { readonly remoteAddress?: string | undefined } };
}

/**
 * Builds the default `identify`: the client identity of the socket's HTTP
 * upgrade request (`ctx.extra.request`, what `useServer` from
 * `graphql-ws/use/ws` puts in `extra`): its canonical address, IPv6 grouped
 * by `ipv6Subnet` (default /56), `X-Forwarded-For` only through
 * `trustProxy`. The returned function throws `ConfigurationError` when the
 * adapter gives no such address (then pass your own `identify`); graphql-ws
 * then closes that socket with 4500. Options are checked now.
 */
export function socketAddressIdentify(options: ClientAddressOptions = {}): <P extends ConnectionInitMessage['payload'], E>(ctx: Context<P, E>) => string {
  const identity = clientIdentity(options, 'rateLimitSubscriptions');
  return (ctx) => {
    const extra = ctx.extra as { request?: RequestLike } | undefined;
    const address = identity(extra?.request);
    if (address !== undefined && address !== '') return address;
    throw new ConfigurationError(
      'rateLimitSubscriptions: no ctx.extra.request.socket.remoteAddress on this connection; pass an identify(ctx) option for this graphql-ws adapter',
    );
  };
}

/**
 * The default `identify` with default options: see `socketAddressIdentify`
 * (canonical address, IPv6 by /56, no proxy trusted).
 */
export const remoteAddress: <P extends ConnectionInitMessage['payload'], E>(ctx: Context<P, E>) => string = socketAddressIdentify();
