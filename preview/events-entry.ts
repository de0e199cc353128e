// What the preview's page client imports to check incoming events (see client.ts): the contract's
// parseEvent, with zod and the schemas. preview/build.ts bundles it into one browser module
// (out/preview-host/events.js) that the host serves at EVENTS_PATH; it is never part of the first paint.
import './events-jitless.ts';

export { parseEvent } from '../shared/ipc/contract.ts';
