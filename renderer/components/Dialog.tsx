// A modal confirmation built on <dialog>: focus moves into it, Escape cancels, focus returns afterwards.
// Focus starts on the primary action when there is one (a safe default such as "Switch"); a destructive
// confirmation (only danger actions) starts on Cancel, so Enter never destroys by accident.
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { t } from '../i18n/en.ts';

export interface DialogAction {
  label: string;
  onClick: () => void;
  primary?: boolean;
  danger?: boolean;
}

export function Dialog({ title, children, actions, onCancel }: { title: string; children: ReactNode; actions: DialogAction[]; onCancel: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement as HTMLElement | null;
    if (dialog && !dialog.open) dialog.showModal();
    dialog?.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    return () => {
      if (dialog?.open) dialog.close();
      opener?.focus?.();
    };
  }, []);
  const safeFirst = !actions.some((a) => a.primary);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={titleId} onCancel={(e) => { e.preventDefault(); onCancel(); }}>
      <h2 id={titleId}>{title}</h2>
      <div className="dialog-body">{children}</div>
      <div className="dialog-actions">
        {actions.map((a) => (
          <button key={a.label} type="button" className={a.primary ? 'primary' : a.danger ? 'danger' : ''} data-autofocus={a.primary ? '' : undefined} onClick={a.onClick}>
            {a.label}
          </button>
        ))}
        <button type="button" data-autofocus={safeFirst ? '' : undefined} onClick={onCancel}>{t.cancel}</button>
      </div>
    </dialog>
  );
}
