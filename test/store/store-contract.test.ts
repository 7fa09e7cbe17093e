// The store contract: what every Store must do, run against SQLite and PostgreSQL alike, each test on
// a fresh database. This file covers organizations, users, transactions and migrations; members,
// tokens, audit and database-level uniqueness are in the other test/store/store-contract-*.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newId } from '../../src/store/ids.ts';
import { insertOrganization, organizationRecord, userRecord } from '../helpers/seed.ts';
import { auditEvent, isUniqueViolation, PARALLEL, storeTestOn } from '../helpers/store-tests.ts';
import { createTestDatabase, STORE_KINDS, skipReason } from '../helpers/stores.ts';

for (const kind of STORE_KINDS) {
  describe(`the store contract: organizations, users, transactions, migrations (${kind})`, {
    skip: skipReason(kind),
  }, () => {
    const storeTest = storeTestOn(kind);

    describe('organizations', PARALLEL, () => {
      storeTest('stores an organization and reads it back by id and by slug, in any case', async (store) => {
        const organization = await insertOrganization(store, { slug: 'acme-inc', name: 'Acme Inc' });
        assert.deepEqual(await store.organizations.getById(organization.id), organization);
        assert.deepEqual(await store.organizations.getBySlug('acme-inc'), organization);
        assert.deepEqual(await store.organizations.getBySlug('ACME-Inc'), organization);
      });

      storeTest('answers undefined for an unknown id or slug', async (store) => {
        assert.equal(await store.organizations.getById(newId()), undefined);
        assert.equal(await store.organizations.getBySlug('nobody'), undefined);
      });

      storeTest('counts and lists organizations in creation order', async (store) => {
        assert.equal(await store.organizations.count(), 0);
        const first = await insertOrganization(store, { created_at: '2026-01-01T00:00:00.000Z' });
        const second = await insertOrganization(store, { created_at: '2026-01-02T00:00:00.000Z' });
        assert.equal(await store.organizations.count(), 2);
        assert.deepEqual(
          (await store.organizations.list()).map((o) => o.id),
          [first.id, second.id],
        );
      });

      storeTest('hands out dense member positions 1, 2, 3 per organization', async (store) => {
        const a = await insertOrganization(store);
        const b = await insertOrganization(store);
        assert.equal(await store.organizations.nextMemberSeq(a.id), 1);
        assert.equal(await store.organizations.nextMemberSeq(a.id), 2);
        assert.equal(await store.organizations.nextMemberSeq(b.id), 1);
        assert.equal(await store.organizations.nextMemberSeq(a.id), 3);
        assert.equal((await store.organizations.getById(a.id))?.member_seq, 3);
      });

      storeTest(
        'gives 20 concurrent transactions 20 distinct member positions with no gap',
        async (store) => {
          const organization = await insertOrganization(store);
          const seqs = await Promise.all(
            Array.from({ length: 20 }, () =>
              store.transaction(async (tx) => {
                await tx.organizations.getById(organization.id);
                return tx.organizations.nextMemberSeq(organization.id);
              }),
            ),
          );
          assert.deepEqual(
            [...seqs].sort((x, y) => x - y),
            Array.from({ length: 20 }, (_, i) => i + 1),
          );
          assert.equal((await store.organizations.getById(organization.id))?.member_seq, 20);
        },
      );

      storeTest(
        'does not consume a member position when the transaction that took it rolls back',
        async (store) => {
          const organization = await insertOrganization(store);
          await assert.rejects(
            store.transaction(async (tx) => {
              await tx.organizations.nextMemberSeq(organization.id);
              throw new Error('boom');
            }),
            /boom/,
          );
          assert.equal(await store.organizations.nextMemberSeq(organization.id), 1);
        },
      );

      storeTest('stores workspaces and lists them per organization in creation order', async (store) => {
        const organization = await insertOrganization(store);
        const other = await insertOrganization(store);
        const workspace = (name: string, orgId: string, created_at: string) => ({
          id: newId(),
          organization_id: orgId,
          name,
          is_default: name === 'Default' ? 1 : 0,
          created_at,
          updated_at: created_at,
        });
        const first = workspace('Default', organization.id, '2026-01-01T00:00:00.000Z');
        const second = workspace('Analytics', organization.id, '2026-01-02T00:00:00.000Z');
        await store.workspaces.insert(second);
        await store.workspaces.insert(first);
        await store.workspaces.insert(workspace('Default', other.id, first.created_at));
        assert.deepEqual(await store.workspaces.list(organization.id), [first, second]);
      });

      storeTest('takes the organization lock inside a transaction without error', async (store) => {
        const organization = await insertOrganization(store);
        const result = await store.transaction(async (tx) => {
          await tx.organizations.lock(organization.id);
          return tx.organizations.nextMemberSeq(organization.id);
        });
        assert.equal(result, 1);
      });
    });

    describe('users', PARALLEL, () => {
      storeTest('stores a user and finds them by email in any case', async (store) => {
        const user = userRecord({ email: 'Ada.Lovelace@Example.com' });
        await store.users.insert(user);
        assert.deepEqual(await store.users.getById(user.id), user);
        assert.deepEqual(await store.users.findByEmail('ada.lovelace@example.com'), user);
        assert.deepEqual(await store.users.findByEmail('ADA.LOVELACE@EXAMPLE.COM'), user);
        assert.equal(await store.users.findByEmail('grace@example.com'), undefined);
      });

      storeTest('sets a password hash', async (store) => {
        const user = userRecord();
        await store.users.insert(user);
        await store.users.setPassword(user.id, 'scrypt$hash', '2026-02-01T00:00:00.000Z');
        const stored = await store.users.getById(user.id);
        assert.equal(stored?.password_hash, 'scrypt$hash');
        assert.equal(stored?.updated_at, '2026-02-01T00:00:00.000Z');
      });
    });

    describe('transactions', PARALLEL, () => {
      storeTest('stores everything a transaction wrote and returns its result', async (store) => {
        const organization = organizationRecord();
        const result = await store.transaction(async (tx) => {
          await tx.organizations.insert(organization);
          await tx.audit.insert(auditEvent(organization.id));
          return 'done';
        });
        assert.equal(result, 'done');
        assert.deepEqual(await store.organizations.getById(organization.id), organization);
        assert.equal((await store.audit.search({ organizationId: organization.id, limit: 10 })).length, 1);
      });

      storeTest('rolls back everything when the work throws, and rethrows the same error', async (store) => {
        const organization = organizationRecord();
        const user = userRecord();
        const failure = new Error('the work failed');
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.organizations.insert(organization);
            await tx.users.insert(user);
            await tx.audit.insert(auditEvent(organization.id));
            throw failure;
          }),
          (error) => error === failure,
        );
        assert.equal(await store.organizations.getById(organization.id), undefined);
        assert.equal(await store.users.getById(user.id), undefined);
        assert.equal(await store.organizations.count(), 0);
        assert.deepEqual(await store.audit.search({ organizationId: organization.id, limit: 10 }), []);
      });

      storeTest(
        'rolls back the earlier writes of a transaction that hits a unique violation',
        async (store) => {
          await store.users.insert(userRecord({ email: 'taken@example.com' }));
          const organization = organizationRecord();
          await assert.rejects(
            store.transaction(async (tx) => {
              await tx.organizations.insert(organization);
              await tx.users.insert(userRecord({ email: 'TAKEN@example.com' }));
            }),
            isUniqueViolation(/email/),
          );
          assert.equal(await store.organizations.getById(organization.id), undefined);
        },
      );

      storeTest('stays usable after a rolled-back transaction', async (store) => {
        await assert.rejects(
          store.transaction(async () => {
            throw new Error('first');
          }),
        );
        const organization = organizationRecord();
        await store.transaction((tx) => tx.organizations.insert(organization));
        assert.deepEqual(await store.organizations.getById(organization.id), organization);
      });
    });

    describe('migrations and health', PARALLEL, () => {
      storeTest('applies nothing the second time, and keeps the data', async (store) => {
        const organization = await insertOrganization(store);
        assert.deepEqual(await store.migrate(), []);
        assert.deepEqual(await store.migrate(), []);
        assert.deepEqual(await store.organizations.getById(organization.id), organization);
      });

      storeTest('answers a ping', async (store) => {
        await store.ping();
      });
    });
  });

  describe(`migrating a fresh database (${kind})`, { skip: skipReason(kind) }, () => {
    it('applies every migration once, in order, even from a second instance on the same database', async () => {
      const database = await createTestDatabase(kind);
      const first = database.open();
      const second = database.open();
      try {
        const applied = await first.migrate();
        assert.equal(applied[0], '001-initial');
        assert.deepEqual(applied, [...applied].sort());
        assert.deepEqual(await first.migrate(), []);
        assert.deepEqual(await second.migrate(), []);
        assert.equal(await second.organizations.count(), 0);
      } finally {
        await first.close();
        await second.close();
        await database.drop();
      }
    });
  });
}
