// initOrganization: what `roster init` does — an organization, its Default workspace and first Admin,
// and the audit event, all in one transaction.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type InitOrganizationInput, initOrganization, slugify } from '../../src/accounts/organizations.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { verifyPassword } from '../../src/auth/password.ts';
import { isRosterError } from '../../src/errors.ts';
import type { Repositories, Store } from '../../src/store/store.ts';
import { ADMIN_PASSWORD } from '../helpers/seed.ts';
import { PARALLEL, storeTestOn } from '../helpers/store-tests.ts';
import { openTestStore, STORE_KINDS, skipReason } from '../helpers/stores.ts';

function input(overrides: Partial<InitOrganizationInput> = {}): InitOrganizationInput {
  return {
    name: 'Acme Inc',
    adminEmail: 'ada@acme.example',
    adminPassword: ADMIN_PASSWORD,
    actor: CLI_ACTOR,
    ...overrides,
  };
}

/** Every row a failed init could have left behind. */
async function storedRows(store: Store) {
  const count = async (table: 'organizations' | 'workspaces' | 'users' | 'memberships' | 'audit_events') =>
    Number(
      (
        await store.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    organizations: await count('organizations'),
    workspaces: await count('workspaces'),
    users: await count('users'),
    memberships: await count('memberships'),
    audit: await count('audit_events'),
  };
}

const NOTHING = { organizations: 0, workspaces: 0, users: 0, memberships: 0, audit: 0 };

for (const kind of STORE_KINDS) {
  describe(`initOrganization (${kind})`, { skip: skipReason(kind), ...PARALLEL }, () => {
    const storeTest = storeTestOn(kind);

    storeTest('creates the organization with a slug derived from its name', async (store) => {
      const { organization } = await initOrganization(store, input({ requestId: 'req-1' }));
      assert.equal(organization.slug, 'acme-inc');
      assert.equal(organization.name, 'Acme Inc');
      assert.equal(organization.default_role, 'member');
      assert.equal(organization.member_seq, 1);
      assert.deepEqual(await store.organizations.getBySlug('acme-inc'), organization);
    });

    storeTest('creates one Default workspace', async (store) => {
      const { organization, workspace } = await initOrganization(store, input());
      assert.equal(workspace.name, 'Default');
      assert.equal(workspace.is_default, 1);
      assert.deepEqual(await store.workspaces.list(organization.id), [workspace]);
    });

    storeTest(
      'makes the admin an active Admin member created by the CLI, with a hashed password',
      async (store) => {
        const { organization, user, membership } = await initOrganization(store, input());
        const stored = await store.members.getById(organization.id, membership.id);
        assert.deepEqual(stored, membership);
        assert.equal(membership.role, 'admin');
        assert.equal(membership.status, 'active');
        assert.equal(membership.source, 'cli');
        assert.equal(membership.seq, 1);
        assert.equal(membership.user_id, user.id);
        assert.equal(membership.user_name, 'ada@acme.example');
        assert.deepEqual(await store.members.emails(membership.id), [
          { value: 'ada@acme.example', type: 'work', primary: true },
        ]);
        const storedUser = await store.users.getById(user.id);
        assert.equal(storedUser?.email, 'ada@acme.example');
        assert.ok(storedUser?.password_hash && !storedUser.password_hash.includes(ADMIN_PASSWORD));
        assert.equal(await verifyPassword(ADMIN_PASSWORD, storedUser.password_hash), true);
        assert.equal(await store.members.countActiveAdmins(organization.id), 1);
      },
    );

    storeTest('records organization.created by the CLI in the audit log', async (store) => {
      const { organization } = await initOrganization(store, input({ requestId: 'req-42' }));
      const events = await store.audit.search({ organizationId: organization.id, limit: 10 });
      assert.equal(events.length, 1);
      const [event] = events;
      assert.equal(event?.action, 'organization.created');
      assert.equal(event?.actor_type, 'cli');
      assert.equal(event?.actor_label, CLI_ACTOR.label);
      assert.equal(event?.target_type, 'organization');
      assert.equal(event?.target_id, organization.id);
      assert.equal(event?.request_id, 'req-42');
      assert.deepEqual(JSON.parse(event?.after ?? 'null'), {
        slug: 'acme-inc',
        name: 'Acme Inc',
        workspace: 'Default',
        admin: 'ada@acme.example',
      });
      assert.ok(!event?.after?.includes(ADMIN_PASSWORD));
    });

    storeTest(
      'writes the audit event in the same transaction: when it fails, nothing is stored',
      async (store) => {
        // The same store, except that the audit log refuses writes inside transactions.
        const failingAudit: Store = {
          ...store,
          transaction: (work) =>
            store.transaction((tx) => {
              const audit = Object.create(tx.audit) as Repositories['audit'];
              audit.insert = async () => {
                throw new Error('audit log unavailable');
              };
              return work({ ...tx, audit });
            }),
        };
        await assert.rejects(initOrganization(failingAudit, input()), /audit log unavailable/);
        assert.deepEqual(await storedRows(store), NOTHING);
      },
    );

    storeTest('takes an explicit slug and lower-cases it', async (store) => {
      const { organization } = await initOrganization(store, input({ slug: 'ACME-Prod' }));
      assert.equal(organization.slug, 'acme-prod');
    });

    const refused: Array<[string, Partial<InitOrganizationInput>, RegExp]> = [
      ['an empty name', { name: '   ' }, /organization name/],
      ['a name of 201 characters', { name: 'a'.repeat(201) }, /organization name/],
      ['a slug with a space', { slug: 'acme inc' }, /not a valid slug/],
      ['a slug with an underscore', { slug: 'acme_inc' }, /not a valid slug/],
      ['a slug starting with a dash', { slug: '-acme' }, /not a valid slug/],
      ['a slug of 64 characters', { slug: 'a'.repeat(64) }, /not a valid slug/],
      ['a name with nothing to make a slug from', { name: '!!!' }, /not a valid slug/],
      ['an email without @', { adminEmail: 'ada.acme.example' }, /not an email address/],
      ['an email without a domain dot', { adminEmail: 'ada@localhost' }, /not an email address/],
      ['an email with a space', { adminEmail: 'ada lovelace@acme.example' }, /not an email address/],
      ['a password of 11 characters', { adminPassword: '12345678901' }, /at least 12 characters/],
    ];
    // Refused input never reaches the database, so these cases share one store and check after
    // each that it is still empty.
    describe('refused input', () => {
      let opened: Awaited<ReturnType<typeof openTestStore>>;
      before(async () => {
        opened = await openTestStore(kind);
      });
      after(async () => {
        await opened.cleanup();
      });

      for (const [what, overrides, message] of refused) {
        it(`refuses ${what} with an invalid_value RosterError and stores nothing`, async () => {
          const { store } = opened;
          await assert.rejects(initOrganization(store, input(overrides)), (error: unknown) => {
            assert.ok(isRosterError(error, 'invalid_value'), String(error));
            assert.match(error.message, message);
            return true;
          });
          assert.deepEqual(await storedRows(store), NOTHING);
        });
      }
    });

    storeTest(
      'refuses a slug that is taken with a conflict RosterError and leaves the first organization alone',
      async (store) => {
        const first = await initOrganization(store, input());
        await assert.rejects(
          initOrganization(
            store,
            input({ name: 'Acme Again', slug: 'ACME-INC', adminEmail: 'grace@other.example' }),
          ),
          (error: unknown) => {
            assert.ok(isRosterError(error, 'conflict'), String(error));
            assert.match(error.message, /acme-inc/);
            return true;
          },
        );
        assert.deepEqual(await storedRows(store), {
          organizations: 1,
          workspaces: 1,
          users: 1,
          memberships: 1,
          audit: 1,
        });
        assert.equal(await store.users.findByEmail('grace@other.example'), undefined);
        assert.deepEqual(await store.organizations.getBySlug('acme-inc'), first.organization);
      },
    );

    storeTest(
      'links an Admin whose email already has an account, in any case, to the new organization',
      async (store) => {
        const first = await initOrganization(store, input());
        const second = await initOrganization(store, input({ name: 'Beta', adminEmail: 'ADA@acme.example' }));
        assert.equal(second.user.id, first.user.id);
        assert.equal(second.membership.seq, 1);
        assert.deepEqual(
          (await store.members.listForUser(first.user.id)).map((m) => m.organization_id).sort(),
          [first.organization.id, second.organization.id].sort(),
        );
        assert.equal(await storedRows(store).then((rows) => rows.users), 1);
      },
    );
  });
}

describe('slugify', () => {
  const cases: Array<[name: string, slug: string]> = [
    ['Acme Inc', 'acme-inc'],
    ['ACME--Prod!!', 'acme-prod'],
    // Regression: accents used to become dashes ("cre-me-bru-le-e").
    ['Crème Brûlée', 'creme-brulee'],
    ['  Ünïcödé   Café  ', 'unicode-cafe'],
  ];
  for (const [name, slug] of cases) {
    it(`turns ${JSON.stringify(name)} into ${JSON.stringify(slug)}`, () => {
      assert.equal(slugify(name), slug);
    });
  }

  it('cuts a long name to 63 characters without a trailing dash', () => {
    assert.equal(slugify('a'.repeat(70)), 'a'.repeat(63));
    assert.equal(slugify(`${'a'.repeat(62)} b`), 'a'.repeat(62));
  });
});
