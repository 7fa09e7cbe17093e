// `roster groups list|show` through `runCli`, over groups pushed by SCIM to the same database.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { rosterEnv, runCli, runCliJson } from '../helpers/roster-cli.ts';

describe('roster groups (sqlite)', () => {
  let t: TestApp;
  let env: NodeJS.ProcessEnv;
  let groupId: string;
  let memberId: string;
  before(async () => {
    t = await setupApp('sqlite', 'acme');
    env = rosterEnv(t.database);
    const user = await t.scim('POST', 'Users', {
      userName: 'dana@acme.test',
      emails: [{ value: 'dana@acme.test', primary: true }],
    });
    memberId = user.json().id;
    const group = await t.scim('POST', 'Groups', {
      displayName: 'Eng Admins',
      members: [{ value: memberId }],
    });
    groupId = group.json().id;
  });
  after(() => t.cleanup());

  it('lists the groups with their member counts, in human and JSON form', async () => {
    const human = await runCli(['groups', 'list', '--org', 'acme'], env);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, new RegExp(`${groupId}\\tEng Admins\\t1 members`));
    const json = await runCliJson<{ id: string; memberCount: number }[]>(
      ['groups', 'list', '--org', 'acme'],
      env,
    );
    assert.deepEqual(
      json.map((g) => [g.id, g.memberCount]),
      [[groupId, 1]],
    );
  });

  it('shows a group with its members; an unknown id is an error', async () => {
    const shown = await runCliJson<{ members: { id: string }[] }>(
      ['groups', 'show', '--org', 'acme', groupId],
      env,
    );
    assert.deepEqual(
      shown.members.map((m) => m.id),
      [memberId],
    );
    const unknown = await runCli(['groups', 'show', '--org', 'acme', 'nope'], env);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /no group "nope"/);
    const usage = await runCli(['groups', 'rename', '--org', 'acme'], env);
    assert.equal(usage.code, 2);
  });

  it('maps a group by name to the Admin role and a workspace, and back', async () => {
    const mapped = await runCliJson<{
      role: string | null;
      workspaces: { name: string }[];
      changed: boolean;
    }>(['groups', 'map', '--org', 'acme', 'eng admins', '--role', 'admin', '--workspace', 'Default'], env);
    assert.deepEqual(mapped, { ...mapped, role: 'admin', changed: true });
    assert.deepEqual(
      mapped.workspaces.map((w) => w.name),
      ['Default'],
    );
    assert.equal((await t.store.members.getById(t.org.organization.id, memberId))?.role, 'admin');
    const human = await runCli(
      ['groups', 'map', '--org', 'acme', groupId, '--role', 'none', '--no-workspaces'],
      env,
    );
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /Eng Admins gives no access \(1 members settled\)/);
    assert.equal((await t.store.members.getById(t.org.organization.id, memberId))?.role, 'member');
    const bad = await runCli(['groups', 'map', '--org', 'acme', groupId, '--role', 'owner'], env);
    assert.equal(bad.code, 2);
    const unknown = await runCli(['groups', 'map', '--org', 'acme', groupId, '--workspace', 'Nowhere'], env);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /no workspace "Nowhere"/);
  });
});
