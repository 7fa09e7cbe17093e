// The migrated-store template of stores.ts is only honest if a store made from it is the store the
// migrations make: on PostgreSQL the replayed schema must have the same tables, columns, indexes,
// constraints and applied migrations as a schema migrated by `store.migrate()`; on SQLite the copy
// must be the migrated file, with nothing left to migrate.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { insertOrganization } from './seed.ts';
import { auditEvent } from './store-tests.ts';
import {
  createMigratedTestDatabase,
  createTestDatabase,
  openTestStore,
  skipReason,
  TEST_DATABASE_URL,
} from './stores.ts';

async function describeSchema(schema: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const anonymous = (rows: Array<Record<string, unknown>>) =>
      rows.map((row) => JSON.parse(JSON.stringify(row).replaceAll(schema, 'SCHEMA')));
    const columns = await client.query(
      `select table_name, column_name, data_type, is_nullable, column_default, ordinal_position
         from information_schema.columns where table_schema = $1 order by table_name, ordinal_position`,
      [schema],
    );
    const indexes = await client.query(
      'select tablename, indexname, indexdef from pg_indexes where schemaname = $1 order by indexname',
      [schema],
    );
    const constraints = await client.query(
      `select c.conrelid::regclass::text as "table", c.conname, c.contype, pg_get_constraintdef(c.oid) as def
         from pg_constraint c join pg_namespace n on n.oid = c.connamespace
        where n.nspname = $1 order by c.conname`,
      [schema],
    );
    const migrations = await client.query(`select name from ${schema}.kysely_migration order by name`);
    return {
      columns: anonymous(columns.rows),
      indexes: anonymous(indexes.rows),
      constraints: anonymous(constraints.rows),
      migrations: migrations.rows,
    };
  } finally {
    await client.end();
  }
}

function schemaOf(env: Record<string, string>): string {
  const schema = /search_path=(\S+)/.exec(env.PGOPTIONS ?? '')?.[1];
  assert.ok(schema);
  return schema;
}

describe('the migrated-store template', () => {
  it('replays into a PostgreSQL schema exactly what the migrations make', {
    skip: skipReason('postgres'),
  }, async () => {
    const migrated = await createTestDatabase('postgres');
    const replayed = await createMigratedTestDatabase('postgres');
    try {
      const store = migrated.open();
      try {
        assert.ok((await store.migrate()).length > 0, 'the fresh schema was migrated');
      } finally {
        await store.close();
      }
      const expected = await describeSchema(schemaOf(migrated.env));
      assert.deepEqual(await describeSchema(schemaOf(replayed.env)), expected);
      const again = replayed.open();
      try {
        assert.deepEqual(await again.migrate(), [], 'nothing is left to migrate in the replayed schema');
      } finally {
        await again.close();
      }
    } finally {
      await migrated.drop();
      await replayed.drop();
    }
  });

  it('hands a PostgreSQL schema back empty, its sequences restarted, before another test gets it', {
    skip: skipReason('postgres'),
  }, async () => {
    const first = await openTestStore('postgres');
    const org = await insertOrganization(first.store);
    await first.store.audit.insert(auditEvent(org.id));
    await first.cleanup();
    const second = await openTestStore('postgres');
    try {
      assert.equal(second.database.env.PGOPTIONS, first.database.env.PGOPTIONS, 'the same schema, reused');
      assert.equal(await second.store.organizations.count(), 0);
      const again = await insertOrganization(second.store);
      await second.store.audit.insert(auditEvent(again.id));
      const events = await second.store.db.selectFrom('audit_events').select('id').execute();
      assert.deepEqual(
        events.map((e) => Number(e.id)),
        [1],
        'the audit sequence starts again at 1',
      );
    } finally {
      await second.cleanup();
    }
  });

  it('copies a migrated SQLite file with nothing left to migrate', async () => {
    const copy = await createMigratedTestDatabase('sqlite');
    const store = copy.open();
    try {
      assert.deepEqual(await store.migrate(), []);
      assert.equal(await store.organizations.count(), 0);
    } finally {
      await store.close();
      await copy.drop();
    }
  });
});
