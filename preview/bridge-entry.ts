// What the preview host loads for its socket: the bridge and the contract's names. preview/build.ts also
// bundles exactly this into one file (out/preview-host/bridge.mjs) that loads several times faster than
// its ~100 source modules (ws, zod, the schemas), because the page's first answer waits for it.
export { createBridge } from './bridge.ts';
export { eventNames, invokeChannels } from '../shared/ipc/contract.ts';
