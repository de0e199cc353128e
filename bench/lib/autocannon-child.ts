// Load generator process (autocannon's programmatic API), so load never shares a process with a server.
// argv[2]: JSON { url, headers, connections, seconds }; prints one JSON line with the counts.
import autocannon from 'autocannon';

const opts = JSON.parse(process.argv[2] as string) as { url: string; headers: Record<string, string>; connections: number; seconds: number };
const r = await autocannon({ url: opts.url, headers: opts.headers, connections: opts.connections, duration: opts.seconds, pipelining: 1 });
const codes: Record<string, number> = {};
for (const [code, s] of Object.entries(r.statusCodeStats ?? {})) codes[code] = (s as { count: number }).count;
console.log(JSON.stringify({ requests: r.requests.total, seconds: r.duration, codes, errors: r.errors, timeouts: r.timeouts }));
