// Named prepared statements on PostgreSQL (postgres-dialect.ts): they must survive what another
// instance does to the schema during a rolling upgrade, which makes a prepared `select *` fail with
// "cached plan must not change result type".
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createPostgresDialect } from '../../src/store/postgres/postgres-dialect.ts';
import { createStore, type Store } from '../../src/store/store.ts';
import { insertOrganization, userRecord } from '../helpers/seed.ts';
import { createTestDatabase, skipReason, TEST_DATABASE_URL, type TestDatabase } from '../helpers/stores.ts';

describe('prepared statements on PostgreSQL', { skip: skipReason('postgres') }, () => {
  let database: TestDatabase;
  let store: Store;
  before(async () => {
    database = await createTestDatabase('postgres');
    // One connection: every query runs where the previous one prepared its statement.
    store = createStore(
      createPostgresDialect(TEST_DATABASE_URL, { options: database.env.PGOPTIONS ?? '', poolSize: 1 }),
    );
    await store.migrate();
  });
  after(async () => {
    await store.close();
    await database.drop();
  });

  /** What another instance's migration does: a new column on a table Roster reads with `select *`. */
  async function addColumn(table: string, name: string): Promise<void> {
    const other = new pg.Client({
      connectionString: TEST_DATABASE_URL,
      options: database.env.PGOPTIONS ?? '',
    });
    await other.connect();
    try {
      await other.query(`alter table ${table} add column ${name} text`);
    } finally {
      await other.end();
    }
  }

  it('answer a read again at once after another instance adds a column to its table', async () => {
    const organization = await insertOrganization(store);
    assert.equal((await store.organizations.getById(organization.id))?.slug, organization.slug);
    await addColumn('organizations', 'added_by_a_newer_version');
    assert.equal((await store.organizations.getById(organization.id))?.slug, organization.slug);
    assert.equal((await store.organizations.getById(organization.id))?.slug, organization.slug);
  });

  it('fail only the one transaction that met the changed table, and not the next', async () => {
    const email = 'ada@acme.test';
    await store.users.insert(userRecord({ email }));
    await store.transaction((tx) => tx.users.findByEmail(email));
    await addColumn('users', 'added_by_a_newer_version');
    await assert.rejects(
      store.transaction((tx) => tx.users.findByEmail(email)),
      /cached plan/,
    );
    const read = await store.transaction((tx) => tx.users.findByEmail(email));
    assert.equal(read?.email, email);
  });
});
