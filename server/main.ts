// `npm run server -- --db ./feed.db --port 8787`: starts the feed service and says how to use it.
import { parseConfig, usage } from './config.ts';
import { buildService } from './app.ts';
import { NewerSchemaError } from './store/sqlite.ts';
import { isPostgresUrl } from './store/index.ts';

/** The --db value as printed: a postgres:// URL without its password (start-up text ends up in logs). */
function shownDb(db: string): string {
  if (!isPostgresUrl(db)) return db;
  try {
    const url = new URL(db);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'the PostgreSQL URL given with --db';
  }
}

async function main(): Promise<void> {
  let config;
  try {
    config = parseConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if ((err as Error).message === 'help') {
      process.stdout.write(usage);
      return;
    }
    process.stderr.write(`tidings server: ${(err as Error).message}\n\n${usage}`);
    process.exitCode = 2;
    return;
  }
  let svc;
  try {
    svc = await buildService(config);
  } catch (err) {
    const msg = err instanceof NewerSchemaError ? err.message : `cannot open ${shownDb(config.db)}: ${(err as Error).message}`;
    process.stderr.write(`tidings server: ${msg}\n`);
    process.exitCode = 1;
    return;
  }
  try {
    await svc.app.listen({ host: config.host, port: config.port });
  } catch (err) {
    process.stderr.write(`tidings server: cannot listen on ${config.host}:${config.port}: ${(err as Error).message}\n`);
    await svc.store.close();
    process.exitCode = 1;
    return;
  }
  const addr = svc.app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  const lines = [`Tidings feed service listening on ${url} (database ${shownDb(config.db)}${config.publicRead ? ', public reads' : ''})`];
  if ((await svc.store.tokenCount()) === 0) {
    lines.push(
      'No access tokens yet. Create them with:',
      `  npx tidings token create --db ${shownDb(config.db)} --scope publish --name ci`,
      `  npx tidings token create --db ${shownDb(config.db)} --scope read --name app`,
    );
  }
  const keys = (await svc.store.publisherKeys()).length + config.publisherKeys.length;
  if (keys === 0) {
    lines.push(
      'No publisher keys are trusted yet, so every publish will be refused. Create and trust one with:',
      '  npx tidings keygen --out publisher.key',
      `  npx tidings key add <public key> --db ${shownDb(config.db)}`,
    );
  }
  process.stdout.write(lines.join('\n') + '\n');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: finishing in-flight requests, then stopping\n`);
    // In-flight publishes finish (fastify.close waits for them); SSE streams are ended so clients reconnect.
    svc.app.close().then(() => process.exit(0), () => process.exit(1));
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

await main();
