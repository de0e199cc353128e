// npm run build:lib: the library's entry points (package.json exports) as JavaScript and .d.ts in dist/. Node
// won't strip types from files inside node_modules, so a host app needs real JS; tsc rewrites the sources'
// `.ts` import specifiers to `.js` (rewriteRelativeImportExtensions). Two programs: Node (tidings, tidings/updater,
// tidings/electron) and DOM (tidings/react), as the two tsconfigs split them.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
rmSync(join(root, 'dist'), { recursive: true, force: true });
for (const config of ['tsconfig.lib.json', 'tsconfig.lib-react.json']) {
  execFileSync(process.execPath, [tsc, '-p', join(root, config)], { stdio: 'inherit', cwd: root });
}
mkdirSync(join(root, 'dist', 'renderer'), { recursive: true });
copyFileSync(join(root, 'renderer', 'styles.css'), join(root, 'dist', 'renderer', 'styles.css'));
console.log('dist/: tidings, tidings/updater, tidings/electron, tidings/react (+ styles.css)');
