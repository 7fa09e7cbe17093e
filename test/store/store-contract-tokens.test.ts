// The store contract, run against SQLite and PostgreSQL alike, each test on a fresh database:
// access tokens (lookup by hash, list, revoke, last use) and the audit
// log (newest first, `before` cursor, filters).
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { OrganizationRecord } from '../../src/store/repos/organizations.ts';
import type { PersonalTokenRecord } from '../../src/store/repos/tokens.ts';
import type { Store } from '../../src/store/store.ts';
import { addMember, insertOrganization } from '../helpers/seed.ts';
import { auditEvent, isUniqueViolation, PARALLEL, storeTestOn, tokenRecord } from '../helpers/store-tests.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

for (const kind of STORE_KINDS) {
  describe(`the store contract: tokens and audit (${kind})`, { skip: skipReason(kind) }, () => {
    const storeTest = storeTestOn(kind);

    describe('tokens', PARALLEL, () => {
      /** An organization with an Admin, and a maker of personal token rows for that Admin. */
      async function withAdmin(store: Store) {
        const organization = await insertOrganization(store);
        const membershipId = (await addMember(store, organization.id, { role: 'admin' })).member.id;
        const personal = (overrides: Partial<PersonalTokenRecord> = {}): PersonalTokenRecord => ({
          ...tokenRecord(organization.id),
          membership_id: membershipId,
          ...overrides,
        });
        return { organization, personal };
      }

      storeTest(
        'finds a personal token by its hash and by id, and only as a personal token',
        async (store) => {
          const { personal } = await withAdmin(store);
          const token = personal();
          await store.tokens.insertPersonal(token);
          assert.deepEqual(await store.tokens.findPersonalByHash(token.token_hash), token);
          assert.deepEqual(await store.tokens.getPersonal(token.id), token);
          assert.equal(await store.tokens.findServiceByHash(token.token_hash), undefined);
          assert.equal(await store.tokens.getService(token.id), undefined);
          assert.equal(await store.tokens.findPersonalByHash('0'.repeat(64)), undefined);
        },
      );

      storeTest('finds a service token by its hash and by id, and only as a service token', async (store) => {
        const { organization } = await withAdmin(store);
        const token = tokenRecord(organization.id);
        await store.tokens.insertService(token);
        assert.deepEqual(await store.tokens.findServiceByHash(token.token_hash), token);
        assert.deepEqual(await store.tokens.getService(token.id), token);
        assert.equal(await store.tokens.findPersonalByHash(token.token_hash), undefined);
      });

      storeTest('lists tokens per organization and per member in creation order', async (store) => {
        const { organization, personal } = await withAdmin(store);
        const other = await addMember(store, organization.id);
        const first = personal({ created_at: '2026-01-01T00:00:00.000Z' });
        const second = personal({ created_at: '2026-01-02T00:00:00.000Z', membership_id: other.member.id });
        const service = tokenRecord(organization.id);
        await store.tokens.insertPersonal(second);
        await store.tokens.insertPersonal(first);
        await store.tokens.insertService(service);
        const elsewhere = await insertOrganization(store);
        await store.tokens.insertService(tokenRecord(elsewhere.id));

        assert.deepEqual(
          (await store.tokens.listPersonal(organization.id)).map((t) => t.id),
          [first.id, second.id],
        );
        assert.deepEqual(
          (await store.tokens.listPersonal(organization.id, other.member.id)).map((t) => t.id),
          [second.id],
        );
        assert.deepEqual(
          (await store.tokens.listService(organization.id)).map((t) => t.id),
          [service.id],
        );
      });

      storeTest('revokes a token once: a second revocation keeps the first time', async (store) => {
        const { organization, personal } = await withAdmin(store);
        const token = personal();
        await store.tokens.insertPersonal(token);
        await store.tokens.revoke('personal', token.id, '2026-03-01T00:00:00.000Z');
        await store.tokens.revoke('personal', token.id, '2026-03-02T00:00:00.000Z');
        assert.equal((await store.tokens.getPersonal(token.id))?.revoked_at, '2026-03-01T00:00:00.000Z');

        const service = tokenRecord(organization.id);
        await store.tokens.insertService(service);
        await store.tokens.revoke('service', service.id, '2026-03-03T00:00:00.000Z');
        assert.equal((await store.tokens.getService(service.id))?.revoked_at, '2026-03-03T00:00:00.000Z');
      });

      storeTest('records the last use of a token', async (store) => {
        const { organization, personal } = await withAdmin(store);
        const token = personal();
        const service = tokenRecord(organization.id);
        await store.tokens.insertPersonal(token);
        await store.tokens.insertService(service);
        await store.tokens.touch('personal', token.id, '2026-04-01T00:00:00.000Z');
        await store.tokens.touch('service', service.id, '2026-04-02T00:00:00.000Z');
        assert.equal((await store.tokens.getPersonal(token.id))?.last_used_at, '2026-04-01T00:00:00.000Z');
        assert.equal((await store.tokens.getService(service.id))?.last_used_at, '2026-04-02T00:00:00.000Z');
      });

      storeTest('refuses a second token with the same hash', async (store) => {
        const { personal } = await withAdmin(store);
        const token = personal();
        await store.tokens.insertPersonal(token);
        await assert.rejects(
          store.transaction((tx) => tx.tokens.insertPersonal(personal({ token_hash: token.token_hash }))),
          isUniqueViolation(/token_hash/),
        );
      });
    });

    describe('audit', PARALLEL, () => {
      /** Four events in one organization (oldest first) and one elsewhere. */
      async function seedEvents(store: Store): Promise<OrganizationRecord> {
        const organization = await insertOrganization(store);
        const events = [
          auditEvent(organization.id, {
            action: 'a.one',
            occurred_at: '2026-01-01T00:00:00.000Z',
            actor_id: 'x',
          }),
          auditEvent(organization.id, {
            action: 'a.two',
            occurred_at: '2026-01-02T00:00:00.000Z',
            target_id: 't',
          }),
          auditEvent(organization.id, {
            action: 'a.one',
            occurred_at: '2026-01-03T00:00:00.000Z',
            actor_id: 'x',
          }),
          auditEvent(organization.id, { action: 'a.three', occurred_at: '2026-01-04T00:00:00.000Z' }),
        ];
        for (const event of events) await store.audit.insert(event);
        const elsewhere = await insertOrganization(store);
        await store.audit.insert(auditEvent(elsewhere.id, { action: 'a.one' }));
        return organization;
      }

      storeTest('lists the events of one organization newest first, with numeric ids', async (store) => {
        const organization = await seedEvents(store);
        const events = await store.audit.search({ organizationId: organization.id, limit: 10 });
        assert.deepEqual(
          events.map((e) => e.action),
          ['a.three', 'a.one', 'a.two', 'a.one'],
        );
        for (const event of events) assert.equal(typeof event.id, 'number');
        const ids = events.map((e) => e.id);
        assert.deepEqual(
          ids,
          [...ids].sort((x, y) => y - x),
        );
      });

      storeTest('pages backwards with the `before` cursor', async (store) => {
        const organization = await seedEvents(store);
        const firstPage = await store.audit.search({ organizationId: organization.id, limit: 2 });
        assert.deepEqual(
          firstPage.map((e) => e.action),
          ['a.three', 'a.one'],
        );
        const secondPage = await store.audit.search({
          organizationId: organization.id,
          limit: 2,
          before: firstPage.at(-1)!.id,
        });
        assert.deepEqual(
          secondPage.map((e) => e.action),
          ['a.two', 'a.one'],
        );
        const after = await store.audit.search({
          organizationId: organization.id,
          limit: 2,
          before: secondPage.at(-1)!.id,
        });
        assert.deepEqual(after, []);
      });

      storeTest('filters by action, actor, target and time range', async (store) => {
        const organization = await seedEvents(store);
        const list = (filters: object) =>
          store.audit.search({ organizationId: organization.id, limit: 10, ...filters });
        assert.deepEqual(
          (await list({ action: 'a.one' })).map((e) => e.occurred_at),
          ['2026-01-03T00:00:00.000Z', '2026-01-01T00:00:00.000Z'],
        );
        assert.equal((await list({ actor: 'x' })).length, 2);
        assert.deepEqual(
          (await list({ target: 't' })).map((e) => e.action),
          ['a.two'],
        );
        assert.deepEqual(
          (await list({ since: '2026-01-02T00:00:00.000Z', until: '2026-01-04T00:00:00.000Z' })).map(
            (e) => e.action,
          ),
          ['a.one', 'a.two'],
        );
      });
    });
  });
}
