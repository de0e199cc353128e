// The update channel as two radio cards, with the Experimental → Stable confirmation: keep the installed
// pre-release (the default) or, after a second confirmation because it is a downgrade, install stable now.
import { useState } from 'react';
import type { Channel } from '../../shared/ipc/types.ts';
import { api } from '../lib/api.ts';
import { useApp } from '../lib/context.ts';
import { t } from '../i18n/en.ts';
import { Dialog } from '../components/Dialog.tsx';

type Ask = { installed: string; stable: string | null };

export function ChannelCards({ channel }: { channel: Channel }) {
  const { announce } = useApp();
  const [ask, setAsk] = useState<Ask | null>(null);
  const [downgrade, setDowngrade] = useState<Ask | null>(null);

  const apply = async (next: Channel, installStable?: boolean) => {
    try {
      const r = await api().setChannel(installStable === undefined ? { channel: next } : { channel: next, installStable });
      if (!r.ok) return announce(r.error.message);
      if (r.needsConfirm) return setAsk(r.needsConfirm);
      setAsk(null);
      setDowngrade(null);
      announce(t.settings.channelChanged(t.channelName(next)));
    } catch {
      announce(t.actionFailed);
    }
  };
  const cards: { id: Channel; title: string; text: string }[] = [
    { id: 'stable', title: t.settings.stableTitle, text: t.settings.stableText },
    { id: 'experimental', title: t.settings.experimentalTitle, text: t.settings.experimentalText },
  ];
  return (
    <fieldset className="cards">
      <legend>{t.settings.channelLegend}</legend>
      {cards.map((c) => (
        <label key={c.id} className={`card-radio${channel === c.id ? ' card-radio-on' : ''}`}>
          <input type="radio" name="channel" value={c.id} checked={channel === c.id} onChange={() => apply(c.id)} aria-describedby={`channel-${c.id}-text`} />
          <span className="card-radio-title">{c.title}</span>
          <span className="card-radio-text" id={`channel-${c.id}-text`}>{c.text}</span>
        </label>
      ))}
      {ask && !downgrade ? (
        <Dialog
          title={t.settings.switchTitle}
          onCancel={() => setAsk(null)}
          actions={[
            { label: t.settings.switchOnly, primary: true, onClick: () => apply('stable', false) },
            ...(ask.stable ? [{ label: t.settings.switchInstall(ask.stable), onClick: () => setDowngrade(ask) }] : []),
          ]}
        >
          <p>{ask.stable ? t.settings.switchText(ask.installed, ask.stable) : t.settings.switchTextNoStable(ask.installed)}</p>
        </Dialog>
      ) : null}
      {downgrade && downgrade.stable ? (
        <Dialog
          title={t.settings.downgradeTitle(downgrade.stable)}
          onCancel={() => { setDowngrade(null); setAsk(null); }}
          actions={[{ label: t.settings.downgradeConfirm(downgrade.stable), danger: true, onClick: () => apply('stable', true) }]}
        >
          <p>{t.settings.downgradeText(downgrade.installed, downgrade.stable)}</p>
        </Dialog>
      ) : null}
    </fieldset>
  );
}
