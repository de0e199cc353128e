// The preload exposes exactly TidingsApi, derived from the contract (issue 5 acceptance; case 34).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildApi, TidingsIpcError, type IpcRendererLike } from '../../electron/preload/api.ts';
import { eventNames, eventSchemas, invokeChannels, ipcChannel, type TidingsApi } from '../../shared/ipc/contract.ts';

function fakeIpcRenderer(reply: (channel: string, args: unknown) => unknown = () => ({ ok: true, value: 'v' })) {
  const listeners = new Map<string, ((...a: unknown[]) => void)[]>();
  const invoked: { channel: string; args: unknown[] }[] = [];
  const ipc = {
    invoke: async (channel: string, ...args: unknown[]) => { invoked.push({ channel, args }); return reply(channel, args[0]); },
    on(channel: string, l: (...a: unknown[]) => void) { listeners.set(channel, [...(listeners.get(channel) ?? []), l]); return this; },
    removeListener(channel: string, l: (...a: unknown[]) => void) { listeners.set(channel, (listeners.get(channel) ?? []).filter((x) => x !== l)); return this; },
  };
  const emit = (channel: string, ...a: unknown[]) => (listeners.get(channel) ?? []).forEach((l) => l(...a));
  return { ipc: ipc as unknown as IpcRendererLike, invoked, emit, listeners };
}

test('the exposed keys are exactly the contract: every invoke channel plus on()', () => {
  const api = buildApi(fakeIpcRenderer().ipc);
  assert.deepEqual(Object.keys(api).sort(), [...invokeChannels, 'on'].sort());
  assert.ok(Object.isFrozen(api));
  for (const k of Object.keys(api)) assert.equal(typeof (api as unknown as Record<string, unknown>)[k], 'function');
});

test('each method invokes its own channel with one argument and unwraps the reply', async () => {
  const f = fakeIpcRenderer();
  const api = buildApi(f.ipc) as unknown as Record<string, (a: unknown) => Promise<unknown>>;
  for (const name of invokeChannels) assert.equal(await api[name]!({ x: name }), 'v');
  assert.deepEqual(f.invoked.map((i) => i.channel), invokeChannels.map(ipcChannel));
  assert.ok(f.invoked.every((i) => i.args.length === 1));
});

test('a refused call rejects with the field error, not a stack', async () => {
  const f = fakeIpcRenderer(() => ({ ok: false, error: { field: 'version', message: 'must be a semantic version' } }));
  const api: TidingsApi = buildApi(f.ipc);
  await assert.rejects(api.download({ version: 'x' }), (e: unknown) => e instanceof TidingsIpcError && e.field === 'version' && e.message === 'version: must be a semantic version');
});

test('on() subscribes to contract events only, hands over the payload only, and unsubscribes', () => {
  const f = fakeIpcRenderer();
  const api = buildApi(f.ipc);
  const got: unknown[] = [];
  const off = api.on('changed', (p) => got.push(p));
  f.emit(ipcChannel('changed'), { sender: 'ipc-event-with-sender' }, { topics: ['inbox'] });
  assert.deepEqual(got, [{ topics: ['inbox'] }]);
  off();
  f.emit(ipcChannel('changed'), {}, { topics: ['counts'] });
  assert.equal(got.length, 1);
  assert.throws(() => api.on('evil' as never, () => {}), /unknown event/);
  for (const e of eventNames) api.on(e, () => {});
  assert.deepEqual([...f.listeners.keys()].sort(), eventNames.map(ipcChannel).sort());
});

test('every event channel has a zod schema, and the preload hands a page listener only valid payloads', () => {
  assert.deepEqual(Object.keys(eventSchemas).sort(), [...eventNames].sort());
  const f = fakeIpcRenderer();
  const api = buildApi(f.ipc);
  const got: unknown[] = [];
  api.on('navigate', (p) => got.push(p));
  api.on('downloadProgress', (p) => got.push(p));
  for (const bad of [undefined, 'inbox', { screen: 'evil' }, { screen: 'inbox', itemKey: 'k', url: 'https://evil.example' }, { screen: 'inbox', itemKey: 'x'.repeat(201) }]) {
    f.emit(ipcChannel('navigate'), {}, bad);
  }
  f.emit(ipcChannel('downloadProgress'), {}, { version: 'latest', received: 1, total: 2 });
  f.emit(ipcChannel('downloadProgress'), {}, { version: '2.1.0', received: -1, total: 2 });
  assert.deepEqual(got, []);
  f.emit(ipcChannel('navigate'), {}, { screen: 'inbox', itemKey: 'n1' });
  f.emit(ipcChannel('downloadProgress'), {}, { version: '2.1.0', received: 1, total: 2 });
  assert.deepEqual(got, [{ screen: 'inbox', itemKey: 'n1' }, { version: '2.1.0', received: 1, total: 2 }]);
});

test('the entry only wires buildApi to contextBridge; ipcRenderer is used nowhere else', () => {
  const entry = readFileSync('electron/preload/index.ts', 'utf8');
  assert.match(entry, /contextBridge\.exposeInMainWorld\('tidings', buildApi\(ipcRenderer\)\)/);
  assert.equal(entry.split('\n').filter((l) => l.trim() && !l.startsWith('//')).length, 3);
});
