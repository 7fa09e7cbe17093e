// Every event type is emitted by the use case it names and documented in docs/events.md, both ways:
// one walk through every change Roster makes emits each type of EVENT_TYPES at least once and no
// other; docs/events.md has a section per type, and its example payload has the keys the real one
// has (top level and `data`).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createInstallationToken } from '../../src/accounts/installation-tokens.ts';
import { setWorkspaceAccess } from '../../src/accounts/manage-workspaces.ts';
import { changeRole } from '../../src/accounts/members.ts';
import { initOrganization } from '../../src/accounts/organizations.ts';
import { createToken, revokeToken } from '../../src/accounts/tokens.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { EVENT_TYPES } from '../../src/events/event-types.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { configureSso, idpResponse, postAcs } from '../helpers/sso.ts';

type Payload = Record<string, unknown> & { type: string; data: Record<string, unknown> };

/** docs/events.md: each `### \`type\`` heading and the first JSON block under it. */
function documentedExamples(): Map<string, Payload> {
  const text = readFileSync(new URL('../../docs/events.md', import.meta.url), 'utf8');
  const examples = new Map<string, Payload>();
  for (const match of text.matchAll(/^### `([a-z_.]+)`\n([\s\S]*?)(?=^#{1,3} |(?![\s\S]))/gm)) {
    const json = /```json\n([\s\S]*?)\n```/.exec(match[2] ?? '');
    assert.ok(json?.[1], `docs/events.md: ${match[1]} has no JSON example`);
    examples.set(match[1] as string, JSON.parse(json[1]) as Payload);
  }
  return examples;
}

describe('the event catalogue', () => {
  let t: TestApp;
  const emitted = new Map<string, Payload>();

  before(async () => {
    t = await setupApp('sqlite', 'acme', { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
    const organizationId = t.org.organization.id;
    const created = await t.scim('POST', 'Users', {
      userName: 'pat@acme.test',
      emails: [{ value: 'pat@acme.test', primary: true }],
      name: { givenName: 'Pat', familyName: 'Doe' },
    });
    assert.equal(created.statusCode, 201);
    const id = created.json().id as string;
    const patch = (value: Record<string, unknown>) =>
      t.scim('PATCH', `Users/${id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', value }],
      });
    assert.equal((await patch({ displayName: 'Pat D.' })).statusCode, 200);
    await changeRole(t.store, { organizationId, membershipId: id, role: 'admin', actor: CLI_ACTOR });
    const workspace = await t.store.workspaces.list(organizationId);
    const workspaceId = workspace[0]?.id as string;
    await setWorkspaceAccess(t.store, {
      organizationId,
      membershipId: id,
      workspaceId,
      granted: true,
      actor: CLI_ACTOR,
    });
    await setWorkspaceAccess(t.store, {
      organizationId,
      membershipId: id,
      workspaceId,
      granted: false,
      actor: CLI_ACTOR,
    });
    const token = await createToken(t.store, {
      kind: 'service',
      organizationId,
      name: 'ci',
      role: 'admin',
      actor: CLI_ACTOR,
    });
    await revokeToken(t.store, { id: token.id, organizationId, asAdmin: true, actor: CLI_ACTOR });
    await configureSso(t);
    const signedIn = await postAcs(
      t.app,
      t.org.organization.slug,
      await idpResponse(t, { nameId: 'pat@acme.test' }),
    );
    assert.equal(signedIn.statusCode, 303, signedIn.body.slice(0, 300));
    assert.equal((await patch({ active: false })).statusCode, 200);
    assert.equal((await patch({ active: true })).statusCode, 200);
    // member.linked: another organization's IdP provisions the same person, whose account exists.
    const beta = await initOrganization(t.store, {
      name: 'Beta',
      slug: 'beta',
      adminEmail: 'boss@beta.test',
      adminPassword: 'correct horse battery staple',
      actor: CLI_ACTOR,
    });
    // A new organization announces itself and its first Admin, who is a member like any other.
    const betaStart = await t.store.db
      .selectFrom('events')
      .select(['type', 'payload'])
      .where('organization_id', '=', beta.organization.id)
      .orderBy('seq')
      .execute();
    assert.deepEqual(
      betaStart.map((row) => [row.type, (JSON.parse(row.payload) as Payload).data.userName ?? null]),
      [
        ['organization.created', null],
        ['member.created', 'boss@beta.test'],
      ],
    );
    const betaToken = await createToken(t.store, {
      kind: 'service',
      organizationId: beta.organization.id,
      name: 'okta',
      role: 'admin',
      actor: CLI_ACTOR,
    });
    const link = await t.scim(
      'POST',
      'Users',
      { userName: 'pat@acme.test', emails: [{ value: 'pat@acme.test', primary: true }] },
      { token: betaToken.token },
    );
    assert.equal(link.statusCode, 201, link.body);
    // group.*: Okta pushes a group, renames it, removes its member, and deletes it.
    const group = await t.scim('POST', 'Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'Engineering',
      externalId: '00g1a2b3c4',
      members: [{ value: id }],
    });
    assert.equal(group.statusCode, 201, group.body);
    const groupId = group.json().id as string;
    const groupPatch = await t.scim('PATCH', `Groups/${groupId}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'replace', path: 'displayName', value: 'Engineers' },
        { op: 'remove', path: `members[value eq "${id}"]` },
      ],
    });
    assert.ok([200, 204].includes(groupPatch.statusCode), groupPatch.body);
    assert.equal((await t.scim('DELETE', `Groups/${groupId}`)).statusCode, 204);
    // organization.updated, .disabled, .enabled: the product renames, disables and enables Beta.
    const product = await createInstallationToken(t.store, { name: 'saas', actor: CLI_ACTOR });
    for (const body of [{ name: 'Beta Corp' }, { disabled: true }, { disabled: false }]) {
      const res = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/organizations/${beta.organization.id}`,
        headers: { authorization: `Bearer ${product.token}`, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      assert.equal(res.statusCode, 200, res.body);
    }
    const rows = await t.store.db.selectFrom('events').select(['type', 'payload']).orderBy('seq').execute();
    for (const row of rows)
      if (!emitted.has(row.type)) emitted.set(row.type, JSON.parse(row.payload) as Payload);
  });
  after(() => t.cleanup());

  it('emits every type of the catalogue, and no other', () => {
    assert.deepEqual([...emitted.keys()].sort(), [...EVENT_TYPES].sort());
  });

  it('documents every type in docs/events.md, and no other', () => {
    assert.deepEqual([...documentedExamples().keys()].sort(), [...EVENT_TYPES].sort());
  });

  it("documents each type's payload with the keys the real one has", () => {
    const examples = documentedExamples();
    for (const [type, payload] of emitted) {
      const example = examples.get(type);
      assert.ok(example, type);
      assert.deepEqual(Object.keys(example).sort(), Object.keys(payload).sort(), `${type}: top-level keys`);
      assert.deepEqual(
        Object.keys(example.data).sort(),
        Object.keys(payload.data).sort(),
        `${type}: data keys`,
      );
      assert.equal(example.type, type);
    }
  });
});
