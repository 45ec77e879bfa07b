/**
 * docs/graphql.md's first example with a Redis URL nobody answers on:
 * three queries each get RATE_LIMITER_UNAVAILABLE (HTTP 503), never
 * RATE_LIMITED, and the outage is logged (the test counts the lines).
 */
import './yoga.snippet.js';
import { postQuery, report, whenListening } from './driver.js';

const url = `http://127.0.0.1:${process.env.PORT}/graphql`;
const answers = [await whenListening(() => postQuery(url, '{ me { name } }'))];
for (let i = 0; i < 2; i++) answers.push(await postQuery(url, '{ search(q: "tea") { id } }'));
report({ answers });
