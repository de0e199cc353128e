// Pages of the inbox, fetched on demand for the rows the virtualizer shows, re-queried when the companion
// says the inbox changed (the store is the truth; nothing is counted here).
import { useCallback, useEffect, useRef, useState } from 'react';
import type { InboxItem } from '../../shared/ipc/types.ts';
import { api, onTopics } from './api.ts';

export const PAGE = 200;

export interface Filter {
  channel?: string;
  kind?: 'release' | 'news' | 'note';
}

export interface Pages {
  total: number | undefined;
  failed: boolean;
  item: (index: number) => InboxItem | undefined;
  /** Makes sure the pages covering [from, to] are loaded. */
  want: (from: number, to: number) => void;
  /** Local, optimistic change until the companion's re-query arrives. */
  patch: (key: string, change: Partial<InboxItem>) => void;
  reload: () => void;
}

export function useInboxPages(filter: Filter): Pages {
  const [pages, setPages] = useState<Map<number, InboxItem[]>>(new Map());
  const [total, setTotal] = useState<number | undefined>(undefined);
  const [failed, setFailed] = useState(false);
  const loading = useRef(new Set<number>());
  const generation = useRef(0);
  const loaded = useRef(new Set<number>());

  const fetchPages = useCallback((indexes: number[], replace: boolean) => {
    const gen = generation.current;
    const wanted = indexes.filter((p) => replace || !loading.current.has(p));
    wanted.forEach((p) => loading.current.add(p));
    Promise.all(wanted.map((p) => api().listInbox({ ...filter, offset: p * PAGE, limit: PAGE }).then((r) => [p, r] as const))).then(
      (results) => {
        if (gen !== generation.current) return;
        setPages((old) => {
          const next = replace ? new Map<number, InboxItem[]>() : new Map(old);
          for (const [p, r] of results) next.set(p, r.items);
          return next;
        });
        const last = results[results.length - 1];
        if (last) setTotal(last[1].total);
        setFailed(false);
        results.forEach(([p]) => { loading.current.delete(p); loaded.current.add(p); });
      },
      () => {
        if (gen !== generation.current) return;
        wanted.forEach((p) => loading.current.delete(p));
        setFailed(true);
      },
    );
    // The filter's fields are the real dependencies: a fresh object each render must not refetch.
  }, [filter.channel, filter.kind]);

  const reload = useCallback(() => {
    generation.current++;
    loading.current.clear();
    const keep = [...loaded.current];
    loaded.current = new Set();
    fetchPages(keep.length > 0 ? keep : [0], true);
  }, [fetchPages]);

  useEffect(() => {
    generation.current++;
    loading.current.clear();
    loaded.current = new Set();
    setPages(new Map());
    setTotal(undefined);
    fetchPages([0], true);
  }, [fetchPages]);
  useEffect(() => onTopics(['inbox'], reload), [reload]);

  const want = useCallback((from: number, to: number) => {
    const need: number[] = [];
    for (let p = Math.floor(Math.max(0, from) / PAGE); p <= Math.floor(Math.max(0, to) / PAGE); p++) {
      if (!pages.has(p) && !loading.current.has(p)) need.push(p);
    }
    if (need.length > 0) fetchPages(need, false);
  }, [pages, fetchPages]);

  const item = useCallback((i: number) => pages.get(Math.floor(i / PAGE))?.[i % PAGE], [pages]);
  const patch = useCallback((key: string, change: Partial<InboxItem>) => {
    setPages((old) => {
      const next = new Map(old);
      for (const [p, items] of next) {
        if (items.some((x) => x.key === key)) next.set(p, items.map((x) => (x.key === key ? { ...x, ...change } : x)));
      }
      return next;
    });
  }, []);
  return { total, failed, item, want, patch, reload };
}
