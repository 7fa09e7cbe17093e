// A leaver must not stay active (issue 15, weakness 11): a deactivation that carries a changed
// email or userName was refused whole (400 mutability), so the person kept their access and every
// later PUT for them failed. Each request shape below is one Okta or Entra really sends
// (docs/idp-requests.md), under both settings of "Email changes from the identity
// provider" (docs/scim.md), on both stores: the deactivation always applies; the email change is
// refused and shown (refuse, the default) or stored (follow).
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setEmailChangePolicy } from '../../src/accounts/email-change-policy.ts';
import { initOrganization } from '../../src/accounts/organizations.ts';
import { createToken } from '../../src/accounts/tokens.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { now } from '../../src/store/ids.ts';
import type { EmailChangePolicy } from '../../src/store/schema.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const OLD = 'dana@acme.test';
const NEW = 'dana.lee@acme.test';
const SESSION_HASH = 's'.repeat(64);

const patch = (...operations: unknown[]) => ({ schemas: [PATCH_OP], Operations: operations });
const workEmail = (value: string) => [{ value, type: 'work', primary: true }];

interface Shape {
  name: string;
  /** Whether the request also changes the userName (Okta's PUT sends the edited resource whole). */
  changesUserName: boolean;
  /** Whether the request also changes an attribute Roster stores whatever the setting. */
  changesName: boolean;
  send(t: TestApp, id: string, email: string): ReturnType<TestApp['scim']>;
}

/** Deactivations that carry a changed email, as the IdPs send them. */
const DEACTIVATIONS: Shape[] = [
  {
    // Okta SCIM 2.0 reference, "Profile update" of catalog apps: GET /Users/{id}, then PUT of the
    // whole resource as returned, edited (here: the person's email, username and first name, and
    // their deactivation, pushed together).
    name: "Okta's PUT mode (GET, then PUT of the edited resource with a new email and active: false)",
    changesUserName: true,
    changesName: true,
    async send(t, id, email) {
      const current = (await t.scim('GET', `Users/${id}`)).json();
      const edited = {
        ...current,
        userName: email,
        name: { ...current.name, givenName: 'Danielle' },
        emails: current.emails.map((e: { value: string }) => ({ ...e, value: email })),
        active: false,
      };
      return t.scim('PUT', `Users/${id}`, edited);
    },
  },
  {
    // Okta SCIM 2.0 reference: apps from the integration wizard PATCH with a path-less replace.
    name: 'Okta\'s PATCH mode, path-less ({"op":"replace","value":{"active":false,"emails":[…]}})',
    changesUserName: false,
    changesName: false,
    send: (t, id, email) =>
      t.scim(
        'PATCH',
        `Users/${id}`,
        patch({ op: 'replace', value: { active: false, emails: workEmail(email) } }),
      ),
  },
  {
    // Okta SCIM 2.0 reference: pathed operations in one PATCH.
    name: 'Okta\'s PATCH mode, pathed (emails[type eq "work"].value, then active)',
    changesUserName: false,
    changesName: false,
    send: (t, id, email) =>
      t.scim(
        'PATCH',
        `Users/${id}`,
        patch(
          { op: 'replace', path: 'emails[type eq "work"].value', value: email },
          { op: 'replace', path: 'active', value: false },
        ),
      ),
  },
  {
    // Microsoft Entra docs ("Use SCIM to provision users"): capitalised ops, "False" as a string,
    // mail mapped to emails[type eq "work"].value — both changes in one PATCH.
    name: 'Entra\'s PATCH ({"op":"Replace","path":"active","value":"False"} with a Replace of emails[type eq "work"].value)',
    changesUserName: false,
    changesName: false,
    send: (t, id, email) =>
      t.scim(
        'PATCH',
        `Users/${id}`,
        patch(
          { op: 'Replace', path: 'emails[type eq "work"].value', value: email },
          { op: 'Replace', path: 'active', value: 'False' },
        ),
      ),
  },
];

