// kill -9 during an AppImage apply (issue 13, docs/updates.md): a child process applies a 16 MB update and is
// killed with SIGKILL at a seeded random moment spread over the whole apply (its duration measured first), and a
// quarter of the kills aimed at the moments the copy ends and the link and rename happen (they take microseconds,
// so uniform delays would rarely land there); three more runs kill the child inside each step hook. After every
// kill: the installed file exists, is 0755, is byte for byte the old or the new version and runs it; a kept
// previous is a complete older version (and is there whenever the new one is installed); the next start's sweep
// leaves no temporary file. Variants: the download on another filesystem, a full disk, a wrong payload (the old
// version stays every time). A last test kills exactly on entry to each system call of the switch (strace), which
// random delays can't hit reliably: a delete-then-move applier passes the random runs but fails that one.
// 30 runs (variants 10) by default; TIDINGS_APPLY_FAULT_RUNS=1000 runs each 1000 times; TIDINGS_APPLY_FAULT_SEED.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { previousPath, sweepAppImage } from '../../electron/core/apply/appimage.ts';
import { Scratch, mode, runApp, sha256, testApp, writeApp } from './helpers/appimage-fixture.ts';

const RUNS = Number(process.env.TIDINGS_APPLY_FAULT_RUNS ?? 30);
// The variants run a third as many by default (the suite's time); the long run gives each the same count.
const VARIANT_RUNS = process.env.TIDINGS_APPLY_FAULT_RUNS ? RUNS : Math.ceil(RUNS / 3);
const SEED = Number(process.env.TIDINGS_APPLY_FAULT_SEED ?? 13);
const MB = 1 << 20;
const SIZE = 16 * MB;
const CHILD = join(import.meta.dirname, 'helpers', 'apply-child.ts');
const STEPS = ['copied', 'kept-previous', 'renamed'] as const;
const TEMP = '.Tidings.AppImage.tidings-new-';
// A long run takes about 0.2-0.4 s a kill; the default stays well inside the suite's 120 s.
const timeout = 60_000 + RUNS * 3 * 1000;

/** mulberry32: a small seeded generator, so a failing run can be replayed with its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

interface ChildRun {
  lines: string[];
  killed: boolean;
}

interface Prepared {
  /** Starts the apply; `delay` ms after the child says "go" it is killed with SIGKILL (null: left alone). */
  start: (delay: number | null) => Promise<ChildRun>;
  /** Ends a child that was never started (a failed check stops the loop; a waiting child would keep the test alive). */
  discard: () => void;
}

/**
 * Kill points strace can hit exactly: SIGKILL on entry to the first call of a system call (the call never runs).
 * Node's start-up makes none of these calls, and the apply makes each once, except fsync (the copy's first, then
 * the folder's: that one is told by its path). Names with '?' may not exist on every architecture (arm64 has only
 * the *at forms).
 */
interface SyscallKill {
  what: string;
  calls: string;
  /** Only the call on the app's folder (strace -P). */
  onAppDir?: boolean;
}
const SYSCALL_KILLS: SyscallKill[] = [
  { what: 'before the copy is made executable', calls: 'fchmod' },
  { what: 'before the copy is fsynced', calls: 'fsync,?fdatasync' },
  { what: 'before the old previous (or a refused copy) is removed', calls: '?unlink,?unlinkat' },
  { what: 'between removing the old previous and linking the new one', calls: '?link,?linkat' },
  { what: 'before the rename over the app', calls: '?rename,?renameat,?renameat2' },
  { what: 'after the rename, before the folder is fsynced', calls: 'fsync,?fdatasync', onAppDir: true },
];

/** Why strace can't kill at a system call here, or null when it can. */
function straceMissing(): string | null {
  const r = spawnSync('strace', ['-f', '-qq', '-o', '/dev/null', '-e', 'trace=none', 'true'], { encoding: 'utf8' });
  if (r.error) return `strace isn't available (${r.error.message}); apt-get install strace`;
  return r.status === 0 ? null : `strace can't trace here: ${r.stderr.trim().split('\n')[0]}`;
}

