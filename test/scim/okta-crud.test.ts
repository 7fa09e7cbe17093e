// Okta's "CRUD test" lifecycle, once with catalog-app PUT profile updates and once with the newer
// integration wizard's PATCH updates: assign → found by filter → first-name change → deactivate →
// reactivate → unassign.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const DEACTIVATE = {
  schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
  Operations: [{ op: 'replace', value: { active: false } }],
};
const REACTIVATE = {
  schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
  Operations: [{ op: 'replace', value: { active: true } }],
};

for (const kind of STORE_KINDS) {
  for (const style of ['PUT', 'PATCH'] as const) {
    describe(`Okta CRUD lifecycle with ${style} profile updates (${kind})`, {
      skip: skipReason(kind),
    }, () => {
      let t: TestApp;
      let id: string;
      const userName = `crud.${style.toLowerCase()}@okta-test.com`;
      before(async () => {
        t = await setupApp(kind);
      });
      after(() => t.cleanup());

      it('looks the person up (no match), then creates them on assignment', async () => {
        const lookup = await t.scim(
          'GET',
          `Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`,
        );
        assert.equal(lookup.json().totalResults, 0);
        const res = await t.scim('POST', 'Users', {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          userName,
          name: { givenName: 'Casey', familyName: 'Crud' },
          emails: [{ primary: true, value: userName, type: 'work' }],
          displayName: 'Casey Crud',
          externalId: '00u1crud',
          groups: [],
          password: 'x',
          active: true,
        });
        assert.equal(res.statusCode, 201);
        id = res.json().id;
      });

      it("finds the user by filter with Okta's values", async () => {
        const res = await t.scim(
          'GET',
          `Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`,
        );
        const body = res.json();
        assert.equal(body.totalResults, 1);
        assert.equal(body.Resources[0].id, id);
        assert.equal(body.Resources[0].name.givenName, 'Casey');
        assert.equal(body.Resources[0].emails[0].value, userName);
        assert.equal(body.Resources[0].active, true);
        // `roles` lists the roles the IdP assigned (none here), not the member's role (docs/scim.md).
        assert.deepEqual(body.Resources[0].roles, []);
      });

      it('shows a first-name change on GET', async () => {
        if (style === 'PUT') {
          const current = (await t.scim('GET', `Users/${id}`)).json();
          const res = await t.scim('PUT', `Users/${id}`, {
            ...current,
            name: { ...current.name, givenName: 'Kasey' },
          });
          assert.equal(res.statusCode, 200);
        } else {
          const res = await t.scim('PATCH', `Users/${id}`, {
            schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
            Operations: [{ op: 'replace', value: { name: { givenName: 'Kasey' } } }],
          });
          assert.equal(res.statusCode, 200);
        }
        const user = (await t.scim('GET', `Users/${id}`)).json();
        assert.equal(user.name.givenName, 'Kasey');
        assert.equal(user.name.familyName, 'Crud');
        assert.equal(user.userName, userName);
      });

      it('shows active:false with 200 after deactivation, and the role is gone', async () => {
        const res = await t.scim('PATCH', `Users/${id}`, DEACTIVATE);
        assert.ok(res.statusCode === 200 || res.statusCode === 204);
        const get = await t.scim('GET', `Users/${id}`);
        assert.equal(get.statusCode, 200);
        assert.equal(get.json().active, false);
        assert.equal((await t.store.members.getById(t.org.organization.id, id))?.role, null);
      });

      it('shows active:true after reactivation, with the role back', async () => {
        const res =
          style === 'PUT'
            ? await t.scim('PUT', `Users/${id}`, {
                ...(await t.scim('GET', `Users/${id}`)).json<Record<string, unknown>>(),
                active: true,
              })
            : await t.scim('PATCH', `Users/${id}`, REACTIVATE);
        assert.equal(res.statusCode, 200);
        const user = (await t.scim('GET', `Users/${id}`)).json();
        assert.equal(user.active, true);
        const row = await t.store.members.getById(t.org.organization.id, id);
        assert.equal(row?.role, 'member');
      });

      it('shows active:false after unassignment, and keeps the user', async () => {
        await t.scim('PATCH', `Users/${id}`, DEACTIVATE);
        const user = await t.scim('GET', `Users/${id}`);
        assert.equal(user.statusCode, 200);
        assert.equal(user.json().active, false);
        const row = await t.store.members.getById(t.org.organization.id, id);
        assert.equal(row?.status, 'deactivated');
        assert.equal(row?.previous_role, 'member');
        assert.ok(await t.store.users.getById(row.user_id));
      });
    });
  }
}
