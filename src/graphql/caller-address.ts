import { GraphQLError } from 'graphql';
import { clientIdentity, type ClientAddressOptions, type RequestLike, type TrustProxy } from '../core/client-address.js';
import type { Identify } from './limited-resolver.js';

export type { TrustProxy, ClientAddressOptions };

/** The `extensions.code` of the error a request gets when the default identity finds no client address. */
export const NO_CLIENT_ADDRESS = 'RATE_LIMITER_NO_CLIENT_ADDRESS';

/**
 * What servers put in the GraphQL context: GraphQL Yoga on Node (`req`,
 * and a fetch `request`), Apollo Server and graphql-http with the
 * documented `context` (`req`), or an app's own.
 */
interface RequestContext {
  req?: RequestLike | null;
  request?: RequestLike | null;
}

/**
 * Finds the request in a GraphQL context: `context.req` (Node's
 * `IncomingMessage`) when it shows an address, else `context.request`.
 */
function requestOf(context: unknown, identity: (request: RequestLike | null | undefined) => string | undefined): string | undefined {
  if (context === null || typeof context !== 'object') return undefined;
  const { req, request } = context as RequestContext;
  const fromReq = identity(req);
  if (fromReq !== undefined && fromReq !== '') return fromReq;
  const fromRequest = identity(request);
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
 * The client identity of the request in a GraphQL context (`context.req`,
 * else `context.request`): its canonical address, IPv6 grouped by
 * `ipv6Subnet` (default /56), `X-Forwarded-For` only through `trustProxy`.
 * Undefined when the context holds no request with an address. Options are
 * checked now (`ConfigurationError`).
 */
export function contextAddress(options: ClientAddressOptions = {}): (context: unknown) => string | undefined {
  const identity = clientIdentity(options, 'rateLimitDirective');
  return (context) => requestOf(context, identity);
}

/**
 * The identify used when none is given: `contextAddress(options)`. A
 * context without a request fails the field with
 * `RATE_LIMITER_NO_CLIENT_ADDRESS` and a message naming the fix: never one
 * budget silently shared by every caller.
 */
export function addressIdentify(options: ClientAddressOptions = {}): Identify {
  const address = contextAddress(options);
  return (context) => {
    const found = address(context);
    if (found === undefined) throw noClientAddressError();
    return found;
  };
}