/**
 * Spawns the child now (it loads and waits); the apply begins when start() is called. With `kill`, it runs
 * under strace, which kills it at that system call.
 */
function prepareChild(args: string[], kill?: { calls: string; path?: string }): Prepared {
  const node = [process.execPath, CHILD, ...args];
  const only = kill?.path ? ['-P', kill.path] : [];
  const cmd = kill ? ['strace', '-f', '-qq', '-o', '/dev/null', ...only, '-e', `trace=${kill.calls}`, '-e', `inject=${kill.calls}:signal=KILL:when=1`, ...node] : node;
  const child = spawn(cmd[0]!, cmd.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let delay: number | null = null;
  let timer: NodeJS.Timeout | undefined;
  let onReady: (() => void) | undefined;
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.startsWith('ready\n')) onReady?.();
    if (timer === undefined && delay !== null && out.startsWith('ready\ngo\n')) timer = setTimeout(() => child.kill('SIGKILL'), delay);
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const ended = new Promise<ChildRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const lines = out.split('\n').filter((l) => l && l !== 'ready');
      if (signal !== 'SIGKILL' && code !== 0) return reject(new Error(`apply child exited ${code ?? signal}: ${err}`));
      if (lines.some((l) => l.startsWith('error unexpected'))) return reject(new Error(`apply child: ${lines.join(' | ')}`));
      resolve({ lines, killed: signal === 'SIGKILL' });
    });
  });
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
    if (out.startsWith('ready\n')) resolve();
  });
  return {
    discard: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    start: async (d) => {
      delay = d;
      await Promise.race([ready, ended]);
      child.stdin.end('start\n');
      return ended;
    },
  };
}

interface Variant {
  name: string;
  appDir: string;
  downloads: string;
  /** The bytes the download holds (a wrong payload differs from the signed new version). */
  payload?: (next: Buffer) => Buffer;
  /** When the apply must fail: its ApplyError kind, and the old version must stay every time. */
  fails?: 'no-space' | 'mismatch';
}

type Phase = 'start' | 'copy' | 'fsync' | 'link' | 'rename' | 'after rename' | 'cleanup' | 'finished';

interface Tally {
  runs: number;
  hookKills: number;
  syscallKills: number;
  applyMs: number;
  phases: Record<string, number>;
  target: { old: number; new: number };
  previous: { '0.9.0': number; '1.0.0': number; none: number };
  tempLeft: number;
  swept: number;
  orphansAfterSweep: number;
}

