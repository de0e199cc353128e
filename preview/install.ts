// Restart to Update in the preview (docs/updates.md): the verified download is installed for real, by the same
// AppImage apply the Linux app uses, over an "installed app" file in the preview's data folder; the restart is
// the preview's core starting again as the new version (there is no app process to relaunch here, so no
// watchdog: the relaunch and rollback are tested for real in test/core/update-flow.test.ts).
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { InstallSetup } from '../electron/core/api.ts';
import { appImageApplier } from '../electron/core/apply/setup.ts';

export const installedAppPath = (dataDir: string) => join(dataDir, 'app', 'Tidings.AppImage');

/** `restart(version)` starts the core again as `version`, after the answer to Restart to Update has gone out. */
export function previewInstall(dataDir: string, installedVersion: string, restart: (version: string) => Promise<void>): InstallSetup {
  const target = installedAppPath(dataDir);
  if (!existsSync(target)) {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, `#!/bin/sh\necho "Tidings ${installedVersion} (preview stand-in)"\n`);
    chmodSync(target, 0o755);
  }
  const applier = appImageApplier(target);
  applier.sweep();
  return {
    package: applier.package,
    installedFile: target,
    apply: (file, version, sha256) => applier.apply(file, version, sha256),
    async handoff(version) {
      setTimeout(() => void restart(version).catch((err: unknown) => console.error(`The preview couldn't restart as ${version}: ${String(err)}`)), 300);
    },
  };
}
