// GET /api/v1/me through `inject`: who a bearer token speaks for, and every way a token is refused
// (401 with WWW-Authenticate, RFC 6750 §3) or found too weak (403), without the handler running.
// A tiny admin-only route, registered here with `requireToken(authenticator, 'admin')`, exercises
// the role check until SCIM brings real admin-only routes.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import {
  AUTH_FAILURE_DETAIL,
  type AuthFailure,
  createTokenAuthenticator,
} from '../../src/auth/authenticate-token.ts';
import { generateToken } from '../../src/auth/token-format.ts';
import { loadConfig } from '../../src/config.ts';
import { principalOf, requireToken } from '../../src/http/authenticate.ts';
import { createApp } from '../../src/http/create-app.ts';
import { now } from '../../src/store/ids.ts';
import type { Store } from '../../src/store/store.ts';
import {
  addMember,
  changeMemberRole,
  deactivateMember,
  initTestOrganization,
  personalToken,
  serviceToken,
} from '../helpers/seed.ts';
import { useSharedStore } from '../helpers/store-tests.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const JSON_TYPE = 'application/json; charset=utf-8';

function bearer(token: string) {
  return { authorization: `Bearer ${token}` };
}

for (const kind of STORE_KINDS) {
  describe(`GET /api/v1/me (${kind})`, { skip: skipReason(kind) }, () => {
    // Tests keep apart by each making its own organization; they run one at a time because they
    // count handler runs.
    const sharedStore = useSharedStore(kind);
    let store: Store;
    let app: FastifyInstance;
    const runs = { me: 0, adminOnly: 0 };

    before(async () => {
      store = sharedStore();
      app = createApp(loadConfig({}), store, { logger: false });
      // The handler of /api/v1/me always lists the reachable workspaces, and nothing else on the way
      // to it does: counting these calls counts handler runs.
      const listWorkspaces = store.workspaces.list.bind(store.workspaces);
      store.workspaces.list = (organizationId) => {
        runs.me++;
        return listWorkspaces(organizationId);
      };
      const authenticator = createTokenAuthenticator(store);
      app.get('/test/admin-only', { onRequest: requireToken(authenticator, 'admin') }, async (request) => {
        runs.adminOnly++;
        return { role: principalOf(request).role };
      });
      await app.ready();
    });
    after(async () => {
      await app.close();
    });
    beforeEach(() => {
      runs.me = 0;
      runs.adminOnly = 0;
    });

    function me(headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
      return app.inject({ method: 'GET', url: '/api/v1/me', headers });
    }

    function assertRefused(response: LightMyRequestResponse, reason: AuthFailure) {
      assert.equal(response.statusCode, 401);
      assert.equal(response.headers['content-type'], JSON_TYPE);
      assert.equal(
        response.headers['www-authenticate'],
        reason === 'missing' ? 'Bearer realm="Roster"' : 'Bearer realm="Roster", error="invalid_token"',
      );
      assert.deepEqual(response.json(), {
        error: { status: 401, code: 'unauthorized', message: AUTH_FAILURE_DETAIL[reason] },
      });
      assert.equal(runs.me, 0, 'the handler must not run');
    }

    describe('with a valid token', () => {
      it("answers an Admin's personal token with the user, membership, organization and every workspace", async () => {
        const init = await initTestOrganization(store);
        const token = await personalToken(store, init.organization.id, init.membership.id, 'admin', {
          name: 'laptop',
        });
        const response = await me(bearer(token.token));
        assert.equal(response.statusCode, 200);
        assert.equal(response.headers['content-type'], JSON_TYPE);
        assert.deepEqual(response.json(), {
          user: { email: init.user.email },
          membership: {
            id: init.membership.id,
            userName: init.membership.user_name,
            role: 'admin',
            status: 'active',
            source: 'cli',
          },
          organization: { id: init.organization.id, slug: init.organization.slug, name: 'Acme Inc' },
          role: 'admin',
          token: { id: token.id, name: 'laptop', role: 'admin', kind: 'personal' },
          workspaces: [{ id: init.workspace.id, name: 'Default', isDefault: true }],
        });
        assert.equal(runs.me, 1);
      });

      it("answers a Member's token with the Member role and only the workspaces granted to them", async () => {
        const init = await initTestOrganization(store);
        const { member } = await addMember(store, init.organization.id, { role: 'member' });
        const token = await personalToken(store, init.organization.id, member.id, 'member');

        const before = await me(bearer(token.token));
        assert.equal(before.statusCode, 200);
        assert.equal(before.json().role, 'member');
        assert.deepEqual(before.json().workspaces, []);

        await store.workspaceGrants.grant(member.id, init.workspace.id, now());
        const after = await me(bearer(token.token));
        assert.deepEqual(after.json().workspaces, [
          { id: init.workspace.id, name: 'Default', isDefault: true },
        ]);
      });

      it('answers a service token as the organization, with the Admin role and no person', async () => {
        const init = await initTestOrganization(store);
        const token = await serviceToken(store, init.organization.id, 'okta');
        const response = await me(bearer(token.token));
        assert.equal(response.statusCode, 200);
        const body = response.json();
        assert.equal(body.user, null);
        assert.equal(body.membership, null);
        assert.equal(body.organization.id, init.organization.id);
        assert.equal(body.role, 'admin');
        assert.deepEqual(body.token, { id: token.id, name: 'okta', role: 'admin', kind: 'service' });
        assert.equal(body.workspaces.length, 1);
      });

      it('accepts the Bearer scheme in any case', async () => {
        const init = await initTestOrganization(store);
        const token = await serviceToken(store, init.organization.id);
        const response = await me({ authorization: `bearer ${token.token}` });
        assert.equal(response.statusCode, 200);
      });

      it('treats an Admin token of an owner who is now a Member as a Member token', async () => {
        const init = await initTestOrganization(store);
        const second = await addMember(store, init.organization.id, { role: 'admin' });
        const token = await personalToken(store, init.organization.id, second.member.id, 'admin');
        await changeMemberRole(store, init.organization.id, second.member.id, 'member');

        const response = await me(bearer(token.token));
        assert.equal(response.statusCode, 200);
        assert.equal(response.json().role, 'member');
        assert.equal(response.json().token.role, 'admin');
        assert.deepEqual(response.json().workspaces, []);

        const adminOnly = await app.inject({ url: '/test/admin-only', headers: bearer(token.token) });
        assert.equal(adminOnly.statusCode, 403);
        assert.equal(runs.adminOnly, 0);
      });

      it("records the token's last use", async () => {
        const init = await initTestOrganization(store);
        const token = await personalToken(store, init.organization.id, init.membership.id, 'member');
        assert.equal((await me(bearer(token.token))).statusCode, 200);
        // The write happens off the request path.
        let lastUsedAt: string | null | undefined = null;
        for (let i = 0; i < 250 && !lastUsedAt; i++) {
          lastUsedAt = (await store.tokens.getPersonal(token.id))?.last_used_at;
          if (!lastUsedAt) await new Promise((resolve) => setTimeout(resolve, 20));
        }
        assert.ok(lastUsedAt, 'last_used_at was not recorded');
      });

      it('echoes a well-formed X-Request-Id and makes one up otherwise', async () => {
        const init = await initTestOrganization(store);
        const token = await serviceToken(store, init.organization.id);
        const given = await me({ ...bearer(token.token), 'x-request-id': 'okta-req.42' });
        assert.equal(given.headers['x-request-id'], 'okta-req.42');
        const invented = await me({ ...bearer(token.token), 'x-request-id': 'has spaces' });
        assert.match(String(invented.headers['x-request-id']), /^[0-9a-f-]{36}$/);
        const refused = await me({ 'x-request-id': 'refused-1' });
        assert.equal(refused.headers['x-request-id'], 'refused-1');
      });
    });

    describe('with no valid token', () => {
      it('answers 401 without an error code when no Authorization header is sent', async () => {
        assertRefused(await me(), 'missing');
      });

      const malformed: Array<[string, string]> = [
        ['another scheme', 'Basic YWRtaW46cGFzc3dvcmQ='],
        ['the Bearer scheme alone', 'Bearer'],
        ['a value that is not shaped like a Roster token', 'Bearer not-a-roster-token'],
        ['a truncated token', `Bearer ${generateToken('personal').value.slice(0, -1)}`],
        ['two values', `Bearer ${generateToken('personal').value} extra`],
      ];
      for (const [what, header] of malformed) {
        it(`answers 401 invalid_token for ${what}`, async () => {
          assertRefused(await me({ authorization: header }), 'malformed');
        });
      }

      it('answers 401 invalid_token for a well-formed token that was never issued', async () => {
        assertRefused(await me(bearer(generateToken('personal').value)), 'unknown');
        assertRefused(await me(bearer(generateToken('service').value)), 'unknown');
      });

      it('answers 401 for a personal token presented with the service prefix', async () => {
        const init = await initTestOrganization(store);
        const token = await personalToken(store, init.organization.id, init.membership.id, 'admin');
        assertRefused(await me(bearer(token.token.replace('rst_pat_', 'rst_sat_'))), 'unknown');
      });

      it('answers 401 for a revoked token', async () => {
        const init = await initTestOrganization(store);
        const token = await personalToken(store, init.organization.id, init.membership.id, 'admin');
        const service = await serviceToken(store, init.organization.id);
        assert.equal((await me(bearer(token.token))).statusCode, 200);
        runs.me = 0;
        await store.tokens.revoke('personal', token.id, now());
        await store.tokens.revoke('service', service.id, now());
        assertRefused(await me(bearer(token.token)), 'revoked');
        assertRefused(await me(bearer(service.token)), 'revoked');
      });

      it('answers 401 for an expired token', async () => {
        const init = await initTestOrganization(store);
        const token = await personalToken(store, init.organization.id, init.membership.id, 'admin', {
          expiresAt: new Date(Date.now() + 60_000).toISOString(),
        });
        assert.equal((await me(bearer(token.token))).statusCode, 200);
        runs.me = 0;
        await store.db
          .updateTable('personal_access_tokens')
          .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
          .where('id', '=', token.id)
          .execute();
        assertRefused(await me(bearer(token.token)), 'expired');
      });

      it('answers 401 for the personal token of a member deactivated since, and the service token still works', async () => {
        const init = await initTestOrganization(store);
        const second = await addMember(store, init.organization.id, { role: 'admin' });
        const token = await personalToken(store, init.organization.id, second.member.id, 'admin');
        const service = await serviceToken(store, init.organization.id);
        assert.equal((await me(bearer(token.token))).statusCode, 200);
        runs.me = 0;

        await deactivateMember(store, init.organization.id, second.member.id);
        const stored = await store.members.getById(init.organization.id, second.member.id);
        assert.equal(stored?.status, 'deactivated');
        assert.equal(stored?.role, null);
        assert.equal(stored?.previous_role, 'admin');
        assert.equal(stored?.version, second.member.version + 1);

        assertRefused(await me(bearer(token.token)), 'owner_deactivated');
        assertRefused(
          await app.inject({ url: '/test/admin-only', headers: bearer(token.token) }),
          'owner_deactivated',
        );
        assert.equal(runs.adminOnly, 0);
        assert.equal((await me(bearer(service.token))).statusCode, 200);
      });
    });

    describe('on an admin-only route', () => {
      it('answers 403 to a Member token without running the handler', async () => {
        const init = await initTestOrganization(store);
        const { member } = await addMember(store, init.organization.id, { role: 'member' });
        const token = await personalToken(store, init.organization.id, member.id, 'member');
        const response = await app.inject({ url: '/test/admin-only', headers: bearer(token.token) });
        assert.equal(response.statusCode, 403);
        assert.equal(response.headers['content-type'], JSON_TYPE);
        assert.equal(response.json().error.status, 403);
        assert.equal(response.json().error.code, 'forbidden');
        assert.match(response.json().error.message, /Admin role.*effective role is member/);
        assert.equal(runs.adminOnly, 0);
      });

      it("answers 403 to an Admin's Member token", async () => {
        const init = await initTestOrganization(store);
        const token = await personalToken(store, init.organization.id, init.membership.id, 'member');
        const response = await app.inject({ url: '/test/admin-only', headers: bearer(token.token) });
        assert.equal(response.statusCode, 403);
        assert.equal(runs.adminOnly, 0);
      });

      it('answers 401 before 403 when there is no token', async () => {
        const response = await app.inject({ url: '/test/admin-only' });
        assert.equal(response.statusCode, 401);
        assert.equal(response.headers['www-authenticate'], 'Bearer realm="Roster"');
        assert.equal(runs.adminOnly, 0);
      });

      it("runs the handler for an Admin's Admin token and for a service token", async () => {
        const init = await initTestOrganization(store);
        const token = await personalToken(store, init.organization.id, init.membership.id, 'admin');
        const service = await serviceToken(store, init.organization.id);
        for (const value of [token.token, service.token]) {
          const response = await app.inject({ url: '/test/admin-only', headers: bearer(value) });
          assert.equal(response.statusCode, 200);
          assert.deepEqual(response.json(), { role: 'admin' });
        }
        assert.equal(runs.adminOnly, 2);
      });
    });
  });
}
