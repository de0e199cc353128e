// "Open Installer" / "Show in Folder" after a verified download (ux.md Updates → Verified; P1, P6).
// The path comes from the core's verified-download record, never from the renderer, and the file is
// hashed again right before it is opened, so a file swapped on disk after verification is not run.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { ElectronApi } from './electron-api.ts';
import type { VerifiedFile } from './bridge.ts';
import type { Result } from '../../shared/ipc/types.ts';

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

const refuse = (message: string): Result => ({ ok: false, error: { field: '', message } });

export function createInstallFlow(shell: ElectronApi['shell'], verified: () => VerifiedFile | null, log: (msg: string) => void) {
  return {
    async openInstaller(): Promise<Result> {
      const file = verified();
      if (!file) return refuse('There is no verified download to open.');
      let actual: string;
      try {
        actual = await sha256File(file.path);
      } catch {
        return refuse('The downloaded file is gone. Download it again.');
      }
      if (actual !== file.sha256.toLowerCase()) {
        log(`installer ${file.path} changed after verification; not opened`);
        return refuse("The downloaded file changed after it was verified, so Tidings didn't open it. Download it again.");
      }
      const error = await shell.openPath(file.path);
      if (error) {
        log(`openPath failed: ${error}`);
        return refuse("The installer couldn't be opened. Use Show in Folder and open it from there.");
      }
      return { ok: true };
    },
    async showInFolder(): Promise<Result> {
      const file = verified();
      if (!file) return refuse('There is no verified download to show.');
      shell.showItemInFolder(file.path);
      return { ok: true };
    },
  };
}
