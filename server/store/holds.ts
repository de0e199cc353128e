// Holds as the routine check carries them (docs/protocol.md "Holds"): per channel, the halted versions, newest
// halt first and at most 100 (the wire schema's bound; a channel with more halted rollouts than that lists the
// newest).
export const MAX_HOLDS_PER_CHANNEL = 100;

/** Rows in channel order, newest halt first within a channel. */
export function holdsOf(rows: readonly { channel: string; version: string }[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of rows) {
    const list = (out[r.channel] ??= []);
    if (list.length < MAX_HOLDS_PER_CHANNEL) list.push(r.version);
  }
  return out;
}
