// `roster sso status|require|idp-initiated`: the operator's break-glass switch when "SSO required" locks
// everyone out (the identity provider is down), run as the real command against the same database.
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

  it('turns IdP-initiated sign-in off and on again, audited, and shows it in the status', async () => {
    const env = rosterEnv(t.database);
    const off = await runRoster(['sso', 'idp-initiated', '--org', 'acme', 'off'], env);
    assert.equal(off.code, 0, off.stderr);
    assert.match(off.stdout, /IdP-initiated sign-in is now refused for acme/);
    assert.equal((await t.store.sso.getSettings(t.org.organization.id))?.idp_initiated, 0);
    const [event] = await auditEvents(t, 'sso.settings_updated');
    assert.equal(event?.actor_type, 'cli');
    assert.deepEqual(event?.after, { idpInitiated: false });

    const status = await runRoster(['sso', 'status', '--org', 'acme', '--json'], env);
    assert.equal(JSON.parse(status.stdout).idpInitiated, false);

    const bad = await runRoster(['sso', 'idp-initiated', '--org', 'acme', 'maybe'], env);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /on or off/);
    assert.equal((await t.store.sso.getSettings(t.org.organization.id))?.idp_initiated, 0);

    const on = await runRoster(['sso', 'idp-initiated', '--org', 'acme', 'on'], env);
    assert.equal(on.code, 0, on.stderr);
    assert.equal((await t.store.sso.getSettings(t.org.organization.id))?.idp_initiated, 1);
  });
});
