// Child process for I/O-error tests: runs one feed v1 check into the store at <db file> and prints the outcome
// as JSON. The parent starts it under `prlimit --fsize`, so writes past that size fail with EFBIG, which SQLite
// reports as SQLITE_IOERR_WRITE: a real I/O error inside the commit, not a simulated one.
// argv: <db file> <feed url> <publisher public key>
import { KeyRing } from '../../../shared/protocol/signing.ts';
import { Store } from '../../../electron/core/store/store.ts';
import { FeedV1Source } from '../../../electron/core/sources/feed-v1.ts';
import { runCheck } from '../../../electron/core/sync.ts';

const [file, url, key] = process.argv.slice(2);
if (!file || !url || !key) throw new Error('usage: check-child <file> <url> <public key>');
const store = new Store({ file });
const source = new FeedV1Source({ id: 's', url, allowLoopbackHttp: true });
const outcome = await runCheck(store, 's', Date.now(), async () => source.check(store, ['news'], await KeyRing.from([key]), Date.now()));
process.stdout.write(`${JSON.stringify({ ok: outcome.ok, detail: outcome.detail })}\n`);
store.close();
