// "Remind Me Later ▾": a small menu button (tomorrow · in 3 days · next week), keyboard-operable.
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { api } from '../lib/api.ts';
import { useApp } from '../lib/context.ts';
import { t } from '../i18n/en.ts';

const presets = ['tomorrow', '3days', 'week'] as const;

export function RemindMenu() {
  const { announce } = useApp();
  const [open, setOpen] = useState(false);
  const menu = useRef<HTMLUListElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (open) menu.current?.querySelector<HTMLButtonElement>('button')?.focus();
  }, [open]);
  const choose = async (preset: (typeof presets)[number]) => {
    setOpen(false);
    button.current?.focus();
    try {
      const r = await api().remindLater({ preset });
      announce(r.ok ? t.updates.remindSet(r.until) : r.error.message);
    } catch {
      announce(t.actionFailed);
    }
  };
  const onKey = (e: KeyboardEvent) => {
    const items = [...(menu.current?.querySelectorAll<HTMLButtonElement>('button') ?? [])];
    const i = items.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'Escape') { e.preventDefault(); setOpen(false); button.current?.focus(); }
    if (e.key === 'ArrowDown') { e.preventDefault(); items[(i + 1) % items.length]?.focus(); }
    if (e.key === 'ArrowUp') { e.preventDefault(); items[(i - 1 + items.length) % items.length]?.focus(); }
  };
  return (
    <div className="menu-wrap">
      <button ref={button} type="button" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen(!open)}>
        {t.updates.remind} <span aria-hidden="true">▾</span>
      </button>
      {open ? (
        <ul className="menu" role="menu" ref={menu} onKeyDown={onKey} aria-label={t.updates.remind}>
          {presets.map((p) => (
            <li key={p} role="none"><button type="button" role="menuitem" onClick={() => choose(p)}>{t.updates.remindChoices[p]}</button></li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
