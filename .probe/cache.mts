import { DenialCache } from '../src/core/backends/denial-cache.js';
import { FixedWindowStrategy } from '../src/index.js';
const strategy = new FixedWindowStrategy();
const cache = new DenialCache();
const d = [{ allowed: true, limit: 5, remaining: 1, retryAfterMs: 0, resetAfterMs: 5, delayMs: 0 }];
const N = 2_000_000;
for (let round = 0; round < 3; round++) {
  let t = performance.now();
  const pend: any[] = [];
  for (let i = 0; i < N; i++) {
    const scope = `3:uid${i % 1000}:user`;
    const hit = { strategy, scope, keys: [scope + 'x'], cost: 1 };
    if (cache.answer(hit) === undefined) {
      const tk = cache.send(hit, 'hit');
      pend.push(hit, tk);
      if (pend.length >= 128) { for (let k = 0; k < pend.length; k += 2) cache.settle(pend[k], pend[k + 1], d); pend.length = 0; }
    }
  }
  console.log('ns per hit', ((performance.now() - t) * 1e6) / N);
  t = performance.now();
  for (let i = 0; i < N; i++) { const scope = `3:uid${i % 1000}:user`; const hit = { strategy, scope, keys: [scope + 'x'], cost: 1 }; pend.push(hit); if (pend.length > 128) pend.length = 0; }
  console.log('baseline ns', ((performance.now() - t) * 1e6) / N);
}
