// The product's whole path in Chromium: the example product (examples/oidc-product/product.mjs,
// openid-client) signs a person in with Roster; Roster signs them in with their organization's SAML
// IdP (the test IdP, at another site); the product shows their organization, role and workspaces
// from the ID token. Then the IdP deactivates them over SCIM: Roster sends the product a
// back-channel logout and the product's session is gone; reactivated, they sign in again.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startProduct } from '../../examples/oidc-product/product.mjs';
import { saveSsoSettings } from '../../src/accounts/sso-settings.ts';
import { createToken } from '../../src/accounts/tokens.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { serviceProviderUrls } from '../../src/auth/saml/service-provider.ts';
import { startTestIdpServer, type TestIdpServer } from '../../src/auth/saml/test-idp/test-idp-server.ts';
import { browserSkipReason, launchChromium } from '../helpers/browser.ts';
import { freePort } from '../helpers/net.ts';
import { newApp, type OidcServer, startOidcServer } from '../helpers/oidc.ts';
import { testIdps } from '../helpers/sso.ts';

const PERSON = 'pat.doe@acme.test';

describe('a product signed in with Roster, in Chromium', {
  skip: browserSkipReason(),
  timeout: 90_000,
}, () => {
  let server: OidcServer;
  let idpServer: TestIdpServer;
  let browser: Browser;
  let product: Awaited<ReturnType<typeof startProduct>>;
  let productUrl = '';
  let token = '';
  let memberId = '';

  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${server.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': path.startsWith('/scim') ? 'application/scim+json' : 'application/json',
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  const setActive = async (active: boolean) => {
    const res = await api('PATCH', `/scim/v2/Users/${memberId}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', value: { active } }],
    });
    assert.equal(res.status, 200, await res.text());
  };

  /** Signs in from the product's page: Roster's sign-in, then the organization's IdP. */
  async function signIn(page: Page) {
    await page.goto(productUrl);
    assert.equal(await page.locator('#status').textContent(), 'Signed out.');
    await page.click('#login');
    await page.waitForURL(/\/signin\?next=/);
    await page.getByLabel('Email address').fill(PERSON);
    await page.getByRole('button', { name: 'Continue with SSO' }).click();
    await page.waitForURL(`${productUrl}/`);
  }

  before(async () => {
    server = await startOidcServer('sqlite', 200);
    ({ token } = await createToken(server.store, {
      kind: 'service',
      organizationId: server.organizationId,
      name: 'okta',
      role: 'admin',
      actor: CLI_ACTOR,
    }));
    const sp = serviceProviderUrls(server.baseUrl, 'acme');
    const { idp } = await testIdps();
    idpServer = await startTestIdpServer({
      idp,
      sp: { entityId: sp.entityId, acsUrl: sp.acsUrl },
      signInAs: () => PERSON,
      publicHost: 'idp.localhost',
    });
    await saveSsoSettings(server.store, {
      organizationId: server.organizationId,
      settings: { idpMetadataXml: idp.metadataXml(idpServer.ssoUrl), domains: ['acme.test'] },
      actor: CLI_ACTOR,
      publicUrl: server.baseUrl,
    });
    await server.store.transaction((tx) =>
      tx.sso.markDomainVerified(server.organizationId, 'acme.test', new Date().toISOString()),
    );
    const created = await api('POST', '/scim/v2/Users', {
      userName: PERSON,
      name: { givenName: 'Pat', familyName: 'Doe' },
      emails: [{ value: PERSON, type: 'work', primary: true }],
    });
    const body = await created.text();
    assert.equal(created.status, 201, body);
    memberId = (JSON.parse(body) as { id: string }).id;
    const workspace = await api('POST', '/api/v1/workspaces', { name: 'Analytics' });
    const workspaceBody = await workspace.text();
    assert.equal(workspace.status, 201, workspaceBody);
    const workspaceId = (JSON.parse(workspaceBody) as { id: string }).id;
    const granted = await api('PUT', `/api/v1/members/${memberId}/workspaces/${workspaceId}`);
    assert.ok(granted.ok, await granted.text());

    const port = await freePort();
    productUrl = `http://localhost:${port}`;
    const app = await newApp(server.store, `${productUrl}/callback`, `${productUrl}/backchannel-logout`);
    product = await startProduct({
      issuer: server.issuer,
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      port,
      insecure: true,
    });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await product?.close();
    await idpServer?.close();
    await server?.stop();
  });

  it('signs in through the IdP and shows the organization, role and workspaces; deactivation logs the product out; reactivation signs in again', async () => {
    const page = await (await browser.newContext()).newPage();
    await signIn(page);
    assert.equal(await page.locator('#email').textContent(), PERSON);
    assert.equal(await page.locator('#organization').textContent(), 'Acme Inc');
    assert.equal(await page.locator('#role').textContent(), 'member');
    assert.deepEqual(await page.locator('#workspaces li').allTextContents(), ['Analytics']);
    assert.equal(idpServer.requests.length, 1, 'the IdP was asked once');
    assert.equal(product.sessions.size, 1);

    await setActive(false);
    // The back-channel logout reaches the product within a few delivery rounds.
    for (let waited = 0; product.sessions.size > 0 && waited < 10_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(product.sessions.size, 0, "the product's session is gone");
    await page.reload();
    assert.equal(await page.locator('#status').textContent(), 'Signed out.');

    await setActive(true);
    await signIn(page);
    assert.equal(await page.locator('#organization').textContent(), 'Acme Inc');
    assert.equal(
      idpServer.requests.length,
      2,
      'through the IdP again: the Roster session ended with the deactivation',
    );
    await page.context().close();
  });
});
