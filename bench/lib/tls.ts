// TLS for the benchmarks over HTTPS (performance.md rows 3b and 8) and their tests: a certificate chain made
// at run time with openssl (a root the client trusts, an intermediate, and a leaf for 127.0.0.1 and
// localhost, all ECDSA P-256 as a modern public server's), and a TLS front that terminates TLS and passes
// the plain bytes to a server behind it, as the reverse proxy in front of a feed service does.
// The server sends leaf + intermediate, as real servers do (the root stays with the client); ECDSA keeps
// that chain small, so the anchor's full handshake is no bigger than a real one.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';

export interface Chain {
  /** PEM of the root a client must trust. */
  ca: string;
  /** PEM of the leaf's key. */
  key: string;
  /** PEM of leaf + intermediate, as the server sends them. */
  cert: string;
}

/** Makes a fresh chain with openssl (valid for a day); throws a plain sentence when openssl is missing. */
export function makeChain(): Chain {
  const dir = mkdtempSync(join(tmpdir(), 'tidings-tls-'));
  const f = (n: string) => join(dir, n);
  const ssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  try {
    try {
      ssl(['version']);
    } catch {
      throw new Error('openssl is needed to make the benchmark\'s TLS certificates (apt-get install openssl)');
    }
    ssl(['req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '1', '-subj', '/CN=Tidings bench root']);
    writeFileSync(f('int.ext'), 'basicConstraints=critical,CA:true,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n');
    ssl(['req', ...ec, '-keyout', f('int.key'), '-out', f('int.csr'), '-subj', '/CN=Tidings bench intermediate']);
    ssl(['x509', '-req', '-in', f('int.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('int.pem'), '-days', '1', '-extfile', f('int.ext')]);
    writeFileSync(f('leaf.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n');
    ssl(['req', ...ec, '-keyout', f('leaf.key'), '-out', f('leaf.csr'), '-subj', '/CN=127.0.0.1']);
    ssl(['x509', '-req', '-in', f('leaf.csr'), '-CA', f('int.pem'), '-CAkey', f('int.key'), '-CAcreateserial', '-out', f('leaf.pem'), '-days', '1', '-extfile', f('leaf.ext')]);
    const read = (n: string) => readFileSync(f(n), 'utf8');
    return { ca: read('ca.pem'), key: read('leaf.key'), cert: read('leaf.pem') + read('int.pem') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Makes this process trust `ca` besides the system's roots (Node ≥ 22.19 / 24.5). */
export function trustRoot(ca: string): void {
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), ca]);
}

export interface TlsFront {
  port: number;
  /** Connections so far, and how many of them resumed a session. */
  handshakes(): { full: number; resumed: number };
  close(): Promise<void>;
}

/**
 * Terminates TLS on a loopback port and pipes the plain bytes to `targetPort`. Tickets are good for
 * `sessionTimeout` seconds (default 2 h: longer than the hourly check's interval, which a server must allow
 * for a check to resume; Node's and nginx's default is 5 minutes).
 */
export function tlsFront(targetPort: number, chain: Chain, opts: { sessionTimeout?: number; port?: number } = {}): Promise<TlsFront> {
  let full = 0;
  let resumed = 0;
  const sockets = new Set<Socket>();
  const server = tls.createServer({ key: chain.key, cert: chain.cert, sessionTimeout: opts.sessionTimeout ?? 7200 }, (client) => {
    if (client.isSessionReused()) resumed++;
    else full++;
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const end = () => { client.destroy(); upstream.destroy(); sockets.delete(client); sockets.delete(upstream); };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        handshakes: () => ({ full, resumed }),
        close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
      });
    });
  });
}
