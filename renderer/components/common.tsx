// Small shared pieces: loading/error states, chips, buttons with a default action.
import { useEffect, useState, type ReactNode } from 'react';
import { t } from '../i18n/en.ts';

export function Loading({ slow }: { slow: boolean }) {
  return <p className="state" role="status">{slow ? t.loading : ''}</p>;
}

/** A loading state that keeps its own time: blank at first, "Loading…" after 200 ms (a screen's chunk). */
export function Pending() {
  const [slow, setSlow] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setSlow(true), 200);
    return () => clearTimeout(timer);
  }, []);
  return <Loading slow={slow} />;
}

export function Failed({ onRetry }: { onRetry: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <p>{t.genericError}</p>
      <button type="button" onClick={onRetry}>{t.retry}</button>
    </div>
  );
}

export function Chip({ children, tone }: { children: ReactNode; tone?: 'accent' | 'warn' | 'muted' }) {
  return <span className={`chip${tone ? ` chip-${tone}` : ''}`}>{children}</span>;
}

export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return <p className="field-error" id={id} role="alert">{message}</p>;
}

export function Section({ title, id, children }: { title: string; id: string; children: ReactNode }) {
  return (
    <section className="section" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}
