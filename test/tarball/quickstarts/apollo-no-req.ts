/**
 * docs/graphql.md "Apollo Server 5, complete" without its context line
 * (apollo-no-req.snippet.ts): the first request fails with
 * RATE_LIMITER_NO_CLIENT_ADDRESS and a message naming the fix, instead of
 * one budget shared by every client.
 */
import { server, url } from './apollo-no-req.snippet.js';
import { postQuery, report, whenListening } from './driver.js';

const first = await whenListening(() => postQuery(url, '{ quote }', { 'x-forwarded-for': '203.0.113.9' }));
await server.stop();
report({ first });
