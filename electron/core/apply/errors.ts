// The one error every applier throws (docs/updates.md): a plain sentence the user reads as it is, and a kind
// the code can act on. The installed app is untouched whenever one is thrown (each applier's job).

export type ApplyErrorKind =
  | 'read-only' // the app's location can't be written (read-only volume, translocated, no permission)
  | 'no-space'
  | 'mismatch' // the file isn't the one the signed release names
  | 'missing' // the installed app (or the kept previous version) isn't where it was
  | 'cancelled' // the user dismissed the permission prompt
  | 'no-prompt' // no way to ask for permission here (no polkit agent, no pkexec, no elevation helper)
  | 'busy' // another program holds the package manager's lock
  | 'unsupported' // this system lacks the tool the install needs
  | 'failed';

/** A failure the user reads as it is: one plain sentence, the installed app untouched. */
export class ApplyError extends Error {
  readonly kind: ApplyErrorKind;
  /** A command the user can run by hand to install the update, where there is one (shown copyable). */
  readonly command: string | null;
  constructor(message: string, kind: ApplyErrorKind, command: string | null = null) {
    super(message);
    this.kind = kind;
    this.command = command;
  }
}

/** An error from the file system as one sentence about `dir` (ApplyErrors pass through). */
export function plainFsError(err: unknown, dir: string): ApplyError {
  if (err instanceof ApplyError) return err;
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new ApplyError(`There isn't enough free space in ${dir} to install the update. Free some space and try again.`, 'no-space');
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return new ApplyError(`The folder ${dir} can't be written to, so the update can't be installed there.`, 'read-only');
  return new ApplyError(`The update couldn't be installed: ${(err as Error)?.message ?? String(err)}`, 'failed');
}

/** A path quoted for a POSIX shell, for the commands we show the user. */
export const shellQuote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
