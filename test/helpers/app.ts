// An app over a fresh store with one organization, its first Admin and tokens, for HTTP tests.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { InitializedOrganization } from '../../src/accounts/organizations.ts';
import { createToken } from '../../src/accounts/tokens.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import { type AppOptions, createApp } from '../../src/http/create-app.ts';
import type { Store } from '../../src/store/store.ts';
import { initTestOrganization } from './seed.ts';
import { openTestStore, type StoreKind, type TestDatabase } from './stores.ts';

export const PUBLIC_URL = 'https://roster.test';

export interface TestApp {
  app: FastifyInstance;
  store: Store;
  database: TestDatabase;
  config: Config;
  org: InitializedOrganization;
  /** A service access token of the organization (Admin). */
  token: string;
  /** Sends a SCIM request with the organization's token (or `token` in options). */
  scim(
    method: InjectOptions['method'],
    path: string,
    body?: unknown,
    options?: { token?: string | null; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>;
  cleanup(): Promise<void>;
}

/**
 * `env`: more settings for the app's config (e.g. DNS_SERVERS); `options`: createApp's (a logger),
 * or a function of the store and config giving them (a webhook worker over the same store).
 */
export async function setupApp(
  kind: StoreKind,
  orgSlug = 'acme',
  env: Record<string, string> = {},
  options: AppOptions | ((store: Store, config: Config) => AppOptions) = {},
): Promise<TestApp> {
  const { store, database, cleanup } = await openTestStore(kind);
  const config = loadConfig({ PUBLIC_URL: PUBLIC_URL, DATABASE_URL: database.url, ...env });
  const given = typeof options === 'function' ? options(store, config) : options;
  const app = createApp(config, store, { logger: false, ...given });
  const org = await initTestOrganization(store, {
    name: 'Acme Inc',
    slug: orgSlug,
    adminEmail: `admin@${orgSlug}.test`,
  });
  const { token } = await createToken(store, {
    kind: 'service',
    organizationId: org.organization.id,
    name: 'okta',
    role: 'admin',
    actor: CLI_ACTOR,
  });
  return {
    app,
    store,
    database,
    config,
    org,
    token,
    scim(method, path, body, options = {}) {
      const bearer = options.token === undefined ? token : options.token;
      return app.inject({
        method,
        url: path.startsWith('/') ? path : `/scim/v2/${path}`,
        headers: {
          accept: 'application/scim+json',
          ...(body !== undefined ? { 'content-type': 'application/scim+json; charset=utf-8' } : {}),
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
          ...options.headers,
        },
        ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
    },
    async cleanup() {
      await app.close();
      await cleanup();
    },
  };
}
