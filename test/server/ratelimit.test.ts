// The in-memory limiter behind the 429s: per-key fixed windows, Retry-After that counts down, and a bounded
// number of keys however many addresses a flood comes from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from '../../server/ratelimit.ts';

test('a key is allowed max requests per window, then refused with the seconds left; other keys are unaffected', () => {
  const rl = new RateLimiter(60_000);
  for (let i = 0; i < 3; i++) assert.equal(rl.hit('tok-a', 3, 1_000).ok, true);
  assert.deepEqual(rl.hit('tok-a', 3, 1_000), { ok: false, retryAfter: 60 });
  assert.deepEqual(rl.hit('tok-a', 3, 31_000), { ok: false, retryAfter: 30 });
  assert.equal(rl.hit('tok-b', 3, 31_000).ok, true, 'another token has its own budget');
  assert.equal(rl.hit('tok-a', 3, 61_000).ok, true, 'a new window starts when the old one ends');
});

test('Retry-After is never 0, even in the window\'s last millisecond', () => {
  const rl = new RateLimiter(1_000);
  rl.hit('ip', 1, 0);
  assert.deepEqual(rl.hit('ip', 1, 999), { ok: false, retryAfter: 1 });
});

test('a flood from many addresses keeps at most maxKeys windows, dropping the oldest first', () => {
  const rl = new RateLimiter(60_000, 1_000);
  for (let i = 0; i < 50_000; i++) rl.hit(`10.0.${i >> 8}.${i & 255}`, 5, 1_000 + i);
  assert.ok(rl.size <= 1_000, `holds ${rl.size} windows`);
  // The newest address is still counted (its window was kept), so it cannot reset itself by waiting out others.
  const last = `10.0.${49_999 >> 8}.${49_999 & 255}`;
  for (let i = 0; i < 4; i++) rl.hit(last, 5, 60_000);
  assert.equal(rl.hit(last, 5, 60_000).ok, false);
});

test('expired windows are swept, so an idle limiter holds nothing', () => {
  const rl = new RateLimiter(1_000);
  for (let i = 0; i < 100; i++) rl.hit(`k${i}`, 5, 0);
  rl.hit('later', 5, 5_000);
  assert.equal(rl.size, 1);
});
