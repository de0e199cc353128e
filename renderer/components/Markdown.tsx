// Renders sanitized Markdown. Links never navigate the window: a click (or Enter, or middle-click) asks
// the companion to open the URL, which re-checks it before handing it to the browser.
// The renderer (marked + DOMPurify) is a chunk of its own, loaded when the first body is shown: the first
// screen paints without it. Until it is there nothing of the body is shown (never unsanitized text), with
// words after 200 ms, and a plain failure with a retry if the chunk can't be loaded.
import { useEffect, useMemo, useState, type MouseEvent } from 'react';
import type { renderMarkdown } from '../lib/markdown.ts';
import { api } from '../lib/api.ts';
import { useShell } from '../lib/context.ts';
import { t } from '../i18n/en.ts';
import { Failed, Pending } from './common.tsx';

type Render = typeof renderMarkdown;
let loaded: Render | undefined;
let loading: Promise<Render> | undefined;

/** Loads the Markdown renderer once (again after a failure). */
export function loadMarkdown(): Promise<Render> {
  loading ??= import('../lib/markdown.ts').then(
    (m) => (loaded = m.renderMarkdown),
    (err: unknown) => {
      loading = undefined;
      throw err;
    },
  );
  return loading;
}

function useRenderer(): { render: Render | undefined; failed: boolean; retry: () => void } {
  const [render, setRender] = useState<Render | undefined>(() => loaded);
  const [failed, setFailed] = useState(false);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (render) return;
    let live = true;
    loadMarkdown().then(
      (r) => { if (live) setRender(() => r); },
      () => { if (live) setFailed(true); },
    );
    return () => { live = false; };
  }, [render, attempt]);
  const retry = () => {
    setFailed(false);
    setAttempt((n) => n + 1);
  };
  return { render, failed, retry };
}

export function Markdown({ source, className }: { source: string; className?: string }) {
  const { render, failed, retry } = useRenderer();
  const rendered = useMemo(() => render?.(source), [render, source]);
  const { announce } = useShell();
  const onClick = (e: MouseEvent<HTMLDivElement>) => {
    const target = e.target as Element | null;
    const link = target?.closest?.('a');
    if (!link) return;
    e.preventDefault();
    const href = link.getAttribute('href');
    if (!href || e.type !== 'click') return;
    api().openLink({ url: href }).then((r) => { if (!r.ok) announce(r.error.message); }, () => announce(t.actionFailed));
  };
  if (!rendered) {
    return <div className={`md ${className ?? ''}`} aria-busy={!failed}>{failed ? <Failed onRetry={retry} /> : <Pending />}</div>;
  }
  return (
    <div className={`md ${className ?? ''}`}>
      {rendered.shortened ? <p className="note">{t.inbox.shortened}</p> : null}
      <div onClick={onClick} onAuxClick={onClick} dangerouslySetInnerHTML={{ __html: rendered.html }} />
    </div>
  );
}
