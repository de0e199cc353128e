// The update prompt, in the manner of Sparkle: available / critical / downloading / verified (Restart to
// Update, or Install When I Quit) / installing / install failed /
// verification failed / skipped / up to date (or ahead of Stable) / can't confirm. Every state says exactly
// what is known: a skipped newest version is never "up to date".
import { useEffect, useRef, useState } from 'react';
import type { Offer, UpdateView } from '../../shared/ipc/types.ts';
import { api, on } from '../lib/api.ts';
import { useQuery } from '../lib/hooks.ts';
import { useApp } from '../lib/context.ts';
import { t } from '../i18n/en.ts';
import { Chip, Failed, Loading } from '../components/common.tsx';
import { Markdown } from '../components/Markdown.tsx';
import { RemindMenu } from '../components/RemindMenu.tsx';
import { CheckNow, useAct } from '../components/CheckNow.tsx';

export function Updates() {
  const q = useQuery(() => api().getUpdate({}), ['update']);
  return (
    <div className="screen screen-updates">
      <h1 className="sr-only">{t.updates.heading}</h1>
      {q.data ? <UpdateCard view={q.data.view} /> : q.failed ? <Failed onRetry={q.reload} /> : <Loading slow={q.slow} />}
    </div>
  );
}

function OfferHeader({ offer, installed }: { offer: Offer; installed: string }) {
  const { info } = useApp();
  return (
    <header className="update-header">
      <div className="app-icon" aria-hidden="true">↑</div>
      <div>
        <h2>{t.updates.availableHeading(info.product)}</h2>
        <p className="lead">{t.updates.availableLine(info.product, offer.version, installed)}</p>
        <p className="meta">
          <Chip tone="accent">{t.channelName(offer.channel)}</Chip>
          {offer.size > 0 ? <span>{t.updates.size(offer.size)}</span> : null}
          <span>{t.updates.published(offer.published)}</span>
        </p>
      </div>
    </header>
  );
}

function Notes({ offer }: { offer: Offer }) {
  if (!offer.notes.trim()) return null;
  return (
    // Focusable: long notes scroll, and must scroll from the keyboard even when they hold no link.
    <section className="notes" aria-label={t.updates.notesHeading} tabIndex={0}>
      <Markdown source={offer.notes} />
    </section>
  );
}

