// A channel's releases: rollout, adoption from the field (installs reporting, tried, failed, failure rate;
// small counts withheld by the service), health against the channel's halt policy, the halt with its reason
// and whether the rollout stopped by itself, and the actions a publish token has: advance, halt, resume,
// recall, renew. Signing happens in this page with the open key file (console/records.ts).
import { useState, type FormEvent } from 'react';
import { api, type Channel, type FailedStarts, type HaltPolicy, type Release } from './api.ts';
import { advanceCommand, advanceRecord, expiryOf, recallCommand, recallRecords, renewCommand, renewRecord, RENEW_WITHIN_SECONDS } from './records.ts';
import { parseRollout } from '../shared/publish/record.ts';
import { DEFAULT_HALT_POLICY, REPORT_MIN_COUNT } from '../shared/protocol/reports.ts';
import type { SigningKey } from '../shared/protocol/signing.ts';
import { Command, ConfirmButton, percent, when, type Run } from './ui.tsx';

const idOf = (...parts: string[]) => parts.join('-').replace(/[^A-Za-z0-9_-]/g, '_');
const withheld = `withheld (fewer than ${REPORT_MIN_COUNT})`;

/** A count as shown: the number, or "withheld (fewer than 5)" where the service withheld it (null). */
function count(n: number | null | undefined): string {
  if (typeof n === 'number') return n.toLocaleString('en-US');
  return n === null ? withheld : '—';
}

function health(r: Release, policy: HaltPolicy): { word: string; tone: 'good' | 'bad' | 'plain' } {
  if (r.recalled) return { word: 'Recalled: no install is offered it', tone: 'plain' };
  const a = r.adoption;
  const failed = a?.failed;
  const rate = a?.failRate;
  if (typeof rate === 'number' && typeof failed === 'number' && failed >= policy.minReports && rate * 100 >= policy.failPercent) {
    return { word: `Failing: ${percent(rate)} of the installs that tried it failed to start (the threshold is ${policy.failPercent} %)`, tone: 'bad' };
  }
  if (typeof rate === 'number' && typeof a?.tried === 'number') {
    return { word: `Healthy: ${percent(rate)} failed to start, under the ${policy.failPercent} % threshold`, tone: 'good' };
  }
  return { word: 'Not enough reports yet to judge', tone: 'plain' };
}

function state(r: Release): string {
  if (r.recalled) return 'Recalled';
  // The service words the reason itself ("stopped by itself: 21 of 412 installs …"); said once here.
  if (r.halt?.automatic) return `Stopped by itself ${when(r.halt.at)}: ${r.halt.reason.replace(/^stopped by itself:\s*/i, '')}`;
  if (r.halt) return `Halted by ${r.halt.by} ${when(r.halt.at)}: ${r.halt.reason}`;
  return r.rollout >= 100 ? 'Out to everyone' : 'Rolling out';
}

export function Releases({ channel, failed, canPublish, signingKey, run }: { channel: Channel; failed: FailedStarts | null; canPublish: boolean; signingKey: SigningKey | null; run: Run }) {
  const policy = channel.haltPolicy ?? DEFAULT_HALT_POLICY;
  return (
    <section aria-labelledby="releases-h">
      <h3 id="releases-h">Releases</h3>
      {channel.releases.length === 0 ? <p>No releases.</p> : channel.releases.map((r) => (
        <ReleaseCard key={r.version} channel={channel.name} release={r} policy={policy} failed={failed} canPublish={canPublish} signingKey={signingKey} run={run} />
      ))}
      <HaltPolicyForm channel={channel.name} policy={policy} known={channel.haltPolicy !== undefined} canPublish={canPublish} run={run} />
    </section>
  );
}

function ReleaseCard({ channel, release: r, policy, failed, canPublish, signingKey, run }: { channel: string; release: Release; policy: HaltPolicy; failed: FailedStarts | null; canPublish: boolean; signingKey: SigningKey | null; run: Run }) {
  const h = idOf('rel', channel, r.version);
  const a = r.adoption;
  // A service without adoption numbers still has the failed-start counts.
  const failedStarts = a ? count(a.failed) : failed ? String(failed.counts.filter((c) => c.channel === channel && c.version === r.version).reduce((n, c) => n + c.count, 0)) : '—';
  const hl = health(r, policy);
  const expires = expiryOf(r);
  const now = Date.now() / 1000;
  return (
    <article className={`release${r.halt ? ' halted' : ''}${r.recalled ? ' recalled' : ''}`} aria-labelledby={h} data-version={r.version}>
      <h4 id={h}>{r.version} <span className="hint">{r.title}</span></h4>
      <dl>
        <dt>Rollout</dt><dd>{r.recalled ? '—' : `${r.rollout} %`}</dd>
        <dt>State</dt><dd className="state">{state(r)}</dd>
        <dt>Installs reporting</dt><dd>{a ? `${count(a.reporting)}${a.day ? ` on ${a.day}` : ''}` : '—'}</dd>
        <dt>Tried it (updated or failed)</dt><dd>{a ? count(a.tried) : '—'}</dd>
        <dt>Failed to start</dt><dd>{failedStarts}</dd>
        <dt>Failure rate</dt><dd>{a && typeof a.failRate === 'number' ? percent(a.failRate) : a?.withheld ? withheld : '—'}</dd>
        <dt>Health</dt><dd className={`health ${hl.tone}`}>{hl.word}</dd>
        {expires !== null && !r.recalled ? <><dt>Expires</dt><dd className={expires - now < RENEW_WITHIN_SECONDS ? 'warn' : undefined}>{expires <= now ? `Expired ${when(expires)}: installs no longer trust this offer` : when(expires)}</dd></> : null}
      </dl>
      {canPublish && !r.recalled ? <ReleaseActions channel={channel} release={r} renew={expires !== null && expires - now < RENEW_WITHIN_SECONDS} signingKey={signingKey} run={run} /> : null}
    </article>
  );
}