async function faultRuns(t: TestContext, v: Variant, opts: { runs: number; hooks?: boolean; syscalls?: boolean }): Promise<Tally> {
  mkdirSync(v.appDir, { recursive: true });
  mkdirSync(v.downloads, { recursive: true });
  const target = join(v.appDir, 'Tidings.AppImage');
  const prevFile = previousPath(target);
  const ancient = testApp('0.9.0', SIZE / 4);
  const old = testApp('1.0.0', SIZE);
  const next = testApp('1.1.0', SIZE);
  const source = join(v.downloads, 'Tidings-1.1.0.AppImage');
  writeFileSync(source, v.payload ? v.payload(next) : next);
  const args = (killAt?: string) => [source, target, sha256(next), ...(killAt ? [killAt] : [])];

  // The install as it is before the update: 1.0.0, with 0.9.0 kept from the update before.
  const reset = () => {
    if (!existsSync(target) || !readFileSync(target).equals(old)) {
      rmSync(target, { force: true });
      writeApp(target, old);
    }
    if (!existsSync(prevFile) || !readFileSync(prevFile).equals(ancient)) {
      rmSync(prevFile, { force: true });
      writeApp(prevFile, ancient);
    }
  };

  /** What the user has after the kill, checked; the phase the kill landed in, told from the child's last step and the files. */
  const check = (r: ChildRun, label: string, tally: Tally, late: boolean): void => {
    const at = `${v.name}, ${label}: ${r.lines.join(' | ')}`;
    const names = readdirSync(v.appDir);
    const temps = names.filter((n) => n.startsWith(TEMP));
    assert.ok(existsSync(target) && statSync(target).isFile(), `the app is there (${at})`);
    assert.equal(mode(target), 0o755, `the app is executable (${at})`);
    const bytes = readFileSync(target);
    const isNew = bytes.equals(next);
    assert.ok(isNew || bytes.equals(old), `the app is exactly the old or the new version (${at})`);
    if (v.fails) assert.ok(!isNew, `a failing apply leaves the old version (${at})`);
    assert.equal(runApp(target), isNew ? '1.1.0' : '1.0.0', `the app runs (${at})`);
    const prev = existsSync(prevFile) ? readFileSync(prevFile) : null;
    const prevIs = prev === null ? 'none' : prev.equals(old) ? '1.0.0' : prev.equals(ancient) ? '0.9.0' : 'corrupt';
    assert.notEqual(prevIs, 'corrupt', `a kept previous is a complete older version (${at})`);
    if (isNew) assert.equal(prevIs, '1.0.0', `the version the new one replaced is kept for rollback (${at})`);
    if (v.fails) assert.equal(prevIs, '0.9.0', `a failing apply doesn't touch the kept previous (${at})`);

    const steps = r.lines.filter((l) => l.startsWith('step ')).map((l) => l.split(' ')[1]);
    const end = r.lines.find((l) => l.startsWith('done') || l.startsWith('error'));
    let phase: Phase;
    if (end) {
      phase = 'finished';
      if (v.fails) assert.ok(end.startsWith(`error ${v.fails} `), `fails with ${v.fails} (${at})`);
      else assert.ok(end.startsWith('done') && isNew, `an apply that ran to the end installed the new version (${at})`);
    } else if (steps.includes('renamed')) phase = 'after rename';
    else if (steps.includes('kept-previous')) phase = 'rename';
    else if (steps.includes('copied')) phase = 'link';
    else if (temps.length > 0) {
      // The copy is made executable (0755) just before its fsync; until then it is 0700.
      const st = statSync(join(v.appDir, temps[0]!));
      phase = st.size === SIZE && (st.mode & 0o777) === 0o755 ? 'fsync' : 'copy';
    } else phase = v.fails && late ? 'cleanup' : 'start'; // no temp file yet, or a failed one already removed
    tally.phases[phase] = (tally.phases[phase] ?? 0) + 1;
    tally.target[isNew ? 'new' : 'old']++;
    tally.previous[prevIs as keyof Tally['previous']]++;
    tally.tempLeft += temps.length;

    // The next start.
    tally.swept += sweepAppImage(target);
    const after = readdirSync(v.appDir);
    const orphans = after.filter((n) => n.startsWith('.Tidings.AppImage.tidings-new-'));
    tally.orphansAfterSweep += orphans.length;
    assert.deepEqual(orphans, [], `no temporary file after the next start (${at})`);
    assert.deepEqual(after.filter((n) => n !== 'Tidings.AppImage' && n !== '.Tidings.AppImage.tidings-previous'), [], `nothing else left (${at})`);
    assert.equal(runApp(target), isNew ? '1.1.0' : '1.0.0', `the app still runs after the sweep (${at})`);
  };

  const tally: Tally = {
    runs: 0, hookKills: 0, syscallKills: 0, applyMs: 0, phases: {}, target: { old: 0, new: 0 }, previous: { '0.9.0': 0, '1.0.0': 0, none: 0 }, tempLeft: 0, swept: 0, orphansAfterSweep: 0,
  };
  const scratchTally = (): Tally => ({ ...tally, phases: {}, target: { old: 0, new: 0 }, previous: { '0.9.0': 0, '1.0.0': 0, none: 0 } });
  // Applies left alone first (three; one without random kills), to measure how long one takes; every apply that
  // ends by itself later adds to the measure, and the kills are spread over the median.
  type Plan = { kind: 'measure' } | { kind: 'random' } | { kind: 'hook'; step: string } | { kind: 'syscall'; kill: SyscallKill };
  const plans: Plan[] = [
    // Without random kills one apply left alone is enough (it shows the apply works here).
    ...Array.from({ length: opts.runs > 0 ? 3 : 1 }, () => ({ kind: 'measure' }) as const),
    ...Array.from({ length: opts.runs }, () => ({ kind: 'random' }) as const),
    ...(opts.hooks && !v.fails ? STEPS.map((step) => ({ kind: 'hook', step }) as const) : []),
    // A refused payload never gets past removing its copy: the first three kill points.
    ...(opts.syscalls ? SYSCALL_KILLS.slice(0, v.fails ? 3 : undefined).map((kill) => ({ kind: 'syscall', kill }) as const) : []),
  ];
  const totals: number[] = [];
  const stepTimes: Record<string, number[]> = {};
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
  const random = rng(SEED + v.name.length);
  // Two children load ahead while a run is checked: Node's start-up is most of a run's time.
  const ahead: Prepared[] = [];
  const spawnAhead = (upTo: number) => {
    while (ahead.length < upTo) {
      const plan = plans[ahead.length];
      if (!plan) break;
      ahead.push(prepareChild(args(plan.kind === 'hook' ? plan.step : undefined), plan.kind === 'syscall' ? { calls: plan.kill.calls, path: plan.kill.onAppDir ? v.appDir : undefined } : undefined));
    }
  };
  t.after(() => ahead.forEach((c) => c.discard()));
  spawnAhead(2);
  for (let i = 0; i < plans.length; i++) {
    const plan = plans[i]!;
    const child = ahead[i]!;
    reset();
    let delay: number | null = null;
    if (plan.kind === 'random') {
      const boundaries = STEPS.map((st) => stepTimes[st]).filter((x): x is number[] => !!x).map(median);
      delay = boundaries.length > 0 && random() < 0.25
        ? Math.max(0, boundaries[Math.floor(random() * boundaries.length)]! + (random() * 4 - 2))
        : random() * median(totals) * 1.15;
    }
    const r = await child.start(delay);
    spawnAhead(i + 3);
    const end = r.lines.find((l) => l.startsWith('done') || l.startsWith('error'));
    if (end) totals.push(Number(end.split(' ')[end.startsWith('done') ? 1 : 2]));
    for (const l of r.lines.filter((x) => x.startsWith('step ') && end)) {
      const [, name, at] = l.split(' ');
      (stepTimes[name!] ??= []).push(Number(at));
    }
    if (plan.kind === 'measure') {
      assert.ok(end, `an apply left alone ends: ${r.lines.join(' | ')}`);
      check(r, `measuring run ${i + 1}`, scratchTally(), false);
    } else if (plan.kind === 'random') {
      tally.runs++;
      check(r, `run ${tally.runs}, kill ${delay!.toFixed(1)} ms after go`, tally, delay! > median(totals) / 2);
    } else if (plan.kind === 'hook') {
      assert.ok(r.killed, `killed itself at ${plan.step}`);
      tally.hookKills++;
      check(r, `killed inside the ${plan.step} step hook`, tally, true);
    } else {
      tally.syscallKills += r.killed ? 1 : 0;
      check(r, `killed ${plan.kill.what} (${plan.kill.calls})`, tally, true);
    }
  }
  tally.applyMs = median(totals);
  const p = tally.phases;
  const line = `${v.name}: ${tally.runs} random kills + ${tally.hookKills} in step hooks + ${tally.syscallKills} at system calls (seed ${SEED}, ${SIZE / MB} MB, an apply takes ~${tally.applyMs.toFixed(0)} ms); `
    + `phase: ${Object.entries(p).map(([k, n]) => `${k} ${n}`).join(', ')}; `
    + `app afterwards: old ${tally.target.old}, new ${tally.target.new}, missing/corrupt/not executable 0; `
    + `previous: 0.9.0 ${tally.previous['0.9.0']}, 1.0.0 ${tally.previous['1.0.0']}, none ${tally.previous.none}; `
    + `temporary files left by kills ${tally.tempLeft}, swept at the next start ${tally.swept}, orphans after the sweep ${tally.orphansAfterSweep}`;
  t.diagnostic(line);
  return tally;
}

