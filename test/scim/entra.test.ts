// Microsoft Entra ID's provisioning request shapes (docs/idp-requests.md): the enterprise extension,
// GUID externalIds, capitalised PATCH ops, "False" strings, emails[type eq "work"].value paths, and
// the manager as a bare string, as Entra's default mapping sends it (Microsoft's "Develop and plan
// provisioning for a SCIM endpoint" shows `"manager": "123456"`).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const EXTERNAL_ID = '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef';

function patch(...operations: unknown[]) {
  return { schemas: [PATCH_OP], Operations: operations };
}

for (const kind of STORE_KINDS) {
  describe(`Microsoft Entra ID provisioning (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let id: string;
    let managerId: string;
    before(async () => {
      t = await setupApp(kind);
      managerId = (await t.scim('GET', 'Users?count=1')).json().Resources[0].id;
    });
    after(() => t.cleanup());

    it('creates a user with the enterprise extension, a GUID externalId and roles: []', async () => {
      const res = await t.scim('POST', 'Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
        externalId: EXTERNAL_ID,
        userName: 'Test_User_ab6490ee@contoso.onmicrosoft.com',
        active: true,
        emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b@testuser.com' }],
        meta: { resourceType: 'User' },
        name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
        roles: [],
        [ENTERPRISE]: { department: 'Engineering', employeeNumber: '42' },
      });
      assert.equal(res.statusCode, 201);
      const body = res.json();
      id = body.id;
      assert.deepEqual(body.schemas, ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE]);
      assert.equal(body[ENTERPRISE].department, 'Engineering');
      assert.equal(body.name.formatted, 'givenName familyName');
      // roles: [] assigns no role; the member has the organization's default role, Member, and
      // `roles` lists only what the IdP assigned (docs/scim.md).
      assert.deepEqual(body.roles, []);
    });

    for (const [label, filter] of [
      ['userName', 'userName eq "test_user_ab6490ee@contoso.onmicrosoft.com"'],
      ['externalId', `externalId eq "${EXTERNAL_ID}"`],
      ['a work email', 'emails[type eq "work"].value eq "Test_User_fd0ea19b@testuser.com"'],
    ] as const) {
      it(`finds the user by ${label}`, async () => {
        const res = await t.scim('GET', `Users?filter=${encodeURIComponent(filter)}`);
        assert.equal(res.statusCode, 200);
        assert.equal(res.json().totalResults, 1);
        assert.equal(res.json().Resources[0].id, id);
      });
    }

    it('treats externalId as case-exact', async () => {
      const res = await t.scim(
        'GET',
        `Users?filter=${encodeURIComponent(`externalId eq "${EXTERNAL_ID.toUpperCase()}"`)}`,
      );
      assert.equal(res.json().totalResults, 0);
    });

    it('applies capitalised Replace and Add operations, including enterprise paths', async () => {
      const res = await t.scim(
        'PATCH',
        `Users/${id}`,
        patch(
          { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
          { op: 'Add', path: 'nickName', value: 'Babs' },
          { op: 'Replace', path: `${ENTERPRISE}:department`, value: 'Sales' },
          { op: 'Add', path: `${ENTERPRISE}:manager`, value: managerId },
          { op: 'Replace', path: 'emails[type eq "work"].value', value: 'Test_User_fd0ea19b@testuser.com' },
        ),
      );
      assert.equal(res.statusCode, 200, res.body);
      const user = (await t.scim('GET', `Users/${id}`)).json();
      assert.equal(user.name.familyName, 'updatedFamilyName');
      assert.equal(user.name.givenName, 'givenName');
      assert.equal(user.nickName, 'Babs');
      assert.equal(user[ENTERPRISE].department, 'Sales');
      assert.equal(user[ENTERPRISE].employeeNumber, '42');
      assert.equal(user[ENTERPRISE].manager.value, managerId);
    });

    it('replaces the manager with a bare string, alone and path-less', async () => {
      const pathed = await t.scim(
        'PATCH',
        `Users/${id}`,
        patch({ op: 'Replace', path: `${ENTERPRISE}:manager`, value: 'manager-2' }),
      );
      assert.equal(pathed.statusCode, 200, pathed.body);
      assert.deepEqual(pathed.json()[ENTERPRISE].manager, { value: 'manager-2' });
      const pathless = await t.scim(
        'PATCH',
        `Users/${id}`,
        patch({ op: 'Replace', value: { [ENTERPRISE]: { manager: managerId } } }),
      );
      assert.equal(pathless.statusCode, 200, pathless.body);
      const user = (await t.scim('GET', `Users/${id}`)).json();
      assert.deepEqual(user[ENTERPRISE].manager, { value: managerId });
      assert.equal(user[ENTERPRISE].department, 'Sales');
    });

    it("still takes the manager as an object (RFC 7643 §4.3; Okta, Microsoft's reference collection)", async () => {
      const res = await t.scim(
        'PATCH',
        `Users/${id}`,
        patch({ op: 'replace', path: `${ENTERPRISE}:manager`, value: { value: 'manager-3' } }),
      );
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json()[ENTERPRISE].manager, { value: 'manager-3' });
      const back = await t.scim(
        'PATCH',
        `Users/${id}`,
        patch({ op: 'Replace', path: `${ENTERPRISE}:manager`, value: managerId }),
      );
      assert.equal(back.statusCode, 200, back.body);
    });

    it('creates and replaces a user whose manager is a bare string', async () => {
      const body = {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
        externalId: 'ManagedPerson',
        userName: 'managed.person@contoso.com',
        active: true,
        emails: [{ primary: true, type: 'work', value: 'managed.person@contoso.com' }],
        name: { givenName: 'Managed', familyName: 'Person' },
        [ENTERPRISE]: { department: 'Support', manager: managerId },
      };
      const created = await t.scim('POST', 'Users', body);
      assert.equal(created.statusCode, 201, created.body);
      assert.deepEqual(created.json()[ENTERPRISE].manager, { value: managerId });
      const replaced = await t.scim('PUT', `Users/${created.json().id}`, {
        ...body,
        [ENTERPRISE]: { department: 'Support', manager: id },
      });
      assert.equal(replaced.statusCode, 200, replaced.body);
      const stored = (await t.scim('GET', `Users/${created.json().id}`)).json();
      assert.deepEqual(stored[ENTERPRISE], { department: 'Support', manager: { value: id } });
    });

    it('accepts an empty Operations array as a no-op', async () => {
      const res = await t.scim('PATCH', `Users/${id}`, patch());
      assert.equal(res.statusCode, 200);
    });

    it('refuses an email change with 400 mutability and stores nothing', async () => {
      const before = await t.store.members.getById(t.org.organization.id, id);
      const res = await t.scim(
        'PATCH',
        `Users/${id}`,
        patch(
          { op: 'Replace', path: 'displayName', value: 'Should Not Stick' },
          { op: 'Replace', path: 'emails[type eq "work"].value', value: 'someone.else@testuser.com' },
        ),
      );
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().scimType, 'mutability');
      assert.deepEqual(await t.store.members.getById(t.org.organization.id, id), before);
    });

    it('deactivates with {"op":"Replace","path":"active","value":"False"}', async () => {
      const res = await t.scim(
        'PATCH',
        `Users/${id}`,
        patch({ op: 'Replace', path: 'active', value: 'False' }),
      );
      assert.equal(res.statusCode, 200);
      const user = (await t.scim('GET', `Users/${id}`)).json();
      assert.equal(user.active, false);
      assert.deepEqual(user.roles, []);
    });

    it('reactivates with lower-case ops and a real boolean (aadOptscim062020)', async () => {
      const res = await t.scim('PATCH', `Users/${id}`, patch({ op: 'replace', path: 'active', value: true }));
      assert.equal(res.statusCode, 200);
      assert.equal((await t.scim('GET', `Users/${id}`)).json().active, true);
    });

    it('answers DELETE with 405 and guidance, and keeps the user', async () => {
      const res = await t.scim('DELETE', `Users/${id}`);
      assert.equal(res.statusCode, 405);
      assert.equal(res.headers.allow, 'GET, PUT, PATCH');
      assert.match(res.json().detail, /[Dd]eactivate/);
      assert.equal((await t.scim('GET', `Users/${id}`)).statusCode, 200);
    });

    it('serves lower-case paths such as /scim/v2/users', async () => {
      const res = await t.scim('GET', '/scim/v2/users?filter=userName%20eq%20%22nobody%22');
      assert.equal(res.statusCode, 200);
      const trailing = await t.scim('GET', `/scim/v2/Users/${id}/`);
      assert.equal(trailing.statusCode, 200);
    });

    it('accepts "primary": "True" strings in emails', async () => {
      const res = await t.scim('POST', 'Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'primary.strings@contoso.com',
        emails: [{ primary: 'True', type: 'work', value: 'primary.strings@contoso.com' }],
        active: 'True',
      });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.json().emails[0].primary, true);
      assert.equal(res.json().active, true);
    });
  });
}
