// Migration 019 on an installation with webhook endpoints and deliveries: every row stays, the
// indexes and the deliveries' cascade with it (SQLite rebuilds both tables), an endpoint or a
// delivery may now have no organization (an installation-wide endpoint), and the pending deliveries
// have their own index, which the worker's claim walks in order. On SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Migrator, sql } from 'kysely';
import { migrationProvider } from '../../src/store/migrations/index.ts';
import { createTestDatabase, STORE_KINDS, skipReason } from '../helpers/stores.ts';

const AT = '2026-01-02T03:04:05.000Z';

const endpoint = (id: string, organizationId: string | null) => ({
  id,
  organization_id: organizationId,
  url: 'https://example.com/hook',
  description: null,
  types: '["*"]',
  secret: 'whsec_x',
  previous_secret: null,
  previous_secret_expires_at: null,
  enabled: 1,
  disabled_reason: null,
  disabled_at: null,
  created_at: AT,
  updated_at: AT,
  form_nonce: null,
});

const delivery = (id: string, endpointId: string, organizationId: string | null) => ({
  id,
  endpoint_id: endpointId,
  organization_id: organizationId,
  event_id: `evt_${id}`,
  event_type: 'member.created',
  resource_key: 'member:1',
  position: Number(id.slice(-1)),
  payload: '{}',
  state: 'pending' as const,
  attempts: 0,
  next_attempt_at: AT,
  locked_until: null,
  created_at: AT,
});

for (const kind of STORE_KINDS) {
  describe(`migration 019-installation-webhooks (${kind})`, { skip: skipReason(kind) }, () => {
    it('keeps endpoints, deliveries, indexes and the cascade, and allows endpoints of no organization', async () => {
      const database = await createTestDatabase(kind);
      const store = database.open();
      try {
        const migrator = new Migrator({ db: store.db, provider: migrationProvider(kind) });
        const before = await migrator.migrateTo('016-scim-request-user-name');
        assert.equal(before.error, undefined);
        await sql`insert into organizations (id, slug, name, default_role, member_seq, created_at, updated_at)
          values ('org-1', 'acme', 'Acme', 'member', 0, ${AT}, ${AT})`.execute(store.db);
        await store.db.insertInto('webhook_endpoints').values(endpoint('ep-1', 'org-1')).execute();
        await store.db
          .insertInto('webhook_deliveries')
          .values([delivery('d-1', 'ep-1', 'org-1'), delivery('d-2', 'ep-1', 'org-1')])
          .execute();

        await store.migrate();

        assert.deepEqual(
          (await store.webhooks.listEndpoints('org-1')).map((row) => row.id),
          ['ep-1'],
        );
        assert.deepEqual(
          (await store.webhooks.log('ep-1', 10)).map((row) => [row.id, row.organization_id]),
          [
            ['d-2', 'org-1'],
            ['d-1', 'org-1'],
          ],
        );
        const indexes =
          kind === 'sqlite'
            ? await sql<{ name: string }>`select name from sqlite_master where type = 'index'
                and tbl_name in ('webhook_endpoints', 'webhook_deliveries') and sql is not null`.execute(
                store.db,
              )
            : await sql<{ name: string }>`select indexname as name from pg_indexes
                where schemaname = current_schema() and tablename in ('webhook_endpoints', 'webhook_deliveries')
                and indexname not like '%pkey'`.execute(store.db);
        assert.deepEqual(indexes.rows.map((row) => row.name).sort(), [
          'webhook_deliveries_log',
          'webhook_deliveries_pending',
          'webhook_deliveries_resource',
          'webhook_endpoints_form',
          'webhook_endpoints_org',
        ]);

        await store.db.insertInto('webhook_endpoints').values(endpoint('ep-2', null)).execute();
        await store.db
          .insertInto('webhook_deliveries')
          .values(delivery('d-3', 'ep-2', null))
          .execute();
        assert.deepEqual(
          (await store.webhooks.listEndpoints(null)).map((row) => row.id),
          ['ep-2'],
        );
        // The deliveries still go with their endpoint.
        await store.db.deleteFrom('webhook_endpoints').where('id', '=', 'ep-1').execute();
        assert.deepEqual(await store.webhooks.log('ep-1', 10), []);
        assert.equal((await store.webhooks.log('ep-2', 10)).length, 1);
        // And an endpoint still needs an organization that exists, when it names one.
        await assert.rejects(
          store.db.insertInto('webhook_endpoints').values(endpoint('ep-3', 'org-404')).execute(),
        );
      } finally {
        await store.close();
        await database.drop();
      }
    });
  });
}
