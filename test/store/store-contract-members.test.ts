// The store contract, run against SQLite and PostgreSQL alike, each test on a fresh database:
// members (lookups, optimistic updates, paging, counts, workspace grants) and
// sessions.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { parseFilter } from '../../src/scim/filter/parse-filter.ts';
import { resolveFilter } from '../../src/scim/filter/resolve-filter.ts';
import { VersionConflictError } from '../../src/store/errors.ts';
import { newId, now } from '../../src/store/ids.ts';
import type { SessionRecord } from '../../src/store/repos/sessions.ts';
import { addMember, insertOrganization, memberRow, userRecord } from '../helpers/seed.ts';
import { PARALLEL, storeTestOn } from '../helpers/store-tests.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

for (const kind of STORE_KINDS) {
  describe(`the store contract: members and sessions (${kind})`, { skip: skipReason(kind) }, () => {
    const storeTest = storeTestOn(kind);

    describe('members', PARALLEL, () => {
      storeTest('stores a member with its emails in order and reads it back by id', async (store) => {
        const organization = await insertOrganization(store);
        const user = userRecord();
        await store.users.insert(user);
        const row = memberRow(organization.id, user.id, 1, {
          user_name: 'Ada@Example.com',
          external_id: 'okta-00u1',
          given_name: 'Ada',
          family_name: 'Lovelace',
          display_name: 'Ada Lovelace',
        });
        const emails = [
          { value: 'ada@example.com', type: 'work', primary: true },
          { value: 'ada@home.example', type: null, primary: false },
        ];
        await store.members.insert(row, emails);
        assert.deepEqual(await store.members.getById(organization.id, row.id), row);
        assert.deepEqual(await store.members.emails(row.id), emails);
        assert.deepEqual(await store.members.findByUserId(organization.id, user.id), row);
        assert.deepEqual(await store.members.listForUser(user.id), [row]);
      });

      storeTest(
        'places members at the next positions with their emails, and a refused one takes no position',
        async (store) => {
          const organization = await insertOrganization(store);
          const place = async (
            userName: string,
            emails: { value: string; type: string | null; primary: boolean }[],
          ) => {
            const user = userRecord();
            await store.users.insert(user);
            const row = memberRow(organization.id, user.id, 0, { user_name: userName });
            return store.transaction((tx) => tx.members.insertAtNextPosition(row, emails));
          };
          const emails = [
            { value: 'ada@example.com', type: 'work', primary: true },
            { value: 'ada@home.example', type: null, primary: false },
          ];
          const first = await place('ada@example.com', emails);
          const second = await place('grace@example.com', []);
          assert.deepEqual([first.seq, second.seq], [1, 2]);
          assert.deepEqual(await store.members.getById(organization.id, first.id), first);
          assert.deepEqual(await store.members.emails(first.id), emails);
          assert.deepEqual(await store.members.emails(second.id), []);
          // The same userName again: refused by its unique index, and the position it took is undone.
          await assert.rejects(
            place('ADA@example.com', [{ value: 'x@example.com', type: null, primary: true }]),
          );
          const third = await place('alan@example.com', []);
          assert.equal(third.seq, 3);
          assert.equal((await store.organizations.getById(organization.id))?.member_seq, 3);
        },
      );

      storeTest('does not find a member through another organization', async (store) => {
        const organization = await insertOrganization(store);
        const { member } = await addMember(store, organization.id);
        const other = await insertOrganization(store);
        assert.equal(await store.members.getById(other.id, member.id), undefined);
        assert.equal(await store.members.findByUserName(other.id, member.user_name), undefined);
      });

      storeTest(
        'finds a member by userName in any case and keeps the stored value as sent',
        async (store) => {
          const organization = await insertOrganization(store);
          const { member } = await addMember(store, organization.id, {
            userName: 'Grace.Hopper@Example.COM',
          });
          const found = await store.members.findByUserName(organization.id, 'grace.hopper@example.com');
          assert.equal(found?.id, member.id);
          assert.equal(found?.user_name, 'Grace.Hopper@Example.COM');
          assert.equal(await store.members.findByUserName(organization.id, 'grace@example.com'), undefined);
        },
      );

      storeTest('reads a member for update inside a transaction', async (store) => {
        const organization = await insertOrganization(store);
        const { member } = await addMember(store, organization.id);
        const read = await store.transaction((tx) =>
          tx.members.getById(organization.id, member.id, { forUpdate: true }),
        );
        assert.deepEqual(read, member);
      });

      storeTest('updates a member whose version is unchanged and rewrites its emails', async (store) => {
        const organization = await insertOrganization(store);
        const { member } = await addMember(store, organization.id);
        const next = { ...member, display_name: 'Renamed', version: member.version + 1 };
        await store.members.update(next, member, [{ value: 'new@example.com', type: null, primary: true }]);
        assert.deepEqual(await store.members.getById(organization.id, member.id), next);
        assert.deepEqual(await store.members.emails(member.id), [
          { value: 'new@example.com', type: null, primary: true },
        ]);
      });

      storeTest('keeps the emails when an update does not give them', async (store) => {
        const organization = await insertOrganization(store);
        const { member, user } = await addMember(store, organization.id);
        await store.members.update({ ...member, version: 2 }, member);
        assert.deepEqual(await store.members.emails(member.id), [
          { value: user.email, type: 'work', primary: true },
        ]);
      });

      storeTest(
        'refuses an update from a stale version with VersionConflictError and changes nothing',
        async (store) => {
          const organization = await insertOrganization(store);
          const { member } = await addMember(store, organization.id);
          await store.members.update({ ...member, display_name: 'First', version: 2 }, member);
          await assert.rejects(
            store.members.update({ ...member, display_name: 'Second', version: 2 }, member),
            VersionConflictError,
          );
          await assert.rejects(
            store.transaction((tx) =>
              tx.members.update({ ...member, display_name: 'Third', version: 2 }, member),
            ),
            VersionConflictError,
          );
          const stored = await store.members.getById(organization.id, member.id);
          assert.equal(stored?.display_name, 'First');
          assert.equal(stored?.version, 2);
        },
      );

      storeTest('refuses an update addressed through another organization', async (store) => {
        const organization = await insertOrganization(store);
        const { member } = await addMember(store, organization.id);
        const other = await insertOrganization(store);
        await assert.rejects(
          store.members.update({ ...member, organization_id: other.id, version: 2 }, member),
          VersionConflictError,
        );
      });

      storeTest('lists members by position from a given position on, in order', async (store) => {
        const organization = await insertOrganization(store);
        const added = [];
        for (let i = 0; i < 5; i++) added.push((await addMember(store, organization.id)).member);
        const page = await store.members.listBySeq(organization.id, 2, 3);
        assert.deepEqual(
          page.map((m) => m.seq),
          [2, 3, 4],
        );
        assert.deepEqual(
          page.map((m) => m.id),
          added.slice(1, 4).map((m) => m.id),
        );
        assert.deepEqual(await store.members.listBySeq(organization.id, 6, 10), []);
      });

      storeTest('lists members with offset and limit in position order', async (store) => {
        const organization = await insertOrganization(store);
        for (let i = 0; i < 4; i++) await addMember(store, organization.id);
        const page = await store.members.list(organization.id, { offset: 1, limit: 2 });
        assert.deepEqual(
          page.map((m) => m.seq),
          [2, 3],
        );
        const descending = await store.members.list(organization.id, {
          offset: 0,
          limit: 2,
          descending: true,
        });
        assert.deepEqual(
          descending.map((m) => m.seq),
          [4, 3],
        );
      });

      storeTest(
        'counts members, optionally filtered, and only active Admins as active Admins',
        async (store) => {
          const organization = await insertOrganization(store);
          const { member: admin } = await addMember(store, organization.id, { role: 'admin' });
          await addMember(store, organization.id, { role: 'admin' });
          await addMember(store, organization.id, { role: 'member' });
          await store.members.update(
            { ...admin, status: 'deactivated', role: null, previous_role: 'admin', version: 2 },
            admin,
          );
          const other = await insertOrganization(store);
          await addMember(store, other.id, { role: 'admin' });

          assert.equal(await store.members.count(organization.id), 3);
          assert.equal(
            await store.members.count(organization.id, resolveFilter(parseFilter('active eq true'))),
            2,
          );
          assert.equal(await store.members.countActiveAdmins(organization.id), 1);
        },
      );

      storeTest(
        'grants, lists and revokes workspace access, granting twice being harmless',
        async (store) => {
          const organization = await insertOrganization(store);
          const { member } = await addMember(store, organization.id);
          const workspaceIds = [newId(), newId()];
          for (const id of workspaceIds) {
            await store.workspaces.insert({
              id,
              organization_id: organization.id,
              name: `w-${id}`,
              is_default: 0,
              created_at: now(),
              updated_at: now(),
            });
          }
          await store.workspaceGrants.grant(member.id, workspaceIds[0]!, now());
          await store.workspaceGrants.grant(member.id, workspaceIds[0]!, now());
          await store.workspaceGrants.grant(member.id, workspaceIds[1]!, now());
          assert.deepEqual(
            (await store.workspaceGrants.workspaceIdsOf(member.id)).sort(),
            [...workspaceIds].sort(),
          );
          await store.workspaceGrants.revoke(member.id, workspaceIds[0]!);
          assert.deepEqual(await store.workspaceGrants.workspaceIdsOf(member.id), [workspaceIds[1]]);
        },
      );
    });

    describe('sessions', PARALLEL, () => {
      storeTest(
        'stores a session, finds it by hash, and ends every session of one member only',
        async (store) => {
          const organization = await insertOrganization(store);
          const ada = await addMember(store, organization.id);
          const grace = await addMember(store, organization.id);
          const session = (member: typeof ada): SessionRecord => ({
            id_hash: newId(),
            user_id: member.user.id,
            organization_id: organization.id,
            membership_id: member.member.id,
            csrf_token: newId(),
            created_at: now(),
            expires_at: now(),
            last_seen_at: now(),
            sign_in_method: 'password',
          });
          const adaSessions = [session(ada), session(ada)];
          const graceSession = session(grace);
          for (const s of [...adaSessions, graceSession]) await store.sessions.insert(s);
          assert.deepEqual(await store.sessions.findByHash(graceSession.id_hash), graceSession);

          assert.equal(await store.sessions.deleteForMembership(ada.member.id), 2);
          assert.equal(await store.sessions.findByHash(adaSessions[0]!.id_hash), undefined);
          assert.equal(await store.sessions.deleteForMembership(ada.member.id), 0);
          assert.deepEqual(await store.sessions.findByHash(graceSession.id_hash), graceSession);

          await store.sessions.delete(graceSession.id_hash);
          assert.equal(await store.sessions.findByHash(graceSession.id_hash), undefined);
        },
      );
    });
  });
}
