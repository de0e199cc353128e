// What the user chose, kept in the store (never in a shell's memory, so it survives a restart of either shell):
// the sources followed, undoable dismissals, skipped versions and the reminder. The messages and cursors stay
// in store.ts; this file only adds the user's side of the same database.
import type { Db } from './open.ts';
import type { SourceConfig } from '../api.ts';

/** How tokens are kept at rest: sealed by the shell's keychain where it has one (Electron's safeStorage). */
export interface TokenSeal {
  seal(token: string): string;
  /** null when the sealed value can no longer be opened (keychain reset): the user enters the token again. */
  open(sealed: string): string | null;
}

export const plainSeal: TokenSeal = { seal: (t) => `plain:${t}`, open: (s) => (s.startsWith('plain:') ? s.slice(6) : null) };

interface ConfigRow {
  id: string; position: number; name: string; kind: string; url: string; token: string | null; channels: string;
  update_channel: string | null; news_channel: string | null; publisher: number; edited: number;
}

export interface DismissedRow {
  key: number;
  title: string;
  channel: string;
  dismissedAt: number;
}

export class UserState {
  private readonly db: Db;
  private readonly seal: TokenSeal;

  constructor(db: Db, seal: TokenSeal = plainSeal) {
    this.db = db;
    this.seal = seal;
  }

  // Sources -------------------------------------------------------------------------------------------------

  sources(): SourceConfig[] {
    return (this.db.prepare(`SELECT * FROM source_config ORDER BY position, id`).all() as ConfigRow[]).map((r) => this.toConfig(r));
  }

  source(id: string): SourceConfig | null {
    const r = this.db.prepare(`SELECT * FROM source_config WHERE id = ?`).get(id) as ConfigRow | undefined;
    return r ? this.toConfig(r) : null;
  }

  private toConfig(r: ConfigRow): SourceConfig {
    const token = r.token === null ? undefined : this.seal.open(r.token) ?? undefined;
    const common = { id: r.id, name: r.name, publisher: r.publisher === 1, url: r.url };
    if (r.kind === 'cryptolens') {
      return {
        kind: 'cryptolens', ...common, token: token ?? '',
        ...(r.update_channel ? { updateChannel: r.update_channel } : {}), ...(r.news_channel ? { newsChannel: r.news_channel } : {}),
      };
    }
    return { kind: 'feed-v1', ...common, live: true, newsChannels: JSON.parse(r.channels) as string[], ...(token ? { token } : {}) };
  }

  /** Adds or replaces a source. `edited` marks a user's change (a built-in default no longer overrides it). */
  saveSource(c: SourceConfig, edited: boolean): void {
    const position = (this.db.prepare(`SELECT position FROM source_config WHERE id = ?`).get(c.id) as { position: number } | undefined)?.position
      ?? ((this.db.prepare(`SELECT COALESCE(MAX(position), -1) + 1 AS p FROM source_config`).get() as { p: number }).p);
    const token = c.token ? this.seal.seal(c.token) : null;
    this.db.transaction(() => {
      this.db.prepare(`INSERT OR REPLACE INTO source_config (id, position, name, kind, url, token, channels, update_channel, news_channel, publisher, edited)
        VALUES (@id, @position, @name, @kind, @url, @token, @channels, @update, @news, @publisher, @edited)`).run({
        id: c.id, position, name: c.name ?? c.id, kind: c.kind, url: c.url, token,
        channels: JSON.stringify(c.kind === 'feed-v1' ? c.newsChannels ?? ['news'] : []),
        update: c.kind === 'cryptolens' ? c.updateChannel ?? null : null, news: c.kind === 'cryptolens' ? c.newsChannel ?? null : null,
        publisher: c.publisher ? 1 : 0, edited: edited ? 1 : 0,
      });
      this.db.prepare(`DELETE FROM source_removed WHERE id = ?`).run(c.id);
    })();
  }

  /** Forgets a source and everything fetched from it (its messages, cursors and check state). */
  removeSource(id: string): void {
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM source_config WHERE id = ?`).run(id);
      this.db.prepare(`INSERT OR IGNORE INTO source_removed (id) VALUES (?)`).run(id);
      this.forgetData(id);
    })();
  }

  /** Drops what was fetched from a source (a changed URL or kind starts it afresh). */
  forgetData(id: string): void {
    this.db.prepare(`DELETE FROM messages WHERE source_id = ?`).run(id);
    this.db.prepare(`DELETE FROM cursors WHERE source_id = ?`).run(id);
    this.db.prepare(`DELETE FROM sources WHERE id = ?`).run(id);
    // What its heads held and what was reported to it (issue 15) belong to that feed too.
    this.db.prepare(`DELETE FROM meta WHERE key IN (?, ?)`).run(`holds:${id}`, `adoption:${id}`);
  }

  /**
   * The app's built-in sources (its configuration) at start: added unless the user removed them; refreshed
   * unless the user edited them (a development feed gets a new port every run).
   */
  seed(defaults: readonly SourceConfig[]): void {
    const removed = new Set((this.db.prepare(`SELECT id FROM source_removed`).all() as { id: string }[]).map((r) => r.id));
    for (const d of defaults) {
      if (removed.has(d.id)) continue;
      const row = this.db.prepare(`SELECT edited, url, kind FROM source_config WHERE id = ?`).get(d.id) as { edited: number; url: string; kind: string } | undefined;
      if (row?.edited === 1) continue;
      if (row && (row.url !== d.url || row.kind !== d.kind)) this.forgetData(d.id);
      this.saveSource(d, false);
    }
  }

  // Dismissals ----------------------------------------------------------------------------------------------

  dismiss(keys: readonly number[], now: number): number {
    const st = this.db.prepare(`UPDATE messages SET dismissed = 1, dismissed_at = ? WHERE rowid = ? AND dismissed = 0`);
    return this.db.transaction(() => keys.reduce((n, k) => n + st.run(now, k).changes, 0))();
  }

  restore(keys: readonly number[]): number {
    const st = this.db.prepare(`UPDATE messages SET dismissed = 0, dismissed_at = NULL WHERE rowid = ? AND dismissed = 1`);
    return this.db.transaction(() => keys.reduce((n, k) => n + st.run(k).changes, 0))();
  }

  dismissed(limit = 200): DismissedRow[] {
    return (this.db.prepare(`SELECT rowid AS key, title, channel, COALESCE(dismissed_at, received) AS dismissedAt FROM messages
      WHERE dismissed = 1 AND retracted = 0 AND kind <> 'retraction' ORDER BY dismissedAt DESC, rowid DESC LIMIT ?`).all(limit) as DismissedRow[]);
  }

  // Skips ---------------------------------------------------------------------------------------------------

  unskip(version: string): boolean {
    return this.db.prepare(`DELETE FROM skipped_versions WHERE version = ?`).run(version).changes > 0;
  }

  // Versions that failed to start (docs/rollback.md) ---------------------------------------------------------

  /** `issued`: the failed record's issue time; a record of the same version issued later is a republish. */
  markBad(version: string, issued: number, reason: string, at: number): void {
    this.db.prepare(`INSERT OR REPLACE INTO bad_versions (version, issued, reason, at) VALUES (?, ?, ?, ?)`).run(version, issued, reason, at);
  }

  badVersions(): { version: string; issued: number }[] {
    return this.db.prepare(`SELECT version, issued FROM bad_versions`).all() as { version: string; issued: number }[];
  }
}
