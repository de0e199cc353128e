// A tiny stand-in for the app in the update flow test (test/core/update-flow.test.ts): started by an
// AppImage-like `#!/bin/sh` file that passes its version, it runs the real core with the real AppImage install
// setup and watchdog, reports healthy, checks the real feed, installs what is offered (Restart to Update) and
// quits. Each start appends one JSON line to the flow log, so the test sees every version that ran, once.
import { appendFileSync } from 'node:fs';
import { createCompanion } from '../../../electron/core/index.ts';
import { appImageApplier, createInstallSetup } from '../../../electron/core/apply/setup.ts';

interface FlowConfig {
  feedUrl: string;
  token: string;
  key: string;
  dataDir: string;
  log: string;
}

const [version = '0.0.0', ...args] = process.argv.slice(2);
const cfg = JSON.parse(process.env.TIDINGS_FLOW ?? '{}') as FlowConfig;
const target = process.env.APPIMAGE as string;
const log = (o: object) => appendFileSync(cfg.log, JSON.stringify({ pid: process.pid, version, ...o }) + '\n');

const install = createInstallSetup({
  applier: appImageApplier(target), stateDir: cfg.dataDir, launch: { cmd: target, args, cwd: process.cwd(), env: {} },
  resume: () => ({ windowVisible: args.includes('--window') }),
});
const c = await createCompanion({
  dataDir: cfg.dataDir, publisherKeys: [cfg.key], installedVersion: version, platform: 'linux-x64', channel: 'stable',
  install, sources: [{ kind: 'feed-v1', id: 'main', url: cfg.feedUrl, token: cfg.token }], allowLoopbackHttp: true,
});
const notices: string[] = [];
c.on('notice', (n) => notices.push(n.message));
c.start();
c.reportHealthy();
await c.checkAll();
const status = c.updateStatus();
const offered = status.state === 'available' ? status.offer.release.version : null;
log({ event: 'started', args, resume: process.env.TIDINGS_RESUME ?? null, notices, state: status.state, offered, restored: c.restoredAfterFailure(), log: c.checkLog(3).map((e) => e.detail) });
if (offered) {
  const d = await c.download();
  const r = d.state === 'done' ? await c.restartToUpdate() : { ok: false, message: `download ${d.state}` };
  log({ event: 'restart', to: offered, result: r, download: c.checkLog(5).filter((e) => e.sourceId === 'download').map((e) => e.detail) });
}
await c.close();
process.exit(0);
