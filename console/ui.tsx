// Small pieces every screen uses: times in UTC, the CLI command box, and an inline confirmation that takes
// the focus (so a keyboard or screen-reader user lands on the question) and gives it back on Cancel.
import { useEffect, useRef, useState, type ReactNode } from 'react';

export const when = (unix: number) => new Date(unix * 1000).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

/** Runs a change, says what happened in the status line, reloads; a refusal is shown as the service worded it. */
export type Run = (what: string, fn: () => Promise<unknown>) => Promise<boolean>;

export function Command({ text }: { text: string }) {
  return <div className="command"><p>No key file is open. This command does the same on your machine:</p><pre><code>{text}</code></pre></div>;
}

/** A button that asks first: the question, then "Yes, …" and "Cancel", in place. */
/** `short`: the visible words when the label is long (the rest of the label is for screen readers only). */
export function ConfirmButton({ label, short, question, yes, onYes, danger = false, disabled = false }: { label: string; short?: string; question: ReactNode; yes: string; onYes: () => void; danger?: boolean; disabled?: boolean }) {
  const [asking, setAsking] = useState(false);
  const yesRef = useRef<HTMLButtonElement>(null);
  const askRef = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  useEffect(() => {
    if (asking) yesRef.current?.focus();
    else if (wasAsking.current) askRef.current?.focus();
    wasAsking.current = asking;
  }, [asking]);
  if (!asking) return <button ref={askRef} type="button" className={danger ? 'danger' : undefined} disabled={disabled} onClick={() => setAsking(true)}>{short && label.startsWith(short) ? <>{short}<span className="sr">{label.slice(short.length)}</span></> : label}</button>;
  return (
    <div role="group" aria-label={label} className="confirm">
      <p>{question}</p>
      <button ref={yesRef} type="button" className={danger ? 'danger' : undefined} onClick={() => { setAsking(false); onYes(); }}>{yes}</button>
      <button type="button" className="secondary" onClick={() => setAsking(false)}>Cancel</button>
    </div>
  );
}

/** "5.1 %" with one decimal; rates are 0–1. */
export const percent = (rate: number) => `${(Math.round(rate * 1000) / 10).toLocaleString('en-US')} %`;
