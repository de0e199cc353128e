// Two lint rules that the import restrictions in eslint.config.mjs can't express:
// - layers/no-cross-layer-dynamic-import: `import('…')` obeys the same layers as a static import
//   (docs/architecture.md); a lazy chunk is no way around them.
// - layers/no-raw-ipc: ipcMain / ipcRenderer are used only inside the two typed wrappers
//   (electron/main/ipc.ts, electron/preload/api.ts); everything else goes through the contract.
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

/** The folders each layer may import from (repo-relative prefixes). */
const allowed = [
  // The standalone app's entry: only the library's public entry points and its baked config (eslint.config.mjs).
  ['electron/main/index.ts', ['electron/lib/index.ts', 'electron/lib/updater.ts', 'electron/lib/electron.ts', 'build/']],
  ['shared/', ['shared/']],
  ['renderer/', ['shared/', 'renderer/']],
  ['electron/core/', ['shared/', 'electron/core/']],
  ['electron/preload/', ['shared/', 'electron/preload/']],
  ['electron/main/', ['shared/', 'electron/core/', 'electron/main/', 'build/']],
  ['electron/lib/', ['shared/', 'electron/core/', 'electron/main/', 'electron/lib/']],
  ['server/', ['shared/', 'server/']],
  ['preview/', ['shared/', 'electron/core/', 'preview/', 'server/']],
];

const rel = (file) => path.relative(root, file).split(path.sep).join('/');

const noCrossLayerDynamicImport = {
  meta: { type: 'problem', messages: { cross: '{{from}} may not import {{to}} (docs/architecture.md layers), not even lazily.' } },
  create(context) {
    const from = rel(context.filename);
    const rule = allowed.find(([prefix]) => from.startsWith(prefix));
    if (!rule) return {};
    return {
      ImportExpression(node) {
        const src = node.source;
        if (src.type !== 'Literal' || typeof src.value !== 'string' || !src.value.startsWith('.')) return;
        const to = rel(path.resolve(path.dirname(context.filename), src.value));
        if (!rule[1].some((p) => to.startsWith(p))) context.report({ node, messageId: 'cross', data: { from: rule[0], to } });
      },
    };
  },
};

const wrappers = new Set(['electron/main/ipc.ts', 'electron/preload/api.ts']);
const ipcName = /^ipc(Main|Renderer)$/;
const noRawIpc = {
  meta: { type: 'problem', messages: { raw: 'Use the typed IPC wrappers (electron/main/ipc.ts, electron/preload/api.ts), not {{name}} directly.' } },
  create(context) {
    if (wrappers.has(rel(context.filename))) return {};
    const nameOf = (obj) => (obj.type === 'Identifier' ? obj.name : obj.type === 'MemberExpression' && obj.property.type === 'Identifier' ? obj.property.name : null);
    return {
      // ipcMain.handle(…), api.ipcMain.on(…), ipcRenderer.invoke(…): a call on the raw object.
      'CallExpression > MemberExpression.callee'(node) {
        const name = nameOf(node.object);
        if (name && ipcName.test(name)) context.report({ node, messageId: 'raw', data: { name } });
      },
    };
  },
};

export default { rules: { 'no-cross-layer-dynamic-import': noCrossLayerDynamicImport, 'no-raw-ipc': noRawIpc } };
