// The small script the preview injects before the app loads. It provides `window.tidings` (TidingsApi) over
// the host's WebSocket: it reads the per-run secret from the URL fragment (kept in sessionStorage so a
// reload still works, and removed from the address bar), sends it as the first message, then forwards
// invoke calls and dispatches events. Plain ES2020, served as a classic script from the page's origin.
// It takes the contract's channel and event names as arguments, so that this module (and the host that
// serves the page) loads without zod: the host fetches them from shared/ipc/contract.ts after it listens.
// Incoming events are checked with the contract's parseEvent, as the Electron preload does, and an invalid
// one is dropped with a console warning. parseEvent (zod and the schemas) is a module of its own (EVENTS_PATH,
// built by preview/build.ts), imported once the window has painted or when the first event comes, whichever
// is first; events that arrive before it has loaded wait for it, in order, and are never delivered unchecked.
// The socket opens when the page first calls, or once the page has loaded, so that the host's loading of
// the bridge doesn't compete with serving the page's files.

export const CLIENT_PATH = '/__tidings/client.js';
export const BRIDGE_PATH = '/__tidings/bridge';
export const EVENTS_PATH = '/__tidings/events.js';

export interface ContractNames {
  channels: readonly string[];
  events: readonly string[];
}

export function clientScript(wsUrl: string, names: ContractNames): string {
  const config = JSON.stringify({ wsUrl, eventsUrl: EVENTS_PATH, channels: names.channels, events: names.events });
  return `(() => {
  'use strict';
  const config = ${config};
  const KEY = 'tidings.preview.secret';
  const found = /(?:^#|&)k=([A-Za-z0-9_-]{16,128})(?:&|$)/.exec(location.hash);
  if (found) {
    sessionStorage.setItem(KEY, found[1]);
    history.replaceState(null, '', location.pathname + location.search);
  }
  const secret = sessionStorage.getItem(KEY);
  if (!secret) return;
  const listeners = new Map(config.events.map((e) => [e, new Set()]));
  const pending = new Map();
  let queue = [];
  let socket = null;
  let ready = false;
  let nextId = 1;
  let retry = 250;
  let connectedBefore = false;
  let painted = false;
  const dispatch = (name, payload) => {
    for (const listener of listeners.get(name) || []) {
      try { listener(payload); } catch (err) { console.error(err); }
    }
  };
  // Events are checked with the contract's parseEvent before any listener sees them.
  let parseEvent = null;
  let loadingChecker = null;
  let held = [];
  const MAX_HELD = 1000;
  const deliver = (name, payload) => {
    const checked = parseEvent(name, payload);
    if (checked.ok) dispatch(name, checked.payload);
    else console.warn('tidings: dropped an invalid "' + name + '" event (' + (checked.error.field || 'payload') + ': ' + checked.error.message + ')');
  };
  const loadChecker = () => {
    if (loadingChecker) return;
    loadingChecker = import(config.eventsUrl).then((m) => {
      parseEvent = m.parseEvent;
      const waiting = held;
      held = [];
      waiting.forEach(([name, payload]) => deliver(name, payload));
    }, () => {
      loadingChecker = null;
      if (held.length > 0) console.warn('tidings: the event checker could not be loaded; dropped ' + held.length + ' event(s) unchecked');
      held = [];
    });
  };
  const receive = (name, payload) => {
    if (parseEvent) return deliver(name, payload);
    if (held.length < MAX_HELD) held.push([name, payload]);
    else console.warn('tidings: dropped a "' + name + '" event (too many waiting for the event checker)');
    loadChecker();
  };
  const connect = () => {
    socket = new WebSocket(config.wsUrl);
    socket.onopen = () => socket.send(JSON.stringify({ type: 'hello', secret }));
    socket.onmessage = (ev) => {
      let msg;
      try { msg = JSON.parse(ev.data); } catch { return; }
      if (msg.type === 'ready') {
        ready = true;
        retry = 250;
        const waiting = queue;
        queue = [];
        waiting.forEach((m) => socket.send(m));
        if (connectedBefore) dispatch('changed', { topics: ['inbox', 'counts', 'update', 'status', 'settings', 'publisher'] });
        connectedBefore = true;
      } else if (msg.type === 'result') {
        if (!painted) {
          // The first answer is what the window paints with; once a frame is on screen, let the host start
          // the work that can wait (the preview's core, store and demo feed).
          painted = true;
          requestAnimationFrame(() => setTimeout(() => {
            if (ready) socket.send(JSON.stringify({ type: 'painted' }));
            loadChecker();
          }, 0));
        }
        const p = pending.get(msg.id);
        if (!p) return;
        pending.delete(msg.id);
        if (msg.ok) p.resolve(msg.value);
        else p.reject(new Error(msg.error && msg.error.message ? msg.error.message : 'failed'));
      } else if (msg.type === 'event') {
        receive(msg.name, msg.payload);
      }
    };
    socket.onclose = () => {
      ready = false;
      for (const p of pending.values()) p.reject(new Error('disconnected'));
      pending.clear();
      queue = [];
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 5000);
    };
  };
  const start = () => { if (!socket) connect(); };
  const call = (channel, args) => new Promise((resolve, reject) => {
    start();
    const id = nextId++;
    pending.set(id, { resolve, reject });
    const msg = JSON.stringify({ type: 'invoke', id, channel, args: args === undefined ? {} : args });
    if (ready) socket.send(msg); else queue.push(msg);
  });
  const api = {};
  for (const channel of config.channels) api[channel] = (args) => call(channel, args);
  api.on = (event, listener) => {
    const set = listeners.get(event);
    if (!set || typeof listener !== 'function') throw new TypeError('unknown event');
    set.add(listener);
    return () => { set.delete(listener); };
  };
  Object.defineProperty(window, 'tidings', { value: Object.freeze(api), enumerable: true });
  if (document.readyState === 'complete') start(); else window.addEventListener('load', start, { once: true });
})();
`;
}
