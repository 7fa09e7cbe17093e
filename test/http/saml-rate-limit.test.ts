// Regression (security round two, High): the SAML endpoints had no rate limit. `GET
// /saml/{slug}/login` and `POST /saml/{slug}/acs` now count per client address and per
// organization (src/http/saml-limits.ts): over either, the sign-in refusal page with 429 and an
// integer Retry-After, before the body is read, with nothing stored (no AuthnRequest, no audit
// event); other addresses and organizations go on, and the window resets.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { initOrganization } from '../../src/accounts/organizations.ts';
import { createToken } from '../../src/accounts/tokens.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/http/create-app.ts';
import type { Store } from '../../src/store/store.ts';
import { PUBLIC_URL } from '../helpers/app.ts';
import { formBody } from '../helpers/dashboard.ts';
import { IDP_SSO_URL, testIdps } from '../helpers/sso.ts';
import { openTestStore } from '../helpers/stores.ts';

describe('SAML rate limits over HTTP', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let now = 1_000_000_000_000;
  let app: ReturnType<typeof createApp>;
  const organizationIds: Record<string, string> = {};

  before(async () => {
    ({ store, cleanup } = await openTestStore('sqlite'));
    const config = loadConfig({
      PUBLIC_URL,
      SAML_RATE_LIMIT_PER_ADDRESS: '4',
      SAML_RATE_LIMIT_PER_ORG: '6',
      SAML_RATE_LIMIT_WINDOW_SECONDS: '60',
    });
    app = createApp(config, store, { logger: false, now: () => now });
    const { idp } = await testIdps();
    for (const slug of ['sr-a', 'sr-b']) {
      const org = await initOrganization(store, {
        name: slug,
        slug,
        adminEmail: `admin@${slug}.test`,
        adminPassword: 'correct horse battery staple',
        actor: CLI_ACTOR,
      });
      organizationIds[slug] = org.organization.id;
      const { token } = await createToken(store, {
        kind: 'service',
        organizationId: org.organization.id,
        name: 'api',
        role: 'admin',
        actor: CLI_ACTOR,
      });
      const res = await app.inject({
        method: 'PUT',
        url: '/api/v1/sso',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ idpMetadataXml: idp.metadataXml(IDP_SSO_URL), domains: [`${slug}.test`] }),
      });
      assert.equal(res.statusCode, 200, res.body);
    }
  });
  after(async () => {
    await app.close();
    await cleanup();
  });

  const login = (slug: string, address: string) =>
    app.inject({ method: 'GET', url: `/saml/${slug}/login`, remoteAddress: address });
  const acs = (slug: string, address: string) =>
    app.inject({
      method: 'POST',
      url: `/saml/${slug}/acs`,
      remoteAddress: address,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: formBody({ SAMLResponse: Buffer.from('<x/>').toString('base64') }),
    });
  const count = async (table: 'saml_requests' | 'audit_events') =>
    Number(
      (
        await store.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('refuses a client address over its limit with the refusal page, 429 and Retry-After, storing nothing', async () => {
    now = Math.floor(now / 60_000) * 60_000 + 15_000; // 45 s left in the window
    const first = [
      await login('sr-a', '10.0.0.1'),
      await login('sr-a', '10.0.0.1'),
      await acs('sr-a', '10.0.0.1'),
    ];
    assert.deepEqual(
      first.map((res) => res.statusCode),
      [302, 302, 400],
    );
    assert.equal((await acs('sr-a', '10.0.0.1')).statusCode, 400);
    const requests = await count('saml_requests');
    const events = await count('audit_events');

    for (const res of [await login('sr-a', '10.0.0.1'), await acs('sr-b', '10.0.0.1')]) {
      assert.equal(res.statusCode, 429);
      assert.equal(res.headers['retry-after'], '45');
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.match(res.body, /Too many sign-in attempts right now/);
      assert.match(res.body, /<span class="mono">rate_limited<\/span>/);
    }
    assert.equal(await count('saml_requests'), requests, 'no AuthnRequest stored');
    assert.equal(await count('audit_events'), events, 'nothing audited');
    // Another address still gets in.
    assert.equal((await login('sr-b', '10.0.0.2')).statusCode, 302);
  });

  it('caps an organization across addresses; another organization is unaffected; the window resets', async () => {
    now = Math.floor(now / 60_000) * 60_000 + 60_000; // a new window
    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push((await login('sr-a', `10.1.0.${i}`)).statusCode);
    assert.deepEqual(statuses, [302, 302, 302, 302, 302, 302, 429, 429]);
    const refused = await acs('SR-A', '10.1.1.1');
    assert.equal(refused.statusCode, 429, 'the slug counts whatever its case');
    assert.equal(refused.headers['retry-after'], '60');
    assert.equal((await login('sr-b', '10.1.0.9')).statusCode, 302);
    now += 60_000;
    assert.equal((await login('sr-a', '10.1.0.0')).statusCode, 302);
  });
});
