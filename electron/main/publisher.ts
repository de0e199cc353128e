// The publisher page in the desktop app: the core's publisher (electron/core/publisher.ts, the same the
// preview runs) with the shell's native Open dialogs. A dialog answers a path to main, main hands it to the
// core, which reads the key or hashes the file; the renderer only ever gets a file name and an opaque handle.
import type { ElectronApi, OpenDialogOptions } from './electron-api.ts';
import type { BindingOptions } from '../core/handlers.ts';
import { publisherBinding, publisherFeed, type PublisherShell } from '../core/publisher.ts';
import { en, type ShellStrings } from './strings.ts';

/** The key and file choosers, through `dialog.showOpenDialog`: a path, or null when the person cancelled. */
export function filePickers(dialog: Pick<ElectronApi['dialog'], 'showOpenDialog'>, words: ShellStrings['dialogs'] = en.dialogs): PublisherShell {
  const open = async (options: OpenDialogOptions) => {
    const r = await dialog.showOpenDialog(options);
    return r.canceled ? null : (r.filePaths[0] ?? null);
  };
  return {
    // keygen's files are often named *.key or *.pem, and kept in hidden folders (~/.config, ~/.ssh-like places).
    pickKeyFile: () => open({
      title: words.keyTitle, buttonLabel: words.keyButton, properties: ['openFile', 'showHiddenFiles', 'dontAddToRecent'],
      filters: [{ name: words.keyFilter, extensions: ['key', 'pem'] }, { name: words.allFiles, extensions: ['*'] }],
    }),
    pickAssetFile: () => open({ title: words.fileTitle, buttonLabel: words.fileButton, properties: ['openFile'] }),
  };
}

type Publisher = ReturnType<typeof publisherBinding>;

/** The desktop app's publisher when its configuration names a feed to publish to (a publisher source with a token). */
export function desktopPublisher(options: Pick<BindingOptions, 'sources' | 'allowLoopbackHttp'>, pickers: PublisherShell): Publisher | null {
  const feed = publisherFeed(options.sources);
  return feed ? publisherBinding({ ...feed, allowLoopbackHttp: options.allowLoopbackHttp, ...pickers }) : null;
}

/** A binding whose subscribe also carries the publisher's events (hashProgress, changed 'publisher'). */
export function withPublisherEvents<B extends { subscribe: Publisher['subscribe'] }>(binding: B, publisher: Publisher | null): B {
  if (!publisher) return binding;
  return {
    ...binding,
    subscribe: (emit) => {
      const off = binding.subscribe(emit);
      const offPublisher = publisher.subscribe(emit);
      return () => { offPublisher(); off(); };
    },
  };
}
