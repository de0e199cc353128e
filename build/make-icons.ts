// Writes the product icon set (build/icon.png 1024 px for mac/win, build/icons/NxN.png for Linux) from the
// same drawing the tray uses. Run: npx node build/make-icons.ts (outputs are committed).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { drawIcon } from '../electron/main/png.ts';

export const ICON_SIZES = [16, 24, 32, 48, 64, 128, 256, 512] as const;

export function writeIcons(dir: string): string[] {
  mkdirSync(join(dir, 'icons'), { recursive: true });
  const written = [join(dir, 'icon.png')];
  writeFileSync(written[0]!, drawIcon(1024));
  for (const s of ICON_SIZES) {
    const file = join(dir, 'icons', `${s}x${s}.png`);
    writeFileSync(file, drawIcon(s));
    written.push(file);
  }
  return written;
}

if (import.meta.main) console.log(writeIcons(import.meta.dirname).join('\n'));
