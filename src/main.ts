// Composition root: loadConfig → openStore → createApp → listen, and a graceful stop on signals.
import { type Config, ConfigError, loadConfig } from './config.ts';
import { createApp } from './http/create-app.ts';
import { serverLogger } from './http/request-log.ts';
import { openStore } from './store/open-store.ts';
import { DeliveryWorker } from './webhooks/delivery-worker.ts';

export async function serve(config: Config = loadConfig()): Promise<void> {
  const store = await openStore(config.databaseUrl, {
    backgroundCheckpoints: true,
    groupCommit: true,
    poolSize: config.databasePoolSize,
  });
  const worker = new DeliveryWorker(store, {
    settings: config.webhooks,
    retentionDays: config.eventsRetentionDays,
    onError: (error) => app.log.error({ err: error }, 'webhook delivery'),
  });
  // The app's metrics count the worker's attempts.
  const app = createApp(config, store, { logger: await serverLogger(config), deliveryWorker: worker });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    await app.close();
    // Waits for the deliveries in flight, each at most WEBHOOK_TIMEOUT_SECONDS.
    await worker.stop();
    await store.close();
    // What is left cannot be waited for usefully: a name lookup a webhook attempt gave up on stays
    // with the system's resolver, which keeps the process alive until it answers (with an
    // unanswering DNS server and many endpoints, a minute or more). Everything is closed: a second
    // later the process ends regardless; the timer itself holds nothing open.
    setTimeout(() => process.exit(), 1000).unref();
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));

  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app.close().catch(() => undefined);
    await store.close();
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      throw new ConfigError(
        `PORT=${config.port}: cannot listen on ${config.host}:${config.port} (${code}); set PORT or HOST`,
      );
    }
    // A name that does not resolve, or an address this machine does not have.
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL') {
      throw new ConfigError(
        `HOST=${config.host}: cannot listen there (${code}); give an address of this machine, localhost, or 0.0.0.0 for every interface`,
      );
    }
    throw error;
  }
  worker.start();
  // The banner is for the person who started the server: on stderr, so that stdout holds only the
  // log's JSON lines for a collector.
  const organizations = await store.organizations.count();
  const base = config.publicUrl;
  if (organizations === 0) {
    process.stderr.write(
      [
        '',
        `Roster is running at ${base} (${store.dialect.describe()}).`,
        'There is no organization yet. Open this page to create the first one and its Admin:',
        '',
        `  ${base}/setup`,
        '',
        'Or, from the command line:',
        '',
        '  npx roster init --org-name "Acme Inc" --admin-email you@example.com',
        '',
        `It prints a generated password. Then create a token for Okta (SCIM base URL: ${base}/scim/v2):`,
        '',
        '  npx roster tokens create --org acme-inc --name okta --role admin --service',
        '',
      ].join('\n'),
    );
  } else {
    process.stderr.write(
      `\nRoster is running at ${base} (${store.dialect.describe()}). Dashboard: ${base}/signin · SCIM base URL: ${base}/scim/v2\n`,
    );
  }
}
