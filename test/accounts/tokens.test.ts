// createToken / listTokens / revokeToken: the value is returned once and stored only as a hash; who
// may create and revoke what; the audit trail.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CreateTokenInput, createToken, listTokens, revokeToken } from '../../src/accounts/tokens.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { hashToken } from '../../src/auth/token-format.ts';
import { type ErrorCode, isRosterError } from '../../src/errors.ts';
import type { Store } from '../../src/store/store.ts';
import {
  addMember,
  deactivateMember,
  initTestOrganization,
  personalToken,
  serviceToken,
} from '../helpers/seed.ts';
import { PARALLEL, useSharedStore } from '../helpers/store-tests.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

/** For assert.rejects: the promise fails with a RosterError of `code`. */
function refusal(code: ErrorCode): (error: unknown) => boolean {
  return (error) => isRosterError(error, code);
}

const PERSON = { type: 'personal_token' as const, id: 'tok-1', label: 'laptop (ada)' };

/** An organization with its first Admin and a Member. */
async function organizationWithMember(store: Store) {
  const init = await initTestOrganization(store);
  const member = await addMember(store, init.organization.id, { role: 'member' });
  return {
    organizationId: init.organization.id,
    adminId: init.membership.id,
    memberId: member.member.id,
  };
}

async function tokenAudit(store: Store, organizationId: string) {
  const events = await store.audit.search({ organizationId, limit: 100 });
  return events.filter((e) => e.action.startsWith('token.'));
}