function Progress({ view }: { view: Extract<UpdateView, { state: 'downloading' }> }) {
  const [p, setP] = useState({ received: view.received, total: view.total });
  const started = useRef<{ at: number; bytes: number } | null>(null);
  useEffect(() => setP({ received: view.received, total: view.total }), [view.received, view.total]);
  useEffect(() => on('downloadProgress', (e) => {
    if (e.version === view.offer.version) setP({ received: e.received, total: e.total });
  }), [view.offer.version]);
  if (!started.current) started.current = { at: performance.now(), bytes: p.received };
  const elapsed = (performance.now() - started.current.at) / 1000;
  const rate = elapsed > 1 ? (p.received - started.current.bytes) / elapsed : 0;
  const eta = rate > 0 && p.total > p.received ? t.updates.eta((p.total - p.received) / rate) : '';
  const pct = p.total > 0 ? Math.round((p.received / p.total) * 100) : 0;
  return (
    <div className="progress-block">
      <p>{t.updates.downloading(view.offer.version, p.received, p.total, eta)}</p>
      <div className="progress" role="progressbar" aria-label={t.updates.downloadingLabel(view.offer.version)} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
        <div className="progress-fill" style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}

function UpdateCard({ view }: { view: UpdateView }) {
  const { info, navigate, announce } = useApp();
  const act = useAct();
  const channel = t.channelName(view.channel);
  switch (view.state) {
    case 'available':
      return (
        <article className="card update">
          <OfferHeader offer={view.offer} installed={view.installed} />
          {view.offer.critical ? <p className="critical" role="note">{t.updates.critical}</p> : null}
          <Notes offer={view.offer} />
          <div className="actions">
            {!view.offer.critical ? <button type="button" onClick={() => act(() => api().skipVersion({ version: view.offer.version }), () => t.updates.skipped(view.offer.version))}>{t.updates.skip}</button> : null}
            <span className="spacer" />
            <RemindMenu />
            <button type="button" className="primary" autoFocus onClick={() => act(() => api().download({ version: view.offer.version }))}>{t.updates.install}</button>
          </div>
        </article>
      );
    case 'downloading':
      return (
        <article className="card update">
          <OfferHeader offer={view.offer} installed={view.installed} />
          <Progress view={view} />
          <div className="actions"><span className="spacer" /><button type="button" onClick={() => act(() => api().cancelDownload({}))}>{t.cancel}</button></div>
        </article>
      );
    case 'verified':
      return (
        <article className="card update">
          <OfferHeader offer={view.offer} installed={view.installed} />
          <p className="ok" role="status">{view.apply === 'restart' ? t.updates.ready(info.product, view.offer.version, view.installOnQuit) : t.updates.verified}</p>
          <p className="meta">{t.updates.verifiedFile(view.fileName)}</p>
          {view.apply === 'restart' ? (
            <div className="actions">
              <span className="spacer" />
              <button type="button" onClick={() => { if (view.installOnQuit) announce(t.updates.willInstallOnQuit(view.offer.version)); navigate('inbox'); }}>
                {view.installOnQuit ? t.updates.installOnQuit : t.updates.later}
              </button>
              <button type="button" className="primary" autoFocus onClick={() => act(() => api().restartToUpdate({}))}>{t.updates.restart}</button>
            </div>
          ) : (
            <div className="actions">
              <span className="spacer" />
              <button type="button" onClick={() => act(() => api().showInFolder({}))}>{t.updates.showInFolder}</button>
              <button type="button" className="primary" autoFocus onClick={() => act(() => api().openInstaller({}))}>{t.updates.openInstaller}</button>
            </div>
          )}
        </article>
      );
    case 'installing':
      return (
        <article className="card update">
          <OfferHeader offer={view.offer} installed={view.installed} />
          <div className="progress-block">
            <p role="status">{t.updates.installing(view.offer.version)}</p>
            <div className="progress progress-indeterminate" role="progressbar" aria-label={t.updates.installing(view.offer.version)}><div className="progress-fill" /></div>
            <p className="meta">{t.updates.installingHint(info.product)}</p>
          </div>
        </article>
      );
    case 'install-failed':
      return (
        <article className="card update">
          <OfferHeader offer={view.offer} installed={view.installed} />
          <p className="problem" role="alert">{t.updates.installFailed(view.offer.version)}</p>
          <p className="meta">{view.message}</p>
          <div className="actions">
            <span className="spacer" />
            <button type="button" onClick={() => act(() => api().showInFolder({}))}>{t.updates.showInFolder}</button>
            <button type="button" className="primary" onClick={() => act(() => api().restartToUpdate({}))}>{t.retry}</button>
          </div>
        </article>
      );
    case 'verify-failed':
      return (
        <article className="card update">
          <OfferHeader offer={view.offer} installed={view.installed} />
          <p className="problem" role="alert">{t.updates.verifyFailed}</p>
          <div className="actions"><span className="spacer" /><button type="button" className="primary" onClick={() => act(() => api().download({ version: view.offer.version }))}>{t.retry}</button></div>
        </article>
      );
    case 'up-to-date':
      return (
        <article className="card update update-quiet">
          <div className="app-icon app-icon-ok" aria-hidden="true">✓</div>
          {view.ahead ? (
            <>
              <p className="lead">{t.updates.ahead(view.installed, view.ahead.stable)}</p>
              {view.checkedAt ? <p className="meta">{t.updates.checked(view.checkedAt)}</p> : null}
            </>
          ) : <p className="lead">{t.updates.upToDate(info.product, view.installed, channel, view.checkedAt)}</p>}
          {view.restored ? <p className="problem" role="status">{t.updates.restored(view.restored.bad, view.restored.restored)}</p> : null}
          <div className="actions"><CheckNow /></div>
        </article>
      );
    case 'skipped':
      return (
        <article className="card update update-quiet">
          <div className="app-icon app-icon-muted" aria-hidden="true">↷</div>
          <p className="lead">{t.updates.skippedState(info.product, view.version)}</p>
          {view.checkedAt ? <p className="meta">{t.updates.checked(view.checkedAt)}</p> : null}
          <div className="actions">
            <button type="button" onClick={() => act(() => api().unskipVersion({ version: view.version }), () => t.updates.unskipped(view.version))}>{t.updates.undoSkip}</button>
            <CheckNow />
          </div>
        </article>
      );
    case 'cant-confirm':
      return (
        <article className="card update update-quiet">
          <div className="app-icon app-icon-warn" aria-hidden="true">!</div>
          <p className="lead" role="status">{t.updates.cantConfirm(view.since)}</p>
          {view.reason ? <p className="meta">{view.reason}</p> : null}
          <div className="actions"><CheckNow /><button type="button" onClick={() => navigate('status')}>{t.updates.details}</button></div>
        </article>
      );
  }
}
