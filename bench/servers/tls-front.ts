// The TLS front of rows 3b and 8, in its own process (so its CPU is not counted as the client's): terminates
// TLS with the chain given in BENCH_TLS_CHAIN (JSON of bench/lib/tls.ts's Chain) and passes the plain bytes
// to the server on BENCH_TLS_TARGET, as a reverse proxy in front of the feed service does. Tickets are good
// for 2 hours (a routine check an hour apart must find its ticket still good). Answers `handshakes` over IPC.
import { serveIpc } from '../lib/proc.ts';
import { tlsFront, type Chain } from '../lib/tls.ts';

const chain = JSON.parse(process.env.BENCH_TLS_CHAIN ?? '{}') as Chain;
const front = await tlsFront(Number(process.env.BENCH_TLS_TARGET), chain);
process.on('SIGTERM', () => void front.close().then(() => process.exit(0)));
serveIpc((msg) => {
  if (msg.cmd === 'handshakes') return front.handshakes();
  throw new Error(`unknown command ${String(msg.cmd)}`);
});
process.send?.({ ready: true, port: front.port });
