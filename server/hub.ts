// In-process fan-out of new messages to SSE subscribers. A publish is pushed only after its transaction
// committed, so a subscriber never sees a seq that a page request could not.
export interface HubEvent {
  channel: string;
  /** Absent for live-only messages, which have no seq. */
  seq?: number;
  json: string;
  /** `holds`: the channel's holds changed (an `event: holds` frame). */
  event?: 'holds';
}

type Listener = (e: HubEvent) => void;

export class Hub {
  private readonly byChannel = new Map<string, Set<Listener>>();
  /** Subscribers held elsewhere (routes/live.ts listens once per channel for all of its own). */
  private readonly counters: (() => number)[] = [];

  /** Counts subscribers that a single listener serves: fn gives how many more there are than its listeners. */
  addCounter(fn: () => number): void {
    this.counters.push(fn);
  }

  subscribe(channel: string, fn: Listener): () => void {
    let set = this.byChannel.get(channel);
    if (!set) this.byChannel.set(channel, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0) this.byChannel.delete(channel);
    };
  }

  emit(e: HubEvent): void {
    for (const fn of this.byChannel.get(e.channel) ?? []) fn(e);
  }

  get subscribers(): number {
    let n = 0;
    for (const s of this.byChannel.values()) n += s.size;
    for (const c of this.counters) n += c();
    return n;
  }
}
