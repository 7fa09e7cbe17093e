// Migration 011 on an installation that already has members: externalId stops being unique per
// organization (RFC 7643 §3.1), every membership row and every row that references one stays as it
// was, the foreign keys still hold, and lookups by externalId keep their index. On SQLite (where the
// table is rebuilt) and PostgreSQL.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Migrator, sql } from 'kysely';
import { newMemberRow } from '../../src/membership/member-row.ts';
import { migrationProvider } from '../../src/store/migrations/index.ts';
import { memberEmailRecords } from '../../src/store/repos/members.ts';
import type { Role } from '../../src/store/schema.ts';
import type { Store } from '../../src/store/store.ts';
import { addMember, organizationRecord, userRecord } from '../helpers/seed.ts';
import { createTestDatabase, STORE_KINDS, skipReason } from '../helpers/stores.ts';

/** A member as the schema of 010 holds it: without the columns later migrations add (017's direct_role). */
async function addMemberAt010(
  store: Store,
  organizationId: string,
  options: { externalId: string; role?: Role },
) {
  const user = userRecord();
  await store.users.insert(user);
  const { row, emails } = newMemberRow({
    organizationId,
    userId: user.id,
    seq: await store.organizations.nextMemberSeq(organizationId),
    document: {
      userName: user.email,
      externalId: options.externalId,
      emails: [{ value: user.email, type: 'work', primary: true }],
    },
    source: 'scim',
    role: options.role ?? 'member',
  });
  const { direct_role: _later, ...member } = row;
  await store.db
    .insertInto('memberships')
    .values(member as typeof row)
    .execute();
  await store.db.insertInto('member_emails').values(memberEmailRecords(row, emails)).execute();
  return { user, member: row };
}

for (const kind of STORE_KINDS) {
  describe(`migration 011-external-id-not-unique (${kind})`, { skip: skipReason(kind) }, () => {
    it('keeps every member and what refers to them, and lets two members share an externalId', async () => {
      const database = await createTestDatabase(kind);
      const store = database.open();
      try {
        const migrator = new Migrator({ db: store.db, provider: migrationProvider(kind) });
        const upTo010 = await migrator.migrateTo('010-organization-statistics');
        assert.equal(upTo010.error, undefined);

        // The organizations table as 010 left it: later migrations add columns the repository writes.
        const insertOrganization = async () => {
          const { disabled_at: _later, ...organization } = organizationRecord();
          await store.db.insertInto('organizations').values(organization).execute();
          return organization;
        };
        const organization = await insertOrganization();
        const other = await insertOrganization();
        const ada = await addMemberAt010(store, organization.id, { externalId: 'ada', role: 'admin' });
        const bob = await addMemberAt010(store, organization.id, { externalId: 'bob' });
        await addMemberAt010(store, other.id, { externalId: 'ada' });
        // Written as the token repository writes it: creating one through accounts/ would also record
        // its public event, whose table comes with a later migration.
        const token = { id: 'token-of-ada' };
        await store.tokens.insertPersonal({
          id: token.id,
          organization_id: organization.id,
          membership_id: ada.member.id,
          name: 'admin token',
          role: 'admin',
          token_hash: 'a'.repeat(64),
          last_four: 'aaaa',
          created_at: new Date().toISOString(),
          expires_at: null,
          last_used_at: null,
          revoked_at: null,
        });
        await assert.rejects(
          addMemberAt010(store, organization.id, { externalId: 'ada' }),
          'before 011, externalId is unique per organization',
        );
        const membersBefore = await store.db.selectFrom('memberships').selectAll().orderBy('id').execute();
        const emailsBefore = await store.db
          .selectFrom('member_emails')
          .selectAll()
          .orderBy('value')
          .execute();

        // 011 and the later ones, as an upgrade from 010 runs them.
        const applied = await store.migrate();
        assert.equal(applied[0], '011-external-id-not-unique');

        // 017 adds each member's direct role, backfilled from its role.
        const membersAfter = await store.db.selectFrom('memberships').selectAll().orderBy('id').execute();
        assert.deepEqual(
          membersAfter.map(({ direct_role: _added, ...row }) => row),
          membersBefore,
        );
        assert.deepEqual(membersAfter.map((row) => [row.external_id, row.direct_role]).sort(), [
          ['ada', 'admin'],
          ['ada', 'member'],
          ['bob', 'member'],
        ]);
        assert.deepEqual(
          await store.db.selectFrom('member_emails').selectAll().orderBy('value').execute(),
          emailsBefore,
        );
        const tokens = await store.db
          .selectFrom('personal_access_tokens')
          .select('membership_id')
          .where('id', '=', token.id)
          .execute();
        assert.deepEqual(tokens, [{ membership_id: ada.member.id }]);

        const twin = await addMember(store, organization.id, { externalId: 'ada' });
        const sharing = await store.db
          .selectFrom('memberships')
          .select('id')
          .where('organization_id', '=', organization.id)
          .where('external_id', '=', 'ada')
          .orderBy('seq')
          .execute();
        assert.deepEqual(
          sharing.map((row) => row.id),
          [ada.member.id, twin.member.id],
        );
        assert.ok(bob.member.id);

        // The rebuilt table still refuses what it refused: a second member for one person, a userName
        // twice in another case, and a row pointing at no membership.
        await assert.rejects(
          store.db
            .insertInto('memberships')
            .values({ ...membersBefore[0]!, id: 'another-id', external_id: null })
            .execute(),
        );
        await assert.rejects(
          store.db
            .insertInto('member_emails')
            .values({ ...emailsBefore[0]!, membership_id: 'no-such-membership', position: 7 })
            .execute(),
        );
        const indexes =
          kind === 'sqlite'
            ? await sql<{ name: string }>`select name from sqlite_master
                where type = 'index' and name = 'memberships_org_external_id'`.execute(store.db)
            : await sql<{ name: string }>`select indexname as name from pg_indexes
                where schemaname = current_schema() and indexname = 'memberships_org_external_id'
                  and indexdef not like '%UNIQUE%'`.execute(store.db);
        assert.equal(indexes.rows.length, 1, 'a plain index serves externalId lookups');
      } finally {
        await store.close();
        await database.drop();
      }
    });
  });
}
