// Opens the companion's SQLite file: refuses a newer schema untouched, moves a corrupt file aside (never a
// crash loop), sets the WAL pragmas and runs pending migrations, each in one transaction with its
// user_version bump so a crash mid-migration leaves the old version and the restart simply runs it again.
import Database from 'better-sqlite3';
import { existsSync, renameSync, statSync } from 'node:fs';
import { migrations, latestVersion } from './migrations/index.ts';

export type Db = Database.Database;

/** Thrown when the file was written by a newer Tidings; the file is left exactly as it was. */
export class StoreTooNewError extends Error {
  readonly fileVersion: number;
  constructor(file: string, fileVersion: number) {
    super(`The data file ${file} was created by a newer version of Tidings (schema ${fileVersion}, this version understands up to ${latestVersion}). Update Tidings, or move the file away to start fresh. The file was not changed.`);
    this.name = 'StoreTooNewError';
    this.fileVersion = fileVersion;
  }
}

export interface OpenOptions {
  file: string;
  /** Wall clock in ms, for the name of a moved-aside file. */
  nowMs?: () => number;
  /** Test hook called at named points (e.g. 'migration:1:3') so a child process can be killed there. */
  faultHook?: (point: string) => void;
}

export interface Recovery {
  reason: string;
  movedTo: string[];
}

export interface Opened {
  db: Db;
  /** Set when the previous file was unreadable and was moved aside; the UI shows a notice and a full re-sync runs. */
  recovery: Recovery | null;
}

const CORRUPT_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_CORRUPT_VTAB', 'SQLITE_CORRUPT_SEQUENCE', 'SQLITE_CORRUPT_INDEX', 'SQLITE_IOERR_SHORT_READ']);

class CorruptError extends Error {}

function isCorruption(err: unknown): boolean {
  if (err instanceof CorruptError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CORRUPT_CODES.has(code);
}

function moveAside(file: string, stamp: string): string[] {
  const moved: string[] = [];
  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    const from = file + suffix;
    if (!existsSync(from)) continue;
    const to = `${file}.corrupt-${stamp}${suffix}`;
    renameSync(from, to);
    moved.push(to);
  }
  return moved;
}

function check(db: Db, file: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > latestVersion) throw new StoreTooNewError(file, version);
  const result = db.pragma('quick_check', { simple: true });
  if (result !== 'ok') throw new CorruptError(`quick_check: ${String(result)}`);
}

function configure(db: Db): void {
  db.pragma('journal_mode = WAL');
  // WAL + NORMAL: durable across app crashes; a power loss may roll back the last commits (reliability P27).
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // Truncate the WAL back to 4 MiB after checkpoints so it stays bounded.
  db.pragma('journal_size_limit = 4194304');
  db.pragma('foreign_keys = ON');
  // A 2 MiB page cache (SQLite's own default; better-sqlite3 raises it to 16 MiB): the inbox reads index ranges
  // and a check writes a few pages, so more cache only holds memory an idle app would keep (row 10).
  db.pragma('cache_size = -2000');
  // Temporary files in memory. The one a check makes is the statement journal of a multi-row insert (apply.ts,
  // LEAN_SIZES: up to 64 rows, the pages it changes, freed when the statement ends), which SQLite otherwise spills
  // to a new temporary file past 64 KiB: a file opened and ~60 writes per poll of 100 messages (row 4). It holds
  // no committed data: durability is the WAL's, as before. The store makes no temporary tables and no VACUUM.
  db.pragma('temp_store = MEMORY');
}

export function migrate(db: Db, faultHook?: (point: string) => void): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      m.statements.forEach((sql, i) => {
        db.exec(sql);
        faultHook?.(`migration:${m.version}:${i}`);
      });
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}

function openOnce(file: string, faultHook?: (point: string) => void): Db {
  const db = new Database(file);
  try {
    check(db, file);
    configure(db);
    migrate(db, faultHook);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

export function openDatabase(opts: OpenOptions): Opened {
  const { file } = opts;
  const stamp = () => new Date((opts.nowMs ?? Date.now)()).toISOString().replace(/[:.]/g, '-');
  let reason: string | null = null;
  // A WAL without its database would be replayed onto an empty file: treat the leftovers as corrupt.
  if (!existsSync(file) && (existsSync(`${file}-wal`) || existsSync(`${file}-shm`))) reason = 'write-ahead log without its database';
  // SQLite happily opens a zero-length file as an empty database; for us it means the data was lost.
  else if (existsSync(file) && statSync(file).size === 0) reason = 'empty database file';
  if (reason === null) {
    try {
      return { db: openOnce(file, opts.faultHook), recovery: null };
    } catch (err) {
      if (!isCorruption(err)) throw err;
      reason = (err as Error).message;
    }
  }
  const movedTo = moveAside(file, stamp());
  // A second failure is thrown: the caller reports it instead of looping.
  return { db: openOnce(file, opts.faultHook), recovery: { reason, movedTo } };
}
