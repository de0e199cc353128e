/* eslint-disable @typescript-eslint/no-require-imports */
// Preloaded (node --require) into electronegativity for the security gate: its `got` calls fetch
// translations and Electron's release list from GitHub, which these machines cannot reach and which make
// a scan take 10 s of timeouts. Answering "offline" at once keeps the scan local, fast and deterministic.
const Module = require('node:module');
const load = Module._load;
const offline = () => Promise.reject(new Error('offline (test shim)'));
offline.head = offline;
offline.get = offline;
Module._load = function (request, ...rest) {
  if (request === 'got') return Object.assign(offline, { default: offline });
  return load.call(this, request, ...rest);
};
