// `roster sso status|require|verify|release-domain|allow-sha1|idp-initiated`: the operator's
// break-glass switch when "SSO required" locks everyone out (the identity provider is down), an
// email domain's DNS TXT record shown, checked through DNS_SERVERS (a DNS server of the test's own)
// and released, the SHA-1 opt-in, and IdP-initiated sign-in off and on, run through `runCli` (the
// command's entry point) against the same database.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { startTestDnsServer, type TestDnsServer } from '../helpers/dns-server.ts';
import { rosterEnv, runCli } from '../helpers/roster-cli.ts';
import { auditEvents, configureSso, putSso } from '../helpers/sso.ts';
import { skipReason } from '../helpers/stores.ts';

describe('roster sso', { skip: skipReason('sqlite') }, () => {
  let t: TestApp;
  let dns: TestDnsServer;
  before(async () => {
    dns = await startTestDnsServer();
    t = await setupApp('sqlite');
    await configureSso(t, { ssoRequired: true });
  });
  after(async () => {
    await t?.cleanup();
    await dns?.close();
  });

  it('turns "SSO required" off, audited, and shows the status', async () => {
    const env = rosterEnv(t.database);
    const off = await runCli(['sso', 'require', '--org', 'acme', 'off'], env);
    assert.equal(off.code, 0, off.stderr);
    assert.match(off.stdout, /no longer required for acme/);
    assert.equal((await t.store.sso.getSettings(t.org.organization.id))?.sso_required, 0);
    assert.equal((await auditEvents(t, 'sso.settings_updated'))[0]?.actor_type, 'cli');

    const status = await runCli(['sso', 'status', '--org', 'acme', '--json'], env);
    assert.equal(status.code, 0, status.stderr);
    const shown = JSON.parse(status.stdout);
    assert.equal(shown.ssoRequired, false);
    assert.deepEqual(shown.domains, ['acme.test']);
    assert.doesNotMatch(status.stdout, /PRIVATE KEY|CERTIFICATE/);
  });

  it('shows an unverified domain with its TXT record, verifies it once the record exists, and releases it', async () => {
    assert.equal((await putSso(t, { domains: ['acme.test', 'cli.test'] })).statusCode, 200);
    const env = rosterEnv(t.database, { DNS_SERVERS: dns.address });
    const claim = await t.store.sso.getDomainClaim(t.org.organization.id, 'cli.test');
    assert.ok(claim);
    const value = `roster-verification=${claim.verification_token}`;

    const status = await runCli(['sso', 'status', '--org', 'acme'], env);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /acme\.test: verified/);
    assert.ok(
      status.stdout.includes(
        `cli.test: NOT VERIFIED (routes nobody): create _roster-verification.cli.test TXT "${value}"`,
      ),
      status.stdout,
    );

    const missing = await runCli(['sso', 'verify', '--org', 'acme', 'cli.test'], env);
    assert.equal(missing.code, 1);
    assert.match(
      missing.stderr,
      /cli\.test is not verified: no TXT record was found at _roster-verification\.cli\.test/,
    );
    assert.equal((await t.store.sso.getDomainClaim(t.org.organization.id, 'cli.test'))?.verified_at, null);

    dns.records.set('_roster-verification.cli.test', [[value]]);
    const verified = await runCli(['sso', 'verify', '--org', 'acme', 'CLI.test', '--json'], env);
    assert.equal(verified.code, 0, verified.stderr);
    assert.equal(JSON.parse(verified.stdout).verified, true);
    assert.equal(await t.store.sso.organizationIdForDomain('cli.test'), t.org.organization.id);
    assert.equal((await auditEvents(t, 'sso.domain_verified'))[0]?.actor_type, 'cli');

    const released = await runCli(['sso', 'release-domain', '--org', 'acme', 'cli.test'], env);
    assert.equal(released.code, 0, released.stderr);
    assert.equal(await t.store.sso.getDomainClaim(t.org.organization.id, 'cli.test'), undefined);
    assert.equal(await t.store.sso.organizationIdForDomain('cli.test'), undefined);
    assert.equal((await auditEvents(t, 'sso.domain_released'))[0]?.target_label, 'cli.test');

    const usage = await runCli(['sso', 'verify', '--org', 'acme'], env);
    assert.equal(usage.code, 2);
  });

  it('allows SHA-1 signatures for one organization (on), refuses them again (off), audited, shown by status', async () => {
    const env = rosterEnv(t.database);
    assert.equal((await t.store.sso.getSettings(t.org.organization.id))?.allow_sha1_signatures, 0);
    const on = await runCli(['sso', 'allow-sha1', '--org', 'acme', 'on'], env);
    assert.equal(on.code, 0, on.stderr);
    assert.match(on.stdout, /SHA-1 are now accepted for acme/);
    assert.equal((await t.store.sso.getSettings(t.org.organization.id))?.allow_sha1_signatures, 1);
    const event = (await auditEvents(t, 'sso.settings_updated'))[0];
    assert.equal(event?.actor_type, 'cli');
    assert.deepEqual(event?.after, { allowSha1Signatures: true });

    const status = await runCli(['sso', 'status', '--org', 'acme'], env);
    assert.match(status.stdout, /SHA-1 signatures ACCEPTED/);
    const json = await runCli(['sso', 'status', '--org', 'acme', '--json'], env);
    assert.equal(JSON.parse(json.stdout).allowSha1Signatures, true);

    const off = await runCli(['sso', 'allow-sha1', '--org', 'acme', 'off'], env);
    assert.equal(off.code, 0, off.stderr);
    assert.equal((await t.store.sso.getSettings(t.org.organization.id))?.allow_sha1_signatures, 0);
    assert.doesNotMatch((await runCli(['sso', 'status', '--org', 'acme'], env)).stdout, /SHA-1/);

    const bad = await runCli(['sso', 'allow-sha1', '--org', 'acme', 'maybe'], env);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /sso allow-sha1 takes on or off/);
    assert.equal((await t.store.sso.getSettings(t.org.organization.id))?.allow_sha1_signatures, 0);
  });

  it('turns IdP-initiated sign-in off and on again, audited, and shows it in the status', async () => {
    const env = rosterEnv(t.database);
    const off = await runCli(['sso', 'idp-initiated', '--org', 'acme', 'off'], env);
    assert.equal(off.code, 0, off.stderr);
    assert.match(off.stdout, /IdP-initiated sign-in is now refused for acme/);
    assert.equal((await t.store.sso.getSettings(t.org.organization.id))?.idp_initiated, 0);
    const [event] = await auditEvents(t, 'sso.settings_updated');
    assert.equal(event?.actor_type, 'cli');
    assert.deepEqual(event?.after, { idpInitiated: false });

    const status = await runCli(['sso', 'status', '--org', 'acme', '--json'], env);
    assert.equal(JSON.parse(status.stdout).idpInitiated, false);

    const bad = await runCli(['sso', 'idp-initiated', '--org', 'acme', 'maybe'], env);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /on or off/);
    assert.equal((await t.store.sso.getSettings(t.org.organization.id))?.idp_initiated, 0);

    const on = await runCli(['sso', 'idp-initiated', '--org', 'acme', 'on'], env);
    assert.equal(on.code, 0, on.stderr);
    assert.equal((await t.store.sso.getSettings(t.org.organization.id))?.idp_initiated, 1);
  });
});
