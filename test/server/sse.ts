// A minimal SSE reader for tests: collects parsed events from a real streaming response.
export interface SseEvent { id?: string; event?: string; data: string }

export interface SseStream {
  events: SseEvent[];
  comments: string[];
  status: number;
  /** Resolves when at least n events arrived (rejects after timeoutMs). */
  waitFor(n: number, timeoutMs?: number): Promise<SseEvent[]>;
  close(): void;
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const ctrl = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: ctrl.signal });
  const stream: SseStream = {
    events: [], comments: [], status: res.status,
    close: () => ctrl.abort(),
    waitFor: async (n, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      while (stream.events.length < n) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${n} SSE events (got ${stream.events.length})`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return stream.events;
    },
  };
  if (!res.body) return stream;
  void (async () => {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev: SseEvent = { data: '' };
          let isEvent = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) { stream.comments.push(line.slice(1).trim()); continue; }
            const [k, ...rest] = line.split(':');
            const v = rest.join(':').replace(/^ /, '');
            if (k === 'id') { ev.id = v; isEvent = true; }
            else if (k === 'event') { ev.event = v; isEvent = true; }
            else if (k === 'data') { ev.data += v; isEvent = true; }
          }
          if (isEvent && ev.data) stream.events.push(ev);
        }
      }
    } catch { /* aborted */ }
  })();
  return stream;
}
