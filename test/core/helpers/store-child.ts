// Child process for crash tests: opens the store and kills itself with SIGKILL at a named fault point,
// or writes batches forever until the parent kills it. argv: <db file> <mode> [point]
import { Store } from '../../../electron/core/store/store.ts';
import { newsMsg } from './messages.ts';

const [file, mode, point] = process.argv.slice(2);
if (!file || !mode) throw new Error('usage: store-child <file> <mode> [point]');
const die = (p: string) => {
  if (p === point) process.kill(process.pid, 'SIGKILL');
};

const store = new Store({ file, faultHook: die });
store.ensureSource('s', 'feed-v1', 'http://127.0.0.1/');
const start = store.cursor('s', 'news')?.cursor ?? 0;

function batch(from: number, n: number) {
  const messages = Array.from({ length: n }, (_, i) => newsMsg(from + i + 1, { title: 'x'.repeat(200) }));
  store.apply('s', { messages, cursors: [{ channel: 'news', cursor: from + n }], now: 1 });
}

if (mode === 'apply') {
  batch(start, 5);
  die('after-commit');
  process.stdout.write('done\n');
} else if (mode === 'loop') {
  process.stdout.write('ready\n');
  let cursor = start;
  for (;;) {
    batch(cursor, 50);
    cursor += 50;
  }
} else if (mode === 'open') {
  process.stdout.write('done\n');
}
store.close();