for (const kind of STORE_KINDS) {
  describe(`email changes that come with a deactivation (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let id: string;
    let userId: string;
    let personalToken: string;

    beforeEach(async () => {
      t = await setupApp(kind);
      const res = await t.scim('POST', 'Users', {
        userName: OLD,
        name: { givenName: 'Dana', familyName: 'Lee' },
        emails: workEmail(OLD),
      });
      assert.equal(res.statusCode, 201, res.body);
      id = res.json().id;
      const row = await t.store.members.getById(t.org.organization.id, id);
      assert.ok(row);
      userId = row.user_id;
      personalToken = (
        await createToken(t.store, {
          kind: 'personal',
          organizationId: t.org.organization.id,
          membershipId: id,
          name: 'laptop',
          role: 'member',
          actor: CLI_ACTOR,
        })
      ).token;
      await t.store.sessions.insert({
        id_hash: SESSION_HASH,
        user_id: userId,
        organization_id: t.org.organization.id,
        membership_id: id,
        csrf_token: 'c',
        created_at: now(),
        expires_at: new Date(Date.now() + 3_600_000).toISOString(),
        last_seen_at: now(),
      });
    });
    afterEach(() => t.cleanup());

    const setPolicy = (policy: EmailChangePolicy) =>
      setEmailChangePolicy(t.store, { organizationId: t.org.organization.id, policy, actor: CLI_ACTOR });
    const stored = () => t.store.members.getById(t.org.organization.id, id);
    const audit = async (action: string) =>
      (await t.store.audit.search({ organizationId: t.org.organization.id, limit: 100, action })).filter(
        (event) => event.target_id === id,
      );
    const lastLogged = async () => {
      await t.app.scimRequestLog.idle();
      return (await t.app.scimRequestLog.recent(t.org.organization.id))[0];
    };
    const me = (token: string) =>
      t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });

    /** What a deactivation does whatever the setting (PRODUCT.md): role revoked, access ended. */
    async function assertDeactivated() {
      const row = await stored();
      assert.equal(row?.status, 'deactivated');
      assert.equal(row?.role, null);
      assert.equal(row?.previous_role, 'member');
      assert.ok(row?.deactivated_at);
      assert.equal(await t.store.sessions.findByHash(SESSION_HASH), undefined, 'the session ended');
      const refused = await me(personalToken);
      assert.equal(refused.statusCode, 401, 'the personal token stopped working');
      assert.equal((await audit('member.deactivated')).length, 1);
    }

    for (const shape of DEACTIVATIONS) {
      it(`refuse (the default): ${shape.name} deactivates, keeps the stored email, answers 200 and shows the refusal`, async () => {
        const res = await shape.send(t, id, NEW);
        assert.equal(res.statusCode, 200, res.body);
        assert.match(String(res.headers['content-type']), /^application\/scim\+json/);
        const body = res.json();
        assert.equal(body.active, false);
        assert.deepEqual(body.roles, []);
        assert.equal(body.userName, OLD);
        assert.deepEqual(
          body.emails.map((e: { value: string }) => e.value),
          [OLD],
        );

        await assertDeactivated();
        const row = await stored();
        assert.equal(row?.user_name, OLD);
        assert.deepEqual(
          (await t.store.members.emails(id)).map((e) => e.value),
          [OLD],
        );
        assert.equal((await t.store.users.getById(userId))?.email, OLD);
        // The request's other changes apply.
        assert.equal(row?.given_name, shape.changesName ? 'Danielle' : 'Dana');
        assert.equal((await audit('member.updated')).length, shape.changesName ? 1 : 0);

        const [refusal, ...more] = await audit('member.email_change_refused');
        assert.equal(more.length, 0);
        assert.ok(refusal);
        assert.equal(refusal.actor_type, 'service_token');
        const before = JSON.parse(refusal.before ?? '{}');
        const after = JSON.parse(refusal.after ?? '{}');
        assert.equal(before.email, OLD);
        assert.equal(after.email, NEW);
        assert.equal(after.reasons.email, 'refused_by_setting');
        assert.equal(after.userName, shape.changesUserName ? NEW : undefined);

        const logged = await lastLogged();
        assert.equal(logged?.status, 200);
        assert.equal(logged?.detail, null);
        assert.match(
          String(logged?.notice),
          /Email change refused.*"dana@acme\.test" → "dana\.lee@acme\.test"/,
        );
      });

      it(`follow: ${shape.name} deactivates and stores the new email for this organization only`, async () => {
        await setPolicy('follow');
        const res = await shape.send(t, id, NEW);
        assert.equal(res.statusCode, 200, res.body);
        const body = res.json();
        assert.equal(body.active, false);
        assert.deepEqual(
          body.emails.map((e: { value: string }) => e.value),
          [NEW],
        );
        assert.equal(body.userName, shape.changesUserName ? NEW : OLD);

        await assertDeactivated();
        assert.equal((await stored())?.user_name, shape.changesUserName ? NEW : OLD);
        assert.deepEqual(
          (await t.store.members.emails(id)).map((e) => e.value),
          [NEW],
        );
        assert.equal((await t.store.users.getById(userId))?.email, OLD, 'the Roster account keeps its email');
        const [updated] = await audit('member.updated');
        assert.ok(updated);
        assert.equal(JSON.parse(updated.after ?? '{}').emails[0].value, NEW);
        assert.deepEqual(await audit('member.email_change_refused'), []);
        assert.equal((await lastLogged())?.notice, null);
      });
    }

    it('refuse: a later PUT of the same edited resource for the deactivated person is answered 200, not 400', async () => {
      const shape = DEACTIVATIONS[0];
      assert.ok(shape);
      assert.equal((await shape.send(t, id, NEW)).statusCode, 200);
      const version = (await stored())?.version;
      const again = await shape.send(t, id, NEW);
      assert.equal(again.statusCode, 200, again.body);
      assert.equal(again.json().active, false);
      assert.equal((await stored())?.version, version, 'nothing more was stored');
      assert.equal((await audit('member.deactivated')).length, 1);
      assert.equal((await audit('member.email_change_refused')).length, 2);
    });

    it('refuse: an email change without a deactivation stays 400 mutability and stores nothing', async () => {
      const before = await stored();
      const events = (await t.store.audit.search({ organizationId: t.org.organization.id, limit: 100 }))
        .length;
      const res = await t.scim(
        'PATCH',
        `Users/${id}`,
        patch(
          { op: 'replace', path: 'displayName', value: 'Dana L.' },
          { op: 'replace', path: 'emails[type eq "work"].value', value: NEW },
        ),
      );
      assert.equal(res.statusCode, 400);
      assert.match(String(res.headers['content-type']), /^application\/scim\+json/);
      assert.equal(res.json().scimType, 'mutability');
      assert.deepEqual(await stored(), before);
      assert.equal(
        (await t.store.audit.search({ organizationId: t.org.organization.id, limit: 100 })).length,
        events,
      );
      assert.ok(await t.store.sessions.findByHash(SESSION_HASH), 'the session is untouched');
      assert.match(String((await lastLogged())?.detail), /email address cannot be changed/);
    });

    it('refuse: a reactivation that carries a changed email is 400 and the person stays deactivated', async () => {
      assert.equal(
        (await t.scim('PATCH', `Users/${id}`, patch({ op: 'replace', value: { active: false } }))).statusCode,
        200,
      );
      const before = await stored();
      const current = (await t.scim('GET', `Users/${id}`)).json();
      const res = await t.scim('PUT', `Users/${id}`, { ...current, emails: workEmail(NEW), active: true });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().scimType, 'mutability');
      assert.deepEqual(await stored(), before);
      assert.equal((await stored())?.status, 'deactivated');
      assert.match(String((await lastLogged())?.detail), /email address cannot be changed/);
    });

    it('follow: a plain email change is stored, and the member is found by the new email', async () => {
      await setPolicy('follow');
      const res = await t.scim(
        'PATCH',
        `Users/${id}`,
        patch({ op: 'Replace', path: 'emails[type eq "work"].value', value: NEW }),
      );
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().active, true);
      const found = await t.scim(
        'GET',
        `Users?filter=${encodeURIComponent(`emails[type eq "work"].value eq "${NEW}"`)}`,
      );
      assert.equal(found.json().totalResults, 1);
      assert.equal(found.json().Resources[0].id, id);
      assert.equal((await stored())?.status, 'active');
      assert.equal((await t.store.users.getById(userId))?.email, OLD);
    });

    it("follow: a change to another member's email is 409 uniqueness and stores nothing", async () => {
      await setPolicy('follow');
      const other = await t.scim('POST', 'Users', {
        userName: 'erin@acme.test',
        emails: workEmail('erin@acme.test'),
      });
      assert.equal(other.statusCode, 201);
      const before = await stored();
      for (const body of [
        patch({ op: 'replace', path: 'emails[type eq "work"].value', value: 'ERIN@acme.test' }),
        // The organization's first Admin: their account email, a userName here.
        patch({ op: 'replace', path: 'userName', value: t.org.user.email }),
      ]) {
        const res = await t.scim('PATCH', `Users/${id}`, body);
        assert.equal(res.statusCode, 409, res.body);
        assert.equal(res.json().scimType, 'uniqueness');
        assert.deepEqual(await stored(), before);
      }
    });

    it("follow: a deactivation that carries another member's email deactivates and refuses the email", async () => {
      await setPolicy('follow');
      assert.equal(
        (await t.scim('POST', 'Users', { userName: 'erin@acme.test', emails: workEmail('erin@acme.test') }))
          .statusCode,
        201,
      );
      const res = await t.scim(
        'PATCH',
        `Users/${id}`,
        patch({ op: 'replace', value: { active: false, emails: workEmail('erin@acme.test') } }),
      );
      assert.equal(res.statusCode, 200, res.body);
      await assertDeactivated();
      assert.deepEqual(
        (await t.store.members.emails(id)).map((e) => e.value),
        [OLD],
      );
      const [refusal] = await audit('member.email_change_refused');
      assert.equal(JSON.parse(refusal?.after ?? '{}').reasons.email, 'taken');
      assert.match(String((await lastLogged())?.notice), /another member/);
    });

    it("follow: another organization's member and the person's account keep their email", async () => {
      const other = await initOrganization(t.store, {
        name: 'Globex',
        slug: 'globex',
        adminEmail: 'admin@globex.test',
        adminPassword: 'another long admin password',
        actor: CLI_ACTOR,
      });
      const { token } = await createToken(t.store, {
        kind: 'service',
        organizationId: other.organization.id,
        name: 'okta',
        role: 'admin',
        actor: CLI_ACTOR,
      });
      const linked = await t.scim('POST', 'Users', { userName: OLD, emails: workEmail(OLD) }, { token });
      assert.equal(linked.statusCode, 201);
      const otherId = linked.json().id;
      assert.equal((await t.store.members.getById(other.organization.id, otherId))?.user_id, userId);

      await setPolicy('follow');
      const res = await t.scim(
        'PATCH',
        `Users/${id}`,
        patch(
          { op: 'replace', path: 'userName', value: NEW },
          { op: 'replace', path: 'emails[type eq "work"].value', value: NEW },
        ),
      );
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().userName, NEW);

      const theirs = (await t.scim('GET', `Users/${otherId}`, undefined, { token })).json();
      assert.equal(theirs.userName, OLD);
      assert.deepEqual(
        theirs.emails.map((e: { value: string }) => e.value),
        [OLD],
      );
      assert.equal((await t.store.users.getById(userId))?.email, OLD);
    });
  });
}
