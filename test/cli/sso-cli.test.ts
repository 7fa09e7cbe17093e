// `roster sso status|require|allow-sha1`: the operator's break-glass switch when "SSO required"
// locks everyone out (the identity provider is down), and the SHA-1 opt-in, run as the real command
// against the same database.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { rosterEnv, runRoster } from '../helpers/roster-cli.ts';
import { auditEvents, configureSso } from '../helpers/sso.ts';
import { skipReason } from '../helpers/stores.ts';

describe('roster sso', { skip: skipReason('sqlite') }, () => {
  let t: TestApp;
  before(async () => {
    t = await setupApp('sqlite');
    await configureSso(t, { ssoRequired: true });
  });
  after(() => t?.cleanup());

  it('turns "SSO required" off, audited, and shows the status', async () => {
    const env = rosterEnv(t.database);
    const off = await runRoster(['sso', 'require', '--org', 'acme', 'off'], env);
    assert.equal(off.code, 0, off.stderr);
    assert.match(off.stdout, /no longer required for acme/);
    assert.equal((await t.store.sso.getSettings(t.org.organization.id))?.sso_required, 0);
    assert.equal((await auditEvents(t, 'sso.settings_updated'))[0]?.actor_type, 'cli');

    const status = await runRoster(['sso', 'status', '--org', 'acme', '--json'], env);
    assert.equal(status.code, 0, status.stderr);
    const shown = JSON.parse(status.stdout);
    assert.equal(shown.ssoRequired, false);
    assert.deepEqual(shown.domains, ['acme.test']);
    assert.doesNotMatch(status.stdout, /PRIVATE KEY|CERTIFICATE/);
  });

  it('allows SHA-1 signatures for one organization (on), refuses them again (off), audited, shown by status', async () => {
    const env = rosterEnv(t.database);
    assert.equal((await t.store.sso.getSettings(t.org.organization.id))?.allow_sha1_signatures, 0);
    const on = await runRoster(['sso', 'allow-sha1', '--org', 'acme', 'on'], env);
    assert.equal(on.code, 0, on.stderr);
    assert.match(on.stdout, /SHA-1 are now accepted for acme/);
    assert.equal((await t.store.sso.getSettings(t.org.organization.id))?.allow_sha1_signatures, 1);
    const event = (await auditEvents(t, 'sso.settings_updated'))[0];
    assert.equal(event?.actor_type, 'cli');
    assert.deepEqual(event?.after, { allowSha1Signatures: true });

    const status = await runRoster(['sso', 'status', '--org', 'acme'], env);
    assert.match(status.stdout, /SHA-1 signatures ACCEPTED/);
    const json = await runRoster(['sso', 'status', '--org', 'acme', '--json'], env);
    assert.equal(JSON.parse(json.stdout).allowSha1Signatures, true);

    const off = await runRoster(['sso', 'allow-sha1', '--org', 'acme', 'off'], env);
    assert.equal(off.code, 0, off.stderr);
    assert.equal((await t.store.sso.getSettings(t.org.organization.id))?.allow_sha1_signatures, 0);
    assert.doesNotMatch((await runRoster(['sso', 'status', '--org', 'acme'], env)).stdout, /SHA-1/);

    const bad = await runRoster(['sso', 'allow-sha1', '--org', 'acme', 'maybe'], env);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /sso allow-sha1 takes on or off/);
    assert.equal((await t.store.sso.getSettings(t.org.organization.id))?.allow_sha1_signatures, 0);
  });
});