for (const kind of STORE_KINDS) {
  describe(`access tokens (${kind})`, { skip: skipReason(kind), ...PARALLEL }, () => {
    // Every test uses an organization of its own, so they can share one store and run side by side.
    const sharedStore = useSharedStore(kind);
    const storeTest = (name: string, body: (store: Store) => Promise<void>) =>
      it(name, () => body(sharedStore()));

    storeTest('creates a personal token shown once and stored only as its hash', async (store) => {
      const { organizationId, adminId } = await organizationWithMember(store);
      const created = await personalToken(store, organizationId, adminId, 'admin', { name: ' laptop ' });
      assert.match(created.token, /^rst_pat_[A-Za-z0-9_-]{43}$/);
      assert.equal(created.kind, 'personal');
      assert.equal(created.name, 'laptop');
      assert.equal(created.role, 'admin');
      assert.equal(created.membershipId, adminId);
      assert.equal(created.lastFour, created.token.slice(-4));

      const row = await store.tokens.getPersonal(created.id);
      assert.equal(row?.token_hash, hashToken(created.token));
      assert.equal(row?.last_four, created.lastFour);
      assert.ok(!JSON.stringify(row).includes(created.token));
      assert.equal(await store.tokens.findPersonalByHash(created.token), undefined);
    });

    storeTest('creates a service token with the Admin role and no owner', async (store) => {
      const { organizationId } = await organizationWithMember(store);
      const created = await serviceToken(store, organizationId, 'okta');
      assert.match(created.token, /^rst_sat_[A-Za-z0-9_-]{43}$/);
      assert.equal(created.kind, 'service');
      assert.equal(created.membershipId, null);
      assert.equal((await store.tokens.getService(created.id))?.token_hash, hashToken(created.token));
    });

    storeTest('stores the expiry of a token as an ISO time', async (store) => {
      const { organizationId, adminId } = await organizationWithMember(store);
      const expiresAt = new Date(Date.now() + 86_400_000);
      const created = await personalToken(store, organizationId, adminId, 'member', {
        expiresAt: expiresAt.toISOString().slice(0, 19),
      });
      assert.match(created.expiresAt ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.equal((await store.tokens.getPersonal(created.id))?.expires_at, created.expiresAt);
    });

    storeTest('lets a Member create a Member token for themselves', async (store) => {
      const { organizationId, memberId } = await organizationWithMember(store);
      const created = await personalToken(store, organizationId, memberId, 'member');
      assert.equal(created.role, 'member');
    });

    storeTest(
      'refuses an Admin token to a Member with a forbidden RosterError, storing and auditing nothing',
      async (store) => {
        const { organizationId, memberId } = await organizationWithMember(store);
        await assert.rejects(personalToken(store, organizationId, memberId, 'admin'), refusal('forbidden'));
        assert.deepEqual(await store.tokens.listPersonal(organizationId), []);
        assert.deepEqual(await tokenAudit(store, organizationId), []);
      },
    );

    storeTest('refuses any token to a deactivated member with a forbidden RosterError', async (store) => {
      const { organizationId, memberId } = await organizationWithMember(store);
      await deactivateMember(store, organizationId, memberId);
      await assert.rejects(personalToken(store, organizationId, memberId, 'member'), refusal('forbidden'));
      assert.deepEqual(await store.tokens.listPersonal(organizationId), []);
    });

    storeTest(
      'refuses a personal token for a member of another organization with a not_found RosterError',
      async (store) => {
        const { organizationId } = await organizationWithMember(store);
        const other = await initTestOrganization(store);
        await assert.rejects(
          personalToken(store, organizationId, other.membership.id, 'member'),
          refusal('not_found'),
        );
      },
    );

    storeTest(
      'refuses invalid token input with an invalid_value RosterError and stores nothing',
      async (store) => {
        const { organizationId, adminId } = await organizationWithMember(store);
        const base: CreateTokenInput = {
          kind: 'personal',
          organizationId,
          membershipId: adminId,
          name: 'laptop',
          role: 'member',
          actor: CLI_ACTOR,
        };
        const refused: Array<[string, Partial<CreateTokenInput>]> = [
          ['an empty name', { name: '  ' }],
          ['a name of 101 characters', { name: 'x'.repeat(101) }],
          ['an unknown role', { role: 'owner' as never }],
          ['an expiry that is not a date', { expiresAt: 'next tuesday' }],
          ['an expiry in the past', { expiresAt: '2020-01-01T00:00:00Z' }],
          ['a personal token without an owner', { membershipId: undefined }],
          ['a service token with the Member role', { kind: 'service', role: 'member' }],
        ];
        for (const [what, overrides] of refused) {
          await assert.rejects(createToken(store, { ...base, ...overrides }), refusal('invalid_value'), what);
        }
        assert.deepEqual(await listTokens(store, organizationId), []);
        assert.deepEqual(await tokenAudit(store, organizationId), []);
      },
    );

    storeTest('records token.created with the actor, and neither the value nor the hash', async (store) => {
      const { organizationId, adminId } = await organizationWithMember(store);
      const created = await createToken(store, {
        kind: 'personal',
        organizationId,
        membershipId: adminId,
        name: 'laptop',
        role: 'admin',
        actor: PERSON,
        requestId: 'req-7',
      });
      const [event, ...others] = await tokenAudit(store, organizationId);
      assert.equal(others.length, 0);
      assert.equal(event?.action, 'token.created');
      assert.equal(event?.actor_type, 'personal_token');
      assert.equal(event?.actor_id, 'tok-1');
      assert.equal(event?.target_type, 'personal_token');
      assert.equal(event?.target_id, created.id);
      assert.equal(event?.request_id, 'req-7');
      assert.deepEqual(JSON.parse(event?.after ?? 'null'), {
        name: 'laptop',
        role: 'admin',
        kind: 'personal',
        lastFour: created.lastFour,
        expiresAt: null,
        membershipId: adminId,
      });
      const stored = JSON.stringify(event);
      assert.ok(!stored.includes(created.token));
      assert.ok(!stored.includes(hashToken(created.token)));
    });

    storeTest('lists personal then service tokens, never with a hash or a value', async (store) => {
      const { organizationId, adminId, memberId } = await organizationWithMember(store);
      const adminToken = await personalToken(store, organizationId, adminId, 'admin');
      const memberToken = await personalToken(store, organizationId, memberId, 'member');
      const service = await serviceToken(store, organizationId);
      const all = await listTokens(store, organizationId);
      // Created within the same millisecond, the two personal tokens may come in either order.
      assert.deepEqual(
        all.map((t) => t.kind),
        ['personal', 'personal', 'service'],
      );
      assert.deepEqual(all.map((t) => t.id).sort(), [adminToken.id, memberToken.id, service.id].sort());
      const text = JSON.stringify(all);
      for (const created of [adminToken, memberToken, service]) {
        assert.ok(!text.includes(created.token));
        assert.ok(!text.includes(hashToken(created.token)));
      }
      for (const view of all) {
        assert.deepEqual(Object.keys(view).sort(), [
          'createdAt',
          'expiresAt',
          'id',
          'kind',
          'lastFour',
          'lastUsedAt',
          'membershipId',
          'name',
          'organizationId',
          'revokedAt',
          'role',
        ]);
      }
      assert.deepEqual(
        (await listTokens(store, organizationId, { kind: 'service' })).map((t) => t.id),
        [service.id],
      );
      assert.deepEqual(
        (await listTokens(store, organizationId, { membershipId: memberId })).map((t) => t.id),
        [memberToken.id],
      );
      const other = await initTestOrganization(store);
      assert.deepEqual(await listTokens(store, other.organization.id), []);
    });

    storeTest('revokes a token once, recording token.revoked once', async (store) => {
      const { organizationId, adminId } = await organizationWithMember(store);
      const created = await personalToken(store, organizationId, adminId, 'admin');
      const revoked = await revokeToken(store, { id: created.id, actor: CLI_ACTOR, requestId: 'req-9' });
      assert.ok(revoked.revokedAt);
      assert.equal((await store.tokens.getPersonal(created.id))?.revoked_at, revoked.revokedAt);

      const again = await revokeToken(store, { id: created.id, actor: CLI_ACTOR });
      assert.equal(again.revokedAt, revoked.revokedAt);

      const events = (await tokenAudit(store, organizationId)).filter((e) => e.action === 'token.revoked');
      assert.equal(events.length, 1);
      assert.equal(events[0]?.target_id, created.id);
      assert.equal(events[0]?.actor_type, 'cli');
      assert.equal(events[0]?.request_id, 'req-9');
      assert.deepEqual(JSON.parse(events[0]?.after ?? 'null'), { revokedAt: revoked.revokedAt });
      assert.equal((await listTokens(store, organizationId))[0]?.revokedAt, revoked.revokedAt);
    });

    storeTest('revokes a service token', async (store) => {
      const { organizationId } = await organizationWithMember(store);
      const created = await serviceToken(store, organizationId);
      const revoked = await revokeToken(store, { id: created.id, organizationId, actor: CLI_ACTOR });
      assert.equal(revoked.kind, 'service');
      assert.equal((await store.tokens.getService(created.id))?.revoked_at, revoked.revokedAt);
    });

    storeTest(
      'answers a not_found RosterError for an unknown token or one of another organization',
      async (store) => {
        const { organizationId, adminId } = await organizationWithMember(store);
        const created = await personalToken(store, organizationId, adminId, 'admin');
        const other = await initTestOrganization(store);
        await assert.rejects(
          revokeToken(store, { id: 'no-such-token', actor: CLI_ACTOR }),
          refusal('not_found'),
        );
        await assert.rejects(
          revokeToken(store, { id: created.id, organizationId: other.organization.id, actor: CLI_ACTOR }),
          refusal('not_found'),
        );
        assert.equal((await store.tokens.getPersonal(created.id))?.revoked_at, null);
      },
    );

    storeTest("does not let a Member revoke another member's token or a service token", async (store) => {
      const { organizationId, adminId, memberId } = await organizationWithMember(store);
      const adminToken = await personalToken(store, organizationId, adminId, 'admin');
      const service = await serviceToken(store, organizationId);
      const asMember = { organizationId, membershipId: memberId, actor: PERSON };
      await assert.rejects(revokeToken(store, { id: adminToken.id, ...asMember }), refusal('not_found'));
      await assert.rejects(revokeToken(store, { id: service.id, ...asMember }), refusal('forbidden'));
      assert.equal((await store.tokens.getPersonal(adminToken.id))?.revoked_at, null);
      assert.equal((await store.tokens.getService(service.id))?.revoked_at, null);
      assert.deepEqual(
        (await tokenAudit(store, organizationId)).filter((e) => e.action === 'token.revoked'),
        [],
      );
    });

    storeTest("lets a member revoke their own token, and an Admin anyone's", async (store) => {
      const { organizationId, adminId, memberId } = await organizationWithMember(store);
      const own = await personalToken(store, organizationId, memberId, 'member');
      const another = await personalToken(store, organizationId, memberId, 'member', { name: 'second' });
      const service = await serviceToken(store, organizationId);
      await revokeToken(store, { id: own.id, organizationId, membershipId: memberId, actor: PERSON });
      const asAdmin = { organizationId, membershipId: adminId, asAdmin: true, actor: PERSON };
      await revokeToken(store, { id: another.id, ...asAdmin });
      await revokeToken(store, { id: service.id, ...asAdmin });
      assert.ok((await listTokens(store, organizationId)).every((t) => t.revokedAt !== null));
    });
  });
}
