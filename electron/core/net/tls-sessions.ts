// TLS session resumption for requests that open a fresh connection (the routine hourly check, performance.md
// row 3b). Each check is one request on its own connection (`Connection: close`), so without resumption every
// check pays a full handshake: a post-quantum key share each way and the server's certificate chain, about
// 3.5 KB of the 5 KB a check costs over TLS. Keeping the server's last session ticket per origin, in memory,
// lets the next check resume: no certificate on the wire, and a 32-byte X25519 share instead of the hybrid one.
// Resumption rather than keep-alive: a connection held open between hourly checks would cost a socket, the
// server's idle timeout would close it anyway, and the core keeps one timer per due check and nothing else.
//
// What this does not weaken:
// - Tickets are kept per origin (host and port; the host is also the TLS server name) and offered only to
//   that origin, so a ticket never lets one name stand in for another.
// - A ticket is kept only from a connection whose certificate was verified (`authorized`), and resuming
//   keeps that verification: Node checks the resumed session's stored verify result; it does not match the
//   name again (no certificate comes with a resumption), which holds because the ticket is offered only to
//   the origin whose name was matched when it was issued.
// - A server that refuses the ticket (expired, keys rotated, no resumption at all) gets a full handshake
//   with the certificate checked as always; the refused ticket is dropped.
// - The X25519-only share is used only when offering a ticket; the resumed keys also depend on the ticket's
//   secret, which came from a full handshake with the default (hybrid post-quantum) groups. A full handshake
//   made with the X25519-only share (the server refused the ticket) gives no ticket to keep, so the next
//   check starts again with the default groups, and every kept ticket descends from a default handshake.
// Tickets live in memory only (never on disk): a restarted app pays one full handshake. The server decides
// how long a ticket is good for; a check an hour apart resumes only where that is over ~66 minutes (the
// hourly cadence plus its jitter). OpenSSL does not offer a ticket past its lifetime.
import { createSecureContext, type SecureContext, type TLSSocket } from 'node:tls';

/** Groups offered with a ticket: one small key share (see above for why this keeps post-quantum secrecy). */
export const RESUME_GROUPS = 'X25519';
/** Origins remembered; the companion talks to a handful (its feeds, a licence server). */
const MAX_ORIGINS = 16;

const tickets = new Map<string, Buffer>();
// One secure context for every resuming connection, made on first use: making one per connection (what
// Node does when given only `ecdhCurve`) costs ~0.15 ms of CPU, a tenth of a check (row 8). It holds the
// system's roots as they were then, which only a full handshake (a refused ticket) would use.
let resumeContext: SecureContext | undefined;

/** Connection options for a fresh connection to `url`: a ticket to offer, or nothing. */
export function resumeOptions(url: URL): { session: Buffer; secureContext: SecureContext } | Record<string, never> {
  const ticket = tickets.get(url.host);
  if (!ticket) return {};
  resumeContext ??= createSecureContext({ ecdhCurve: RESUME_GROUPS });
  return { session: ticket, secureContext: resumeContext };
}

/** Watches a fresh TLS connection to `url`: keeps the tickets it may keep, drops one the server refused. */
export function watchSessions(url: URL, socket: TLSSocket): void {
  const key = url.host;
  const offered = tickets.get(key);
  socket.once('secureConnect', () => {
    if (offered && !socket.isSessionReused() && tickets.get(key) === offered) tickets.delete(key);
  });
  socket.on('session', (ticket: Buffer) => {
    if (!socket.authorized) return;
    // A ticket from a full handshake made with the small share only (the server refused ours) is not kept.
    if (offered && !socket.isSessionReused()) return;
    tickets.delete(key); // re-insert: the map's order is the order of use, the oldest goes first
    tickets.set(key, ticket);
    if (tickets.size > MAX_ORIGINS) tickets.delete(tickets.keys().next().value as string);
  });
}

/** Forgets every ticket (tests; a sign-out could too). */
export function forgetSessions(): void {
  tickets.clear();
  resumeContext = undefined;
}

/** How many origins have a ticket (tests). */
export function sessionCount(): number {
  return tickets.size;
}
