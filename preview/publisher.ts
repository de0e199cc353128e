// The Publish page in the preview: the companion's own publisher (electron/core/publisher.ts, the code the
// desktop app runs) with the preview's two pickers. The key is the demo feed's key — the only one that feed
// trusts — written once as the PEM file `tidings keygen` would write, so it is read like any key file. Files
// come from a picker injected by whoever starts the preview: tests pass a path; `npm run preview` passes
// desktopFilePicker (zenity or kdialog). The page itself cannot open a native dialog, and nothing pretends it did.
import { execFile } from 'node:child_process';
import { accessSync, constants, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { PickerError, publisherBinding, type PublisherOptions, type PublisherShell } from '../electron/core/publisher.ts';
import { signingKeyPem } from '../shared/node/keys.ts';
import { publishWords } from '../shared/publish/words.ts';

export interface DemoKey { pkcs8: Uint8Array; publicKey: string; keyId: string; fileName: string }

export interface PreviewPublisherOptions extends Pick<PublisherOptions, 'feedUrl' | 'publishToken' | 'channels'> {
  key: DemoKey;
  /** Where the demo key file is written (the preview's own temporary directory). */
  dir: string;
  allowLoopbackHttp?: boolean;
  /** Injected by whoever starts the preview; without one, choosing a file says how else to give it. */
  pickAssetFile?: () => Promise<string | null>;
}

/** The preview's pickers: the demo key file, and the injected file picker. */
export function previewPublisherShell(o: Pick<PreviewPublisherOptions, 'key' | 'dir' | 'pickAssetFile'>): PublisherShell {
  let keyFile: string | null = null;
  return {
    pickKeyFile: async () => {
      if (keyFile === null) {
        keyFile = join(o.dir, o.key.fileName);
        writeFileSync(keyFile, signingKeyPem(o.key.pkcs8), { mode: 0o600 });
      }
      return keyFile;
    },
    pickAssetFile: o.pickAssetFile ?? (async () => { throw new PickerError(publishWords.previewNoDialog); }),
  };
}

/** The publisher for the preview's binding: handlers (BindingOptions.publisher) and the events they raise. */
export function previewPublisher(o: PreviewPublisherOptions): ReturnType<typeof publisherBinding> {
  return publisherBinding({
    feedUrl: o.feedUrl, publishToken: o.publishToken, channels: o.channels, allowLoopbackHttp: o.allowLoopbackHttp ?? true,
    ...previewPublisherShell(o),
  });
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch { /* not here */ }
  }
  return null;
}

/**
 * A native "open file" dialog for `npm run preview`, shown by zenity or kdialog on the desktop the preview
 * runs on (the browser page cannot open one for the core). Where neither is installed, or there is no
 * desktop session, choosing a file answers why, and the https address field still works.
 */
export function desktopFilePicker(title = 'Choose a file to publish'): () => Promise<string | null> {
  return () => new Promise((resolve, reject) => {
    const desktop = process.platform === 'linux' && (process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
    const zenity = desktop ? onPath('zenity') : null;
    const kdialog = desktop && !zenity ? onPath('kdialog') : null;
    if (!zenity && !kdialog) {
      reject(new PickerError(publishWords.previewNoDialog));
      return;
    }
    const [cmd, args] = zenity ? [zenity, ['--file-selection', `--title=${title}`]] : [kdialog!, ['--getopenfilename', homedir(), '--title', title]];
    execFile(cmd, args, { timeout: 10 * 60_000 }, (err, stdout) => {
      const code = (err as (Error & { code?: unknown }) | null)?.code;
      if (!err) resolve(stdout.replace(/\r?\n$/, '') || null);
      else if (code === 1) resolve(null); // Cancel
      else reject(new PickerError(publishWords.previewDialogFailed(zenity ? 'zenity' : 'kdialog')));
    });
  });
}
