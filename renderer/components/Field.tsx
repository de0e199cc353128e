// A labelled input with its error right next to it (aria-invalid + aria-describedby). At most three parts
// (label, control, messages), so fields side by side (.field-row) line up their controls on a shared grid.
import type { ReactNode } from 'react';
import { FieldError } from './common.tsx';

export function Field({ id, label, error, children, hint }: { id: string; label: string; error?: string | undefined; hint?: string | undefined; children: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby': string | undefined }) => ReactNode }) {
  const describedBy = [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': !!error, 'aria-describedby': describedBy })}
      {hint || error ? (
        <div className="field-msgs">
          {hint ? <p className="hint" id={`${id}-hint`}>{hint}</p> : null}
          <FieldError id={`${id}-error`} message={error} />
        </div>
      ) : null}
    </div>
  );
}