function ReleaseActions({ channel, release: r, renew, signingKey, run }: { channel: string; release: Release; renew: boolean; signingKey: SigningKey | null; run: Run }) {
  const [rollout, setRollout] = useState(String(Math.min(100, r.rollout + 10)));
  const [reason, setReason] = useState('');
  const [command, setCommand] = useState('');
  const id = idOf(channel, r.version);
  const pct = parseRollout(rollout);
  const advance = () => {
    if (pct === null) return void run('', () => Promise.reject(new Error('Rollout: enter a whole number from 0 to 100.')));
    if (!signingKey) return setCommand(advanceCommand(channel, r, pct));
    return void run(`Rollout of ${r.version} advanced to ${pct} %.`, async () => api.publish(await advanceRecord(r, pct, signingKey)));
  };
  const recall = () => {
    if (!signingKey) return setCommand(recallCommand(channel, r));
    return void run(`${r.version} recalled.`, async () => { for (const rec of await recallRecords(channel, r, signingKey)) await api.publish(rec); });
  };
  const renewNow = () => {
    if (!signingKey) return setCommand(renewCommand(channel, r));
    return void run(`${r.version} renewed.`, async () => api.publish(await renewRecord(r, signingKey)));
  };
  return (
    <div className="actions">
      {r.rollout < 100 ? (
        <div className="action">
          <label htmlFor={`${id}-rollout`}>New rollout %<span className="sr"> for {r.version}</span></label>
          <input id={`${id}-rollout`} inputMode="numeric" value={rollout} onChange={(e) => setRollout(e.target.value)} aria-invalid={pct === null} size={4} />
          <button type="button" onClick={advance} disabled={Boolean(r.halt)} aria-describedby={r.halt ? `${id}-halted` : undefined}>Advance {r.version}</button>
          {r.halt ? <span id={`${id}-halted`} className="hint">Resume the rollout before advancing it.</span> : null}
        </div>
      ) : null}
      {r.halt ? (
        <div className="action">
          <button type="button" onClick={() => void run(`Rollout of ${r.version} resumed.`, () => api.resume(channel, r.version))}>Resume {r.version}</button>
        </div>
      ) : (
        <div className="action">
          <label htmlFor={`${id}-reason`}>Halt reason<span className="sr"> for {r.version}</span></label>
          <input id={`${id}-reason`} value={reason} aria-describedby={`${id}-reason-hint`} onChange={(e) => setReason(e.target.value)} maxLength={200} />
          <button type="button" onClick={() => void run(`Rollout of ${r.version} halted.`, async () => { await api.halt(channel, r.version, reason); setReason(''); })}>Halt {r.version}</button>
          <span id={`${id}-reason-hint`} className="hint">Shown here and in the audit log.</span>
        </div>
      )}
      {renew ? <div className="action"><button type="button" onClick={renewNow}>Renew {r.version}</button></div> : null}
      <div className="action">
        <ConfirmButton danger label={`Recall ${r.version}`} yes={`Yes, recall ${r.version}`} onYes={recall}
          question={<>Recall {r.version} from {channel}? Installs that have not taken it will not be offered it again, and installs that see the recall will not install it.</>} />
      </div>
      {command ? <Command text={command} /> : null}
    </div>
  );
}

function HaltPolicyForm({ channel, policy, known, canPublish, run }: { channel: string; policy: HaltPolicy; known: boolean; canPublish: boolean; run: Run }) {
  const [failPercent, setFailPercent] = useState(String(policy.failPercent));
  const [minReports, setMinReports] = useState(String(policy.minReports));
  const sentence = `A rollout on ${channel} stops by itself when at least ${policy.minReports} installs failed to start and they are ${policy.failPercent} % or more of the installs that tried it.`;
  if (!canPublish || !known) return <p className="hint">{sentence}{known ? '' : ' (the default)'}</p>;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const p = Number(failPercent);
    const m = Number(minReports);
    if (!/^\d+(\.\d+)?$/.test(failPercent.trim()) || p < 0.1 || p > 100) return void run('', () => Promise.reject(new Error('Failure %: enter a number from 0.1 to 100.')));
    if (!/^\d+$/.test(minReports.trim()) || m < 1 || m > 100_000) return void run('', () => Promise.reject(new Error('Minimum reports: enter a whole number from 1 to 100000.')));
    void run(`Halt policy of ${channel} saved: ${p} % with at least ${m} reports.`, () => api.setHaltPolicy(channel, { failPercent: p, minReports: m }));
  };
  return (
    <form className="policy" onSubmit={submit} aria-labelledby="policy-h">
      <h4 id="policy-h">When a rollout stops by itself</h4>
      <p className="hint">{sentence}</p>
      <div className="fields">
        <label htmlFor="policy-percent">Failure % of installs that tried it</label>
        <input id="policy-percent" inputMode="decimal" size={6} value={failPercent} onChange={(e) => setFailPercent(e.target.value)} required />
        <label htmlFor="policy-min">Minimum failed-start reports</label>
        <input id="policy-min" inputMode="numeric" size={6} value={minReports} onChange={(e) => setMinReports(e.target.value)} required />
      </div>
      <button type="submit">Save halt policy</button>
    </form>
  );
}
