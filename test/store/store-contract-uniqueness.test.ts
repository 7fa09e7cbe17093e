// The store contract, uniqueness part: duplicates are refused by the database itself. Rows are written
// straight into the tables, bypassing every use case; outside `transaction()` the driver's own error
// surfaces, inside it the store's UniqueViolationError naming the constraint.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { newId } from '../../src/store/ids.ts';
import type { Store } from '../../src/store/store.ts';
import { insertOrganization, memberRow, organizationRecord, userRecord } from '../helpers/seed.ts';
import { isRawUniqueViolation, isUniqueViolation, PARALLEL, storeTestOn } from '../helpers/store-tests.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

for (const kind of STORE_KINDS) {
  describe(`the store contract: uniqueness enforced by the database (${kind})`, {
    skip: skipReason(kind),
  }, () => {
    const storeTest = storeTestOn(kind);

    describe('uniqueness enforced by the database', PARALLEL, () => {
      async function insertUser(store: Store, email: string) {
        const user = userRecord({ email });
        await store.db.insertInto('users').values(user).execute();
        return user;
      }

      async function insertMembership(
        store: Store,
        orgId: string,
        overrides: { user_name: string; external_id?: string | null },
      ) {
        const user = await insertUser(store, `${newId()}@example.com`);
        const seq = await store.organizations.nextMemberSeq(orgId);
        const row = memberRow(orgId, user.id, seq, overrides);
        return store.db.insertInto('memberships').values(row).execute();
      }

      storeTest('refuses a second user with the same email in another case', async (store) => {
        await insertUser(store, 'Ada@Example.com');
        await assert.rejects(insertUser(store, 'ada@example.COM'), isRawUniqueViolation(store));
        await assert.rejects(
          store.transaction((tx) => tx.users.insert(userRecord({ email: 'ADA@EXAMPLE.COM' }))),
          isUniqueViolation(/email/),
        );
      });

      storeTest(
        'refuses a second member with the same userName in another case in one organization',
        async (store) => {
          const organization = await insertOrganization(store);
          await insertMembership(store, organization.id, { user_name: 'Ada.Lovelace' });
          await assert.rejects(
            insertMembership(store, organization.id, { user_name: 'ada.LOVELACE' }),
            isRawUniqueViolation(store),
          );
          await assert.rejects(
            store.transaction(async (tx) => {
              const user = userRecord();
              await tx.users.insert(user);
              const seq = await tx.organizations.nextMemberSeq(organization.id);
              await tx.members.insert(
                memberRow(organization.id, user.id, seq, { user_name: 'ADA.lovelace' }),
                [],
              );
            }),
            isUniqueViolation(/user_name/),
          );
        },
      );

      storeTest('accepts the same userName in two different organizations', async (store) => {
        const organization = await insertOrganization(store);
        const other = await insertOrganization(store);
        await insertMembership(store, organization.id, { user_name: 'ada.lovelace' });
        await insertMembership(store, other.id, { user_name: 'Ada.Lovelace' });
        assert.ok(await store.members.findByUserName(other.id, 'ada.lovelace'));
      });

      // RFC 7643 §3.1: the client controls externalId's uniqueness, not the server.
      storeTest('accepts several members with the same externalId in one organization', async (store) => {
        const organization = await insertOrganization(store);
        await insertMembership(store, organization.id, { user_name: 'a', external_id: 'okta-00u1' });
        await insertMembership(store, organization.id, { user_name: 'b', external_id: 'okta-00u1' });
        await store.transaction(async (tx) => {
          const user = userRecord();
          await tx.users.insert(user);
          const seq = await tx.organizations.nextMemberSeq(organization.id);
          await tx.members.insert(
            memberRow(organization.id, user.id, seq, { user_name: 'c', external_id: 'okta-00u1' }),
            [],
          );
        });
        const rows = await store.db
          .selectFrom('memberships')
          .select('user_name')
          .where('organization_id', '=', organization.id)
          .where('external_id', '=', 'okta-00u1')
          .orderBy('user_name')
          .execute();
        assert.deepEqual(
          rows.map((row) => row.user_name),
          ['a', 'b', 'c'],
        );
      });

      storeTest(
        'accepts the same externalId in two organizations, and any number of members without one',
        async (store) => {
          const organization = await insertOrganization(store);
          const other = await insertOrganization(store);
          await insertMembership(store, organization.id, { user_name: 'a', external_id: 'okta-00u1' });
          await insertMembership(store, other.id, { user_name: 'a', external_id: 'okta-00u1' });
          await insertMembership(store, organization.id, { user_name: 'b', external_id: null });
          await insertMembership(store, organization.id, { user_name: 'c', external_id: null });
          assert.equal(await store.members.count(organization.id), 3);
        },
      );

      storeTest('refuses a second organization with the same slug', async (store) => {
        const organization = await insertOrganization(store);
        await assert.rejects(
          store.db
            .insertInto('organizations')
            .values(organizationRecord({ slug: organization.slug }))
            .execute(),
          isRawUniqueViolation(store),
        );
        await assert.rejects(
          store.transaction((tx) => tx.organizations.insert(organizationRecord({ slug: organization.slug }))),
          isUniqueViolation(/slug/),
        );
      });

      storeTest(
        'refuses two memberships of one user in one organization, or two members at one position',
        async (store) => {
          const organization = await insertOrganization(store);
          const user = await insertUser(store, 'one@example.com');
          await store.db
            .insertInto('memberships')
            .values(memberRow(organization.id, user.id, 1, { user_name: 'one' }))
            .execute();
          await assert.rejects(
            store.db
              .insertInto('memberships')
              .values(memberRow(organization.id, user.id, 2, { user_name: 'two' }))
              .execute(),
            isRawUniqueViolation(store),
          );
          const another = await insertUser(store, 'another@example.com');
          await assert.rejects(
            store.db
              .insertInto('memberships')
              .values(memberRow(organization.id, another.id, 1, { user_name: 'three' }))
              .execute(),
            isRawUniqueViolation(store),
          );
        },
      );
    });
  });
}
