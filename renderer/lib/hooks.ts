// Data hooks: load through the API, re-query when the companion says a topic changed, show "Loading…"
// only after 200 ms, and turn any failure into a plain-words state (the raw error is never shown).
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Topic } from '../../shared/ipc/types.ts';
import { onTopics } from './api.ts';

export interface Query<T> {
  data: T | undefined;
  failed: boolean;
  /** True once loading has taken more than 200 ms with nothing to show yet. */
  slow: boolean;
  reload: () => void;
}

export function useQuery<T>(load: () => Promise<T>, topics: Topic[], deps: unknown[] = []): Query<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [failed, setFailed] = useState(false);
  const [slow, setSlow] = useState(false);
  const generation = useRef(0);
  const loader = useCallback(load, deps);
  const reload = useCallback(() => {
    const gen = ++generation.current;
    const timer = setTimeout(() => {
      if (gen === generation.current) setSlow(true);
    }, 200);
    loader().then(
      (value) => {
        if (gen !== generation.current) return;
        clearTimeout(timer);
        setData(value);
        setFailed(false);
        setSlow(false);
      },
      () => {
        if (gen !== generation.current) return;
        clearTimeout(timer);
        setFailed(true);
        setSlow(false);
      },
    );
  }, [loader]);
  const topicKey = topics.join(',');
  useEffect(() => {
    reload();
    return onTopics(topicKey.split(',') as Topic[], reload);
  }, [reload, topicKey]);
  return { data, failed, slow, reload };
}

/** Runs an action; resolves to its value, or undefined after announcing a plain-words failure. */
export async function attempt<T>(action: () => Promise<T>, onFail: () => void): Promise<T | undefined> {
  try {
    return await action();
  } catch {
    onFail();
    return undefined;
  }
}