test(`kill -9 during an apply, ${RUNS} runs: the app is always the old or the new version, runnable, with no orphan after the next start`, { timeout }, async (t) => {
  const s = new Scratch(t, 'tidings-apply-faults-');
  const tally = await faultRuns(t, { name: 'same filesystem', appDir: join(s.dir, 'Applications'), downloads: join(s.dir, 'downloads') }, { runs: RUNS, hooks: true });
  assert.equal(tally.orphansAfterSweep, 0);
  assert.ok(tally.target.old > 0 && tally.target.new > 0, 'the kills landed both before and after the switch');
});

test(`kill -9 during an apply from a download folder on another filesystem, ${VARIANT_RUNS} runs`, { timeout }, async (t) => {
  const s = new Scratch(t, 'tidings-apply-faults-');
  const appDir = join(s.dir, 'Applications');
  mkdirSync(appDir);
  const other = s.otherFilesystem(appDir, SIZE);
  if ('skip' in other) return t.skip(other.skip);
  const tally = await faultRuns(t, { name: 'download on another filesystem', appDir, downloads: other.dir }, { runs: VARIANT_RUNS, hooks: true });
  assert.equal(tally.orphansAfterSweep, 0);
});

test(`kill -9 during an apply onto a full disk, ${VARIANT_RUNS} runs: the old version stays every time`, { timeout }, async (t) => {
  const s = new Scratch(t, 'tidings-apply-faults-');
  // Room for the installed 1.0.0 and the kept 0.9.0, and half of the new 1.1.0.
  const why = s.mountTmpfs('Applications', SIZE + SIZE / 4 + SIZE / 2);
  if (why) return t.skip(why);
  const tally = await faultRuns(t, { name: 'full disk', appDir: join(s.dir, 'Applications'), downloads: join(s.dir, 'downloads'), fails: 'no-space' }, { runs: VARIANT_RUNS, hooks: true });
  assert.equal(tally.target.new, 0);
});

