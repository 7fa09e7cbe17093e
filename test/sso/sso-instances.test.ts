// Two Roster instances on one PostgreSQL database, as behind a load balancer: an AuthnRequest sent
// by one is answered on the other, and an assertion used on one is refused on the other, even
// when both receive it at the same moment (the primary key of saml_assertions decides).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createApp } from '../../src/http/create-app.ts';
import type { Store } from '../../src/store/store.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { scimMember } from '../helpers/dashboard.ts';
import { auditEvents, configureSso, idpResponse, postAcs, startSpSignIn } from '../helpers/sso.ts';
import { skipReason } from '../helpers/stores.ts';

describe('SAML SSO across two instances on one PostgreSQL database', { skip: skipReason('postgres') }, () => {
  let t: TestApp;
  let secondStore: Store;
  let second: FastifyInstance;
  let slug: string;
  before(async () => {
    t = await setupApp('postgres');
    slug = t.org.organization.slug;
    await configureSso(t);
    secondStore = t.database.open();
    second = createApp(t.config, secondStore, { logger: false });
    await scimMember(t, 'kim@acme.test', { password: false });
  });
  after(async () => {
    await second?.close();
    await secondStore?.close();
    await t?.cleanup();
  });

  it('refuses on one instance an assertion already used on the other', async () => {
    const response = await idpResponse(t, { nameId: 'kim@acme.test' });
    assert.equal((await postAcs(t.app, slug, response)).statusCode, 303);
    const replay = await postAcs(second, slug, response);
    assert.equal(replay.statusCode, 400);
    assert.equal((await auditEvents(t, 'sso.login_failed'))[0]?.after?.reason, 'replayed');
  });

  it('lets exactly one of two simultaneous posts of one assertion through', async () => {
    const response = await idpResponse(t, { nameId: 'kim@acme.test' });
    const results = await Promise.all([postAcs(t.app, slug, response), postAcs(second, slug, response)]);
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [303, 400]);
  });

  it('answers on one instance the AuthnRequest sent by the other, with its return path', async () => {
    const start = await startSpSignIn(t.app, slug, '/workspaces');
    const res = await postAcs(
      second,
      slug,
      await idpResponse(t, { nameId: 'kim@acme.test', inResponseTo: start.requestId }),
      start.relayState,
      { loginCookie: start.loginCookie },
    );
    assert.equal(res.statusCode, 303, res.body);
    assert.equal(res.headers.location, '/workspaces');
  });
});
