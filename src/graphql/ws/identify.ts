import type { ConnectionInitMessage, Context } from 'graphql-ws';
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
 * The default `identify`: the remote address of the socket's HTTP upgrade
 * request, `ctx.extra.request.socket.remoteAddress` (what `useServer` from
 * `graphql-ws/use/ws` puts in `extra`). Throws `ConfigurationError` when the
 * adapter gives no such address (then pass your own `identify`); graphql-ws
 * then closes that socket with 4500.
 */
export function remoteAddress<P extends ConnectionInitMessage['payload'], E>(ctx: Context<P, E>): string {
  const extra = ctx.extra as { request?: { socket?: { remoteAddress?: unknown } } } | undefined;
  const address = extra?.request?.socket?.remoteAddress;
  if (typeof address === 'string' && address !== '') return address;
  throw new ConfigurationError(
    'rateLimitSubscriptions: no ctx.extra.request.socket.remoteAddress on this connection; pass an identify(ctx) option for this graphql-ws adapter',
  );
}
