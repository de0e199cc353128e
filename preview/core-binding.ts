// The preview's CompanionBinding: the real companion core behind the IPC contract (createBinding in
// electron/core/handlers.ts, the same binding Electron's main drives), with the preview's own answers where a
// desktop shell would use its powers: publishing with the demo key, and links (printed for the person at
// the terminal, never opened by the page).
import { createBinding, type BindingOptions as CoreOptions, type CoreBinding } from '../electron/core/handlers.ts';
import type { InvokeHandlers } from '../shared/ipc/contract.ts';
import { previewPublisher, type PreviewPublisherOptions } from './publisher.ts';

export interface PreviewBindingOptions extends Omit<CoreOptions, 'publisher'> {
  /** The demo key, and the file picker injected by whoever starts the preview (preview/publisher.ts). */
  publisher?: Omit<PreviewPublisherOptions, 'dir' | 'allowLoopbackHttp'>;
  log?: (line: string) => void;
}

export async function createPreviewBinding(opts: PreviewBindingOptions): Promise<CoreBinding> {
  const { publisher, log = (line: string) => console.log(line), ...core } = opts;
  const pub = publisher ? previewPublisher({ dir: core.dataDir, allowLoopbackHttp: core.allowLoopbackHttp, ...publisher }) : null;
  const bound = await createBinding({ ...core, publisher: pub?.handlers ?? null });
  const handlers: InvokeHandlers = {
    ...bound.handlers,
    openLink: async ({ url }) => {
      log(`Link from the page (open it yourself if you trust it): ${url}`);
      return { ok: false, error: { field: 'url', message: 'The preview doesn’t open links; the address was printed where the preview runs.' } };
    },
    openInstaller: async () => {
      const file = bound.verifiedDownload();
      if (file) log(`The verified installer is at ${file.path}`);
      return { ok: false, error: { field: '', message: file ? 'The preview doesn’t run installers; the file’s place was printed where the preview runs.' : 'There is no verified download yet.' } };
    },
    showInFolder: async () => {
      const file = bound.verifiedDownload();
      if (file) log(`The verified installer is at ${file.path}`);
      return { ok: false, error: { field: '', message: file ? 'The preview can’t open folders; the file’s place was printed where the preview runs.' : 'There is no verified download yet.' } };
    },
  };
  return {
    ...bound,
    handlers,
    subscribe: (emit) => {
      const off = bound.subscribe(emit);
      const offPublisher = pub?.subscribe(emit) ?? (() => {});
      return () => { offPublisher(); off(); };
    },
  };
}
