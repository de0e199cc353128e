// Entry point of the watchdog process (started by handoff.ts startHandoff): `<node> watchdog-main.ts <plan>`.
// The plan's path is the last argument, whatever runtime flags come before it.
import { runWatchdog } from './watchdog.ts';

const planPath = process.argv.at(-1) ?? '';
runWatchdog(planPath).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`${new Date().toISOString()} watchdog[${process.pid}] failed: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  },
);
