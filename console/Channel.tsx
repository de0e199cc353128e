// One channel's page: its releases, Link a New Version, and news with the channel's drafts. The drafts are
// loaded here because both forms keep them: a news draft opens in the news editor, a release draft (notes,
// version, rollout) in Link a New Version, where its download is added before it is signed and linked.
import { useCallback, useEffect, useState } from 'react';
import { api, type Channel, type Draft, type FailedStarts } from './api.ts';
import type { SigningKey } from '../shared/protocol/signing.ts';
import { Releases } from './Releases.tsx';
import { News } from './News.tsx';
import { LinkVersion } from './Publish.tsx';
import type { Run } from './ui.tsx';

export interface Drafts {
  list: Draft[] | null;
  error: string;
  reload(): Promise<void>;
}

export function ChannelPage({ channel, failed, canPublish, signingKey, run }: { channel: Channel; failed: FailedStarts | null; canPublish: boolean; signingKey: SigningKey | null; run: Run }) {
  const [list, setList] = useState<Draft[] | null>(null);
  const [error, setError] = useState('');
  const [releaseDraft, setReleaseDraft] = useState<Draft | null>(null);
  const [focusLink, setFocusLink] = useState(false);
  const name = channel.name;
  const reload = useCallback(async () => {
    if (!canPublish) return;
    try {
      setList((await api.drafts(name)).drafts);
      setError('');
    } catch (err) {
      setError((err as Error).message);
    }
  }, [canPublish, name]);
  useEffect(() => { void reload(); }, [reload]);
  const drafts: Drafts = { list, error, reload };
  const editRelease = (d: Draft) => {
    setReleaseDraft(d);
    setFocusLink(true);
  };
  return (
    <section aria-labelledby="channel-h">
      <h2 id="channel-h">Channel {name}</h2>
      <Releases channel={channel} failed={failed} canPublish={canPublish} signingKey={signingKey} run={run} />
      {canPublish ? <LinkVersion key={releaseDraft?.id ?? 'new'} channel={name} draft={releaseDraft} onDraft={setReleaseDraft} drafts={drafts} focus={focusLink} onFocused={() => setFocusLink(false)} signingKey={signingKey} run={run} /> : null}
      <News channel={channel} canPublish={canPublish} drafts={drafts} onEditRelease={editRelease} signingKey={signingKey} run={run} />
    </section>
  );
}
