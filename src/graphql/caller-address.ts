import { GraphQLError } from 'graphql';
import { addressFromContext, compileTrustProxy, type TrustProxy } from '../trpc/client-address.js';
import type { Identify } from './limited-resolver.js';

export type { TrustProxy };

/** The `extensions.code` of the error a request gets when the default identity finds no client address. */
export const NO_CLIENT_ADDRESS = 'RATE_LIMITER_NO_CLIENT_ADDRESS';

/**
 * What every server this module knows puts in the GraphQL context:
 * GraphQL Yoga on Node (`req`, and a fetch `request`), Apollo Server and
 * graphql-http with the documented `context` (`req`), or an app's own.
 */
interface RequestContext {
  req?: unknown;
  request?: unknown;
}

/**
 * The client address of the request in `context.req` (Node's
 * `IncomingMessage`), else in `context.request` when it carries a socket.
 * `X-Forwarded-For` counts only through `trusted` proxies. Undefined when
 * the context holds no reachable request.
 */
export function contextAddress(context: unknown, trusted: ((address: string, hop: number) => boolean) | undefined): string | undefined {
  if (context === null || typeof context !== 'object') return undefined;
  const { req, request } = context as RequestContext;
  const fromReq = req === undefined ? undefined : addressFromContext({ req }, trusted);
  if (fromReq !== undefined && fromReq !== '') return fromReq;
  const fromRequest = request === undefined ? undefined : addressFromContext({ req: request }, trusted);
  return fromRequest === '' ? undefined : fromRequest;
}

/** The error of a request whose context holds no client address: names the fix for each server. */
export function noClientAddressError(): GraphQLError {
  return new GraphQLError(
    'Rate limiter: the GraphQL context has no request to take the client address from, and no identify option was given. ' +
      'Put the request in the context (Apollo Server: context: async ({ req }) => ({ req }); ' +
      'graphql-http: context: (req) => ({ req: req.raw }); plain graphql(): contextValue: { req }) ' +
      'or pass identify: (context) => a key per caller to rateLimitDirective.',
    { extensions: { code: NO_CLIENT_ADDRESS } },
  );
}

/**
 * The identify used when none is given: the client address of the request
 * in the context (see `contextAddress`; `X-Forwarded-For` only through
 * `trustProxy`). A context without one fails the field with
 * `RATE_LIMITER_NO_CLIENT_ADDRESS` and a message naming the fix: never one
 * budget silently shared by every caller. `trustProxy` is checked here
 * (`ConfigurationError`).
 */
export function addressIdentify(trustProxy?: TrustProxy): Identify {
  const trusted = compileTrustProxy(trustProxy);
  return (context) => {
    const address = contextAddress(context, trusted);
    if (address === undefined) throw noClientAddressError();
    return address;
  };
}
