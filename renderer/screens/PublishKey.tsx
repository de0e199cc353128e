// The signing key row both publisher forms share: the chosen key file by name and key id, Choose Key File…,
// and, until a key is chosen, the message that explains why Review and Publish is disabled.
import { useState } from 'react';
import type { KeyInfo } from '../../shared/ipc/types.ts';
import { api } from '../lib/api.ts';
import { t } from '../i18n/en.ts';
import { FieldError } from '../components/common.tsx';

/** The id of the message a disabled Review button points to (aria-describedby). */
export const keyNeededId = 'key-needed';

export function KeyRow({ signingKey, onKey }: { signingKey: KeyInfo | null; onKey: (key: KeyInfo) => void }) {
  const [error, setError] = useState<string | undefined>(undefined);
  const choose = async () => {
    try {
      const r = await api().chooseKey({});
      if (!r.ok) return setError(r.error.message);
      setError(undefined);
      if (r.key) onKey(r.key);
    } catch {
      setError(t.actionFailed);
    }
  };
  return (
    <div className="key">
      <div className="key-row">
        <span>{t.publish.key}: {signingKey ? t.publish.keyChosen(signingKey.fileName, signingKey.keyId) : <span className="hint">{t.publish.keyNone}</span>}</span>
        <button type="button" onClick={choose} aria-describedby={error ? 'key-error' : undefined}>{t.publish.chooseKey}</button>
      </div>
      <FieldError id="key-error" message={error} />
      {!signingKey ? <p className="field-note" id={keyNeededId}>{t.publish.keyNeeded}</p> : null}
    </div>
  );
}

/** The end of both publish forms: the signing key, the key and form errors, and Review (disabled without a key). */
export function SignAndReview({ idPrefix, signingKey, onKey, keyError, formError, publishing }: {
  idPrefix: string; signingKey: KeyInfo | null; onKey: (key: KeyInfo) => void; keyError?: string | undefined; formError?: string | undefined; publishing: boolean;
}) {
  return (
    <>
      <KeyRow signingKey={signingKey} onKey={onKey} />
      <FieldError id={`${idPrefix}-key-error`} message={keyError} />
      <FieldError id={`${idPrefix}-form-error`} message={formError} />
      <div className="actions">
        <span className="spacer" />
        <button type="submit" className="primary" disabled={!signingKey || publishing} aria-describedby={signingKey ? undefined : keyNeededId}>
          {publishing ? t.publish.publishing : t.publish.review}
        </button>
      </div>
    </>
  );
}
