// Adapts the companion core (electron/core, facade createCompanion) to the CoreBridge the shell drives.
// TODO(core facade): electron/core/index.ts did not exist yet when the shell was written. Wiring it is
// this one function: create the companion with the data dir, baked keys and feed, and the sources from
// settings (tokens decrypted via settings.sourceToken); map its events to CoreEvent ('toasts' from the
// store's due-toast list, 'changed' topics as they are); trayState from getUpdate + getCounts + status.
import type { CoreBridge } from './bridge.ts';
import type { AppConfig } from './config.ts';
import type { ShellSettings } from './settings.ts';

export interface CoreBridgeOptions {
  config: AppConfig;
  settings: ShellSettings;
  dataDir: string;
  downloadsDir: string;
  /** Not packaged (`npm start`): run against the embedded demo feed. */
  demo: boolean;
}

export async function createCoreBridge(_opts: CoreBridgeOptions): Promise<CoreBridge> {
  throw new Error('The companion core is not wired into the Electron shell yet (electron/main/core-bridge.ts).');
}
