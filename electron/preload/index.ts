// Sandboxed preload entry (bundled to CommonJS: out/preload/index.cjs). Everything testable is in api.ts.
import { contextBridge, ipcRenderer } from 'electron';
import { buildApi } from './api.ts';

contextBridge.exposeInMainWorld('tidings', buildApi(ipcRenderer));
