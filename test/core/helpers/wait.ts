// Waiting for asynchronous effects in facade tests (SSE pushes, streams connecting) without fixed sleeps where
// a condition can be polled.
import type { Companion } from '../../../electron/core/index.ts';

export function waitFor<T>(what: string, get: () => T | undefined | false, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      const v = get();
      if (v !== undefined && v !== false) return resolve(v);
      if (Date.now() > until) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 20);
    };
    tick();
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until `streams()` SSE streams are connected and the check their opening starts (debounced 500 ms) has
 * run, so that afterwards only a message event can start a check: a test that publishes and then sees the post
 * proves the message trigger, not the opening's.
 */
export async function settleLive(c: Companion, streams: () => number, expected: number): Promise<void> {
  await waitFor(`${expected} SSE streams`, () => streams() >= expected);
  await sleep(700);
  await c.checkAll();
}
