// Composition root: loadConfig → openStore → createApp → listen, and a graceful stop on signals.
import { type Config, loadConfig } from './config.ts';
import { createApp } from './http/create-app.ts';
import { openStore } from './store/open-store.ts';

export async function serve(config: Config = loadConfig()): Promise<void> {
  const store = await openStore(config.databaseUrl);
  const app = createApp(config, store);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await store.close();
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  const organizations = await store.organizations.count();
  const base = config.publicUrl;
  if (organizations === 0) {
    process.stdout.write(
      [
        '',
        `Roster is running at ${base} (${store.dialect.describe()}).`,
        'There is no organization yet. Create the first one and its Admin with:',
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
    process.stdout.write(
      `\nRoster is running at ${base} (${store.dialect.describe()}). SCIM base URL: ${base}/scim/v2\n`,
    );
  }
}
