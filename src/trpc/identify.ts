import { TRPCError } from '@trpc/server';
import { clientIdentity, type ClientAddressOptions } from '../core/client-address.js';
import { ConfigurationError, describeValue } from '../core/errors.js';
import { contextRequest } from './client-address.js';
import type { CallInfo } from './options.js';

/**
 * The recommended `identify`: the signed-in user when there is one
 * (`user:<id>`), else the client address (`address:<ip or IPv6 /56>`, as
 * the default identity computes it, with `options.trustProxy` and
 * `options.ipv6Subnet`). Anonymous callers are limited too, each by its own
 * address, never all in one bucket nor exempt. A call with neither a user
 * nor an address fails with `INTERNAL_SERVER_ERROR` naming the fix.
 * `userOf` returns the user id, or undefined (or null) for an anonymous call.
 * Throws `ConfigurationError` at once for a wrong option.
 */
export function byUserOrAddress<TCtx, TMeta = unknown, TInput = unknown>(
  userOf: (info: CallInfo<TCtx, TMeta, TInput>) => string | number | null | undefined,
  options: ClientAddressOptions = {},
): (info: CallInfo<TCtx, TMeta, TInput>) => string {
  if (typeof userOf !== 'function') throw new ConfigurationError(`byUserOrAddress: userOf must be a function, got ${describeValue(userOf)}`);
  const addressOf = clientIdentity(options, 'byUserOrAddress');
  return (info) => {
    const user = userOf(info);
    if (user !== undefined && user !== null && user !== '') return `user:${String(user)}`;
    const address = addressOf(contextRequest(info.ctx));
    if (address !== undefined) return `address:${address}`;
    throw new TRPCError({
      code: 'INTERNAL_SERVER_ERROR',
      message: 'byUserOrAddress: an anonymous call without a client address: put the request in the context as ctx.req, '
        + 'or set trustProxy when behind a proxy (a fetch Request carries no address)',
    });
  };
}
