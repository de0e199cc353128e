// Child process for the apply fault test: applies one AppImage update while the parent kills it with SIGKILL at
// a random moment. It loads, says "ready" and waits for a line on stdin (so the parent can start the next child
// while it checks the last one: Node's start-up is most of a run's time), then says "go" as the apply starts and
// each step as it passes it (written straight to the pipe, so the line is there even when the kill lands right
// after it); "done <ms>" or "error <kind> <ms> <message>" at the end. With a step name as the 4th argument it
// kills itself inside that step's hook instead.
// argv: <source> <target> <sha256> [kill-at-step]
import { once } from 'node:events';
import { writeSync } from 'node:fs';
import { ApplyError, applyAppImage } from '../../../electron/core/apply/appimage.ts';

const [source, target, sha256, killAt] = process.argv.slice(2);
if (!source || !target || !sha256) throw new Error('usage: apply-child <source> <target> <sha256> [kill-at-step]');
const say = (line: string) => writeSync(1, `${line}\n`);

say('ready');
await once(process.stdin, 'data');
process.stdin.destroy();
const t0 = performance.now();
const ms = () => (performance.now() - t0).toFixed(2);
say('go');
try {
  await applyAppImage(source, target, sha256, {
    step: (name) => {
      say(`step ${name} ${ms()}`);
      if (name === killAt) process.kill(process.pid, 'SIGKILL');
    },
  });
  say(`done ${ms()}`);
} catch (err) {
  say(err instanceof ApplyError ? `error ${err.kind} ${ms()} ${err.message}` : `error unexpected ${ms()} ${String(err)}`);
}
