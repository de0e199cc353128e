// The preview bridge's guards: loopback, Host and Origin checks, the per-run secret first, contract
// validation of every call, and no stack traces to the page.
import { request as httpRequest } from 'node:http';
import { WebSocket } from 'ws';
import { test, expect } from './fixtures.ts';
import type { PreviewHost } from '../../preview/host.ts';

function connect(host: PreviewHost, origin = host.origin): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${host.origin.replace('http', 'ws')}/__tidings/bridge`, { origin });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}
const closed = (ws: WebSocket) => new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
const next = (ws: WebSocket) => new Promise<Record<string, unknown>>((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()) as Record<string, unknown>)));

async function ready(host: PreviewHost): Promise<WebSocket> {
  const ws = await connect(host);
  const first = next(ws);
  ws.send(JSON.stringify({ type: 'hello', secret: host.secret }));
  expect(await first).toEqual({ type: 'ready' });
  return ws;
}

function get(host: PreviewHost, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${host.origin}${path}`, { headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('binds to 127.0.0.1 and serves only this origin', async ({ host }) => {
  expect(new URL(host.origin).hostname).toBe('127.0.0.1');
  const index = await get(host, '/');
  expect(index.status).toBe(200);
  expect(index.body).toContain(`connect-src ws://127.0.0.1:${new URL(host.origin).port};`);
  expect(index.body).not.toContain(host.secret);
  expect(index.headers['x-content-type-options']).toBe('nosniff');
  expect((await get(host, '/', { Host: 'evil.example' })).status).toBe(421);
  expect((await get(host, '/../package.json')).status).toBe(404);
  expect((await get(host, '/%2e%2e/package.json')).status).toBe(404);
});

test('a wrong secret, a call before hello, or a foreign origin gets no access', async ({ host }) => {
  const wrong = await connect(host);
  const wrongClosed = closed(wrong);
  wrong.send(JSON.stringify({ type: 'hello', secret: 'not-the-secret' }));
  expect(await wrongClosed).toBe(4003);

  const early = await connect(host);
  const earlyClosed = closed(early);
  early.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'getAppInfo', args: {} }));
  expect(await earlyClosed).toBe(4003);

  await expect(connect(host, 'http://evil.example')).rejects.toThrow(/403/);
  await expect(connect(host, 'http://localhost:1')).rejects.toThrow(/403/);
});

test('every call is checked against the contract; failures carry no stack', async ({ host, stub }) => {
  const ws = await ready(host);
  const ask = async (msg: Record<string, unknown>) => { const r = next(ws); ws.send(JSON.stringify(msg)); return r; };
  expect(await ask({ type: 'invoke', id: 1, channel: 'getCounts', args: {} })).toMatchObject({ id: 1, ok: true, value: { unread: 3 } });
  expect(await ask({ type: 'invoke', id: 2, channel: 'constructor', args: {} })).toMatchObject({ id: 2, ok: false, error: { field: 'channel' } });
  expect(await ask({ type: 'invoke', id: 3, channel: 'listInbox', args: { offset: -1, limit: 10 } })).toMatchObject({ id: 3, ok: false, error: { field: 'offset' } });
  expect(await ask({ type: 'invoke', id: 4, channel: 'getCounts', args: { extra: 1 } })).toMatchObject({ id: 4, ok: false });
  expect(await ask({ type: 'invoke', id: 5, channel: 'openLink', args: { url: 1 } })).toMatchObject({ id: 5, ok: false, error: { field: 'url' } });
  stub.binding.handlers.getStatus = async () => { throw new Error('secret internals at /home/user/db.sqlite'); };
  const failed = await ask({ type: 'invoke', id: 6, channel: 'getStatus', args: {} });
  expect(failed).toEqual({ type: 'result', id: 6, ok: false, error: { field: '', message: 'failed' } });
  const event = next(ws);
  stub.changed('inbox');
  expect(await event).toEqual({ type: 'event', name: 'changed', payload: { topics: ['inbox'] } });
  ws.close();
});

test('without the secret the page says it cannot reach the companion', async ({ page, host }) => {
  await page.goto(`${host.origin}/`);
  await expect(page.getByRole('alert')).toHaveText('Tidings can’t reach its companion. Restart Tidings to try again.');
});

test('the secret leaves the address bar, and a reload still connects', async ({ open, page }) => {
  await open({ screen: 'status' });
  expect(page.url()).not.toContain('#k=');
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Status' })).toBeVisible();
});

test('the page client checks every event with the contract: an invalid one is dropped with a warning, a valid one is delivered', async ({ open, stub }) => {
  const page = await open();
  const warnings: string[] = [];
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  await page.evaluate(`window.__notices = []; window.tidings.on('notice', (p) => window.__notices.push(p.message));`);
  const emit = stub.emit as (name: string, payload: unknown) => void;
  emit('notice', { level: 'info', message: 'x'.repeat(5000) });
  emit('notice', { level: 'shout', message: 'not a level' });
  emit('notice', { level: 'info', message: 'fine', extra: true });
  emit('nosuchevent', { anything: 1 });
  emit('notice', { level: 'warning', message: 'delivered' });
  await expect.poll(() => page.evaluate('window.__notices')).toEqual(['delivered']);
  await expect.poll(() => warnings.length).toBe(4);
  expect(warnings.join('\n')).toMatch(/dropped an invalid "notice" event \(message: /);
  expect(warnings.join('\n')).toMatch(/dropped an invalid "nosuchevent" event/);
  // The app, too, only ever saw the valid one: it is announced in the live region.
  await expect(page.locator('.toast')).toHaveText('delivered');
});
