// The store contract for SCIM Groups, on SQLite and PostgreSQL alike: groups, their members (added
// and removed by id, never by rewriting the group), lookups by name, externalId and member, and the
// groups of a member.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { VersionConflictError } from '../../src/store/errors.ts';
import { newId, now } from '../../src/store/ids.ts';
import type { GroupRow } from '../../src/store/repos/groups.ts';
import type { Store } from '../../src/store/store.ts';
import { growMembers } from '../helpers/query-plans.ts';
import { addMember, insertOrganization } from '../helpers/seed.ts';
import { PARALLEL, storeTestOn } from '../helpers/store-tests.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

function groupRow(organizationId: string, overrides: Partial<GroupRow> = {}): GroupRow {
  const at = now();
  return {
    id: newId(),
    organization_id: organizationId,
    display_name: 'Engineering',
    external_id: null,
    role: null,
    member_count: 0,
    version: 1,
    created_at: at,
    updated_at: at,
    ...overrides,
  };
}

async function membersOf(store: Store, organizationId: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 1) ids.push((await addMember(store, organizationId)).member.id);
  return ids;
}

for (const kind of STORE_KINDS) {
  describe(`the store contract: groups (${kind})`, { skip: skipReason(kind), ...PARALLEL }, () => {
    const storeTest = storeTestOn(kind);

    storeTest('stores a group and reads it back only through its organization', async (store) => {
      const organization = await insertOrganization(store);
      const other = await insertOrganization(store);
      const group = groupRow(organization.id, { external_id: 'okta-00g1' });
      await store.groups.insert(group);
      assert.deepEqual(await store.groups.getById(organization.id, group.id), group);
      assert.equal(await store.groups.getById(other.id, group.id), undefined);
    });

    storeTest('adds members once, removes only the listed ones, and says which changed', async (store) => {
      const organization = await insertOrganization(store);
      const [a, b, c] = await membersOf(store, organization.id, 3);
      assert.ok(a && b && c);
      const group = groupRow(organization.id);
      await store.groups.insert(group);
      assert.deepEqual((await store.groups.addMembers(group.id, [a, b, a], now())).sort(), [a, b].sort());
      assert.deepEqual(await store.groups.addMembers(group.id, [b, c], now()), [c]);
      assert.deepEqual(await store.groups.removeMembers(group.id, [b, 'not-a-member']), [b]);
      assert.deepEqual(
        (await store.groups.members(group.id)).map((m) => m.membershipId),
        [a, c].sort(),
      );
      assert.deepEqual((await store.groups.removeAllMembers(group.id)).sort(), [a, c].sort());
      assert.deepEqual(await store.groups.members(group.id), []);
    });

    storeTest('adds and removes a batch larger than one statement holds', async (store) => {
      const organization = await insertOrganization(store);
      await growMembers(store.db, organization.id, 0, 1200);
      const ids = (
        await store.db
          .selectFrom('memberships')
          .select('id')
          .where('organization_id', '=', organization.id)
          .execute()
      ).map((r) => r.id);
      const group = groupRow(organization.id);
      await store.groups.insert(group);
      const unknown = newId();
      const known = await store.groups.existingMembers(organization.id, [...ids, unknown]);
      assert.equal(known.size, 1200);
      assert.ok(!known.has(unknown));
      assert.equal((await store.groups.addMembers(group.id, ids, now())).length, 1200);
      assert.equal((await store.groups.removeMembers(group.id, ids.slice(0, 700))).length, 700);
      assert.equal((await store.groups.members(group.id)).length, 500);
    });

    storeTest('finds groups by displayName in any case, externalId, id and member', async (store) => {
      const organization = await insertOrganization(store);
      const [a, b] = await membersOf(store, organization.id, 2);
      assert.ok(a && b);
      const eng = groupRow(organization.id, {
        display_name: 'Eng Admins',
        external_id: 'ext-1',
        created_at: '2026-01-01T00:00:00.000Z',
      });
      const ops = groupRow(organization.id, { display_name: 'Ops', created_at: '2026-01-01T00:00:01.000Z' });
      await store.groups.insert(eng);
      await store.groups.insert(ops);
      await store.groups.addMembers(eng.id, [a], now());
      await store.groups.addMembers(ops.id, [a, b], now());
      const ids = async (conditions: Parameters<Store['groups']['list']>[1]) =>
        (await store.groups.list(organization.id, conditions, 0, 10)).map((g) => g.id);
      assert.deepEqual(await ids({ displayName: 'eng ADMINS' }), [eng.id]);
      assert.deepEqual(await ids({ externalId: 'ext-1' }), [eng.id]);
      assert.deepEqual(await ids({ externalId: 'EXT-1' }), []);
      assert.deepEqual(await ids({ id: ops.id }), [ops.id]);
      assert.deepEqual(await ids({ memberId: b }), [ops.id]);
      // In the order they were created (then by id), whatever their ids.
      assert.deepEqual(await ids({ memberId: a }), [eng.id, ops.id]);
      assert.equal(await store.groups.count(organization.id, { memberId: a }), 2);
      assert.equal(await store.groups.count(organization.id, {}), 2);
      const other = await insertOrganization(store);
      assert.equal(await store.groups.count(other.id, {}), 0);
      const refs = await store.groups.groupsOf([a, b]);
      assert.deepEqual(
        refs.filter((r) => r.membershipId === a).map((r) => r.displayName),
        ['Eng Admins', 'Ops'],
      );
      assert.deepEqual(
        refs.filter((r) => r.membershipId === b).map((r) => r.groupId),
        [ops.id],
      );
    });

    storeTest('updates a group only from the version it was read at', async (store) => {
      const organization = await insertOrganization(store);
      const group = groupRow(organization.id);
      await store.groups.insert(group);
      const renamed = { ...group, display_name: 'Platform', version: 2, updated_at: now() };
      await store.groups.update(renamed, 1);
      assert.equal((await store.groups.getById(organization.id, group.id))?.display_name, 'Platform');
      await assert.rejects(store.groups.update({ ...renamed, version: 3 }, 1), VersionConflictError);
    });

    storeTest('deletes a group with its members rows and keeps the people', async (store) => {
      const organization = await insertOrganization(store);
      const [a] = await membersOf(store, organization.id, 1);
      assert.ok(a);
      const group = groupRow(organization.id);
      await store.groups.insert(group);
      await store.groups.addMembers(group.id, [a], now());
      await store.groups.delete(group.id);
      assert.equal(await store.groups.getById(organization.id, group.id), undefined);
      assert.deepEqual(await store.groups.groupsOf([a]), []);
      assert.ok(await store.members.getById(organization.id, a));
    });
  });
}
