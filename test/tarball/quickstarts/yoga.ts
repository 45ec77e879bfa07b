/**
 * docs/graphql.md's first example (GraphQL Yoga over Node's http, Redis
 * from a URL), run as written (yoga.snippet.ts), driven over HTTP: a
 * search of 100 fills the 100/minute budget, the next is RATE_LIMITED
 * with a wait, as an HTTP 429 with Retry-After (every root field limited);
 * a page larger than the limit says it can never pass.
 */
import './yoga.snippet.js';
import { clearOfWindowEdge, postQuery, report, whenListening } from './driver.js';

const url = `http://127.0.0.1:${process.env.PORT}/graphql`;
await clearOfWindowEdge(60_000, 3000);
const filled = await whenListening(() => postQuery(url, '{ search(q: "tea", first: 100) { id } }'));
const limited = await postQuery(url, '{ search(q: "tea", first: 1) { id } }');
const tooLarge = await postQuery(url, '{ search(q: "tea", first: 101) { id } }');
const me = await postQuery(url, '{ me { name } }');
report({ filled, limited, tooLarge, me });
