// The console's page as the feed service serves it (issue 15; docs/console.md): built with Vite into a folder
// of its own here, then fetched from a real service: no inline script (the CSP's script-src 'self' holds),
// its assets from /console/assets with the right types, no web storage anywhere in its script, and a plain 503
// while the bundle is missing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConsole } from '../../scripts/build-console.ts';
import { startFeed, type Feed } from './helpers.ts';

let dir: string;
let feed: Feed;
let missing: Feed;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tidings-console-'));
  await buildConsole(join(dir, 'console'));
  feed = await startFeed({ console: { dir: join(dir, 'console') } });
  missing = await startFeed({ console: { dir: join(dir, 'nothing-here') } });
});
after(async () => {
  await feed.close();
  await missing.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the page loads its script and styles from /console/assets only, with no inline script or style', async () => {
  const res = await fetch(`${feed.url}/console`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const html = await res.text();
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.ok(scripts.length >= 1);
  for (const [, attrs, body] of scripts) {
    assert.match(attrs as string, /src="\/console\/assets\/[A-Za-z0-9._-]+\.js"/);
    assert.equal((body as string).trim(), '', 'no inline script');
  }
  assert.ok(!/<style\b|\sstyle="/.test(html), 'no inline style');
  for (const m of html.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)) {
    const asset = await fetch(`${feed.url}${m[1]}`);
    assert.equal(asset.status, 200, m[1]);
    assert.match(asset.headers.get('content-type') ?? '', /^(text\/javascript|text\/css)/);
    assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
    assert.equal(asset.headers.get('x-content-type-options'), 'nosniff');
    const body = await asset.arrayBuffer();
    assert.ok(body.byteLength > 0);
    // Measured for docs/console.md: the whole bundle.
    if (m[1]!.endsWith('.js')) {
      assert.ok(body.byteLength < 600_000, `bundle is ${body.byteLength} bytes`);
      // Nothing in the page (React, zod, marked, DOMPurify, the console) can keep a token where a script or a
      // later visitor finds it: no web storage, no script-set cookie, no history entries.
      const js = new TextDecoder().decode(body);
      for (const api of ['localStorage', 'sessionStorage', 'document.cookie', 'pushState', 'replaceState', 'indexedDB']) assert.ok(!js.includes(api), `the bundle uses ${api}`);
    }
  }
  assert.equal((await fetch(`${feed.url}/console/assets/..%2f..%2fpackage.json`)).status, 404);
});

test('without a built bundle /console says how to build it, with the security headers still on', async () => {
  const res = await fetch(`${missing.url}/console`);
  assert.equal(res.status, 503);
  const e = (await res.json()) as { error: { code: string; message: string } };
  assert.equal(e.error.code, 'console_not_built');
  assert.match(e.error.message, /npm run build:console/);
  assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
});
