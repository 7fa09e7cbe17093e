// `externalId` stops being unique per organization (RFC 7643 §3.1: "While the server does not
// enforce uniqueness, it is assumed that the value's uniqueness is controlled by the client setting
// the value"). Entra ID's default mapping sends `mailNickname`, which need not be unique, and
// Microsoft's reference collection creates several users with one externalId (docs/idp-requests.md).
// Lookups by `externalId eq` keep an index on (organization_id, external_id), under the constraint's
// old name.
//
// PostgreSQL drops the constraint (and with it its index) and builds the plain index. SQLite cannot
// drop a table constraint: memberships is rebuilt without it, in this migration's transaction (the
// store migrates SQLite under one write transaction), with foreign keys left on. Dropping the old
// table counts a deferred violation for each row that references it (sessions, tokens, grants,
// emails); putting every row back, rowid and all, into the new table settles each of them, so the
// commit finds none, and `foreign_key_check` confirms it. A large organization's table is copied
// twice: seconds at a million members.
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DialectName } from '../dialect.ts';

export const EXTERNAL_ID_INDEX = 'memberships_org_external_id';
const UNIQUE_CLAUSE = /,\s*constraint\s+"?memberships_org_external_id"?\s+unique\s*\([^)]*\)/i;

interface Row {
  sql: string;
}

async function rebuildSqliteMemberships(db: Kysely<unknown>): Promise<void> {
  await sql`pragma defer_foreign_keys = on`.execute(db);
  const table =
    await sql<Row>`select sql from sqlite_master where type = 'table' and name = 'memberships'`.execute(db);
  const createTable = table.rows[0]?.sql;
  if (createTable === undefined) throw new Error('011: the memberships table is missing');
  if (!UNIQUE_CLAUSE.test(createTable)) return; // already without it
  const dependents = await sql<Row>`select sql from sqlite_master
    where tbl_name = 'memberships' and type in ('index', 'trigger') and sql is not null`.execute(db);
  const columns = await sql<{ name: string }>`select name from pragma_table_info('memberships')`.execute(db);
  const list = sql.join(columns.rows.map((column) => sql.ref(column.name)));

  await sql`create temp table memberships_011 as select rowid as copied_rowid, * from memberships`.execute(
    db,
  );
  await sql`drop table memberships`.execute(db);
  await sql.raw(createTable.replace(UNIQUE_CLAUSE, '')).execute(db);
  await sql`insert into memberships (rowid, ${list}) select copied_rowid, ${list} from temp.memberships_011 order by copied_rowid`.execute(
    db,
  );
  await sql`drop table temp.memberships_011`.execute(db);
  for (const { sql: statement } of dependents.rows) await sql.raw(statement).execute(db);

  const broken = await sql`select 1 from pragma_foreign_key_check limit 1`.execute(db);
  if (broken.rows.length > 0) throw new Error('011: rebuilding memberships broke a foreign key');
}

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect === 'postgres') {
    await sql`alter table memberships drop constraint if exists ${sql.ref(EXTERNAL_ID_INDEX)}`.execute(db);
  } else {
    await rebuildSqliteMemberships(db);
  }
  await db.schema
    .createIndex(EXTERNAL_ID_INDEX)
    .ifNotExists()
    .on('memberships')
    .columns(['organization_id', 'external_id'])
    .execute();
}
