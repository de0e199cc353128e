// Renders sanitized Markdown. Links never navigate the window: a click (or Enter, or middle-click) asks
// the companion to open the URL, which re-checks it before handing it to the browser.
import { useMemo, type MouseEvent } from 'react';
import { renderMarkdown } from '../lib/markdown.ts';
import { api } from '../lib/api.ts';
import { useApp } from '../lib/context.ts';
import { t } from '../i18n/en.ts';

export function Markdown({ source, className }: { source: string; className?: string }) {
  const rendered = useMemo(() => renderMarkdown(source), [source]);
  const { announce } = useApp();
  const onClick = (e: MouseEvent<HTMLDivElement>) => {
    const target = e.target as Element | null;
    const link = target?.closest?.('a');
    if (!link) return;
    e.preventDefault();
    const href = link.getAttribute('href');
    if (!href || e.type !== 'click') return;
    api().openLink({ url: href }).then((r) => { if (!r.ok) announce(r.error.message); }, () => announce(t.actionFailed));
  };
  return (
    <div className={`md ${className ?? ''}`}>
      {rendered.shortened ? <p className="note">{t.inbox.shortened}</p> : null}
      <div onClick={onClick} onAuxClick={onClick} dangerouslySetInnerHTML={{ __html: rendered.html }} />
    </div>
  );
}