test(`kill -9 during an apply of a wrong payload, ${VARIANT_RUNS} runs: the old version stays every time`, { timeout }, async (t) => {
  const s = new Scratch(t, 'tidings-apply-faults-');
  const tally = await faultRuns(t, {
    name: 'wrong payload',
    appDir: join(s.dir, 'Applications'),
    downloads: join(s.dir, 'downloads'),
    // The last byte differs, so the whole copy runs before the hash can tell.
    payload: (next) => {
      const bad = Buffer.from(next);
      bad[bad.length - 1] = (bad.at(-1) ?? 0) ^ 0xff;
      return bad;
    },
    fails: 'mismatch',
  }, { runs: VARIANT_RUNS, hooks: true });
  assert.equal(tally.target.new, 0);
});

test('kill -9 on entry to each system call of the switch (strace): chmod, fsync, unlink, link, rename, folder fsync; and of a refused payload\'s cleanup', { timeout }, async (t) => {
  const why = straceMissing();
  if (why) return t.skip(why);
  const s = new Scratch(t, 'tidings-apply-faults-');
  const ok = await faultRuns(t, { name: 'system calls, good payload', appDir: join(s.dir, 'Applications'), downloads: join(s.dir, 'downloads') }, { runs: 0, syscalls: true });
  assert.equal(ok.syscallKills, SYSCALL_KILLS.length, 'every kill point was reached');
  assert.equal(ok.previous.none, 1, 'one kill landed between removing the old previous and linking the new one');
  assert.equal(ok.target.new, 1, 'one kill landed after the rename');
  const bad = await faultRuns(t, {
    name: 'system calls, wrong payload',
    appDir: join(s.dir, 'Applications-2'),
    downloads: join(s.dir, 'downloads-2'),
    payload: (next) => Buffer.concat([next.subarray(0, -1), Buffer.from([(next.at(-1) ?? 0) ^ 0xff])]),
    fails: 'mismatch',
  }, { runs: 0, syscalls: true });
  assert.equal(bad.syscallKills, 3, 'killed before the chmod, the fsync and the removal of the refused copy');
  assert.equal(bad.target.new, 0);
});
