// Regression (security round two, weakness 9): responses signed over SHA-1 were accepted. They are
// refused by default with the typed reason `weak_signature`, read from the signature node-saml
// verified (a SHA-256 decoy beside a SHA-1 signature does not pass); an organization may allow them
// (API, dashboard, CLI elsewhere), and its SSO page warns while it does.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ResponseOptions } from '../../src/auth/saml/test-idp/test-idp.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { get, openSession, post, scimMember, setCookie } from '../helpers/dashboard.ts';
import {
  auditEvents,
  configureSso,
  IDP_ENTITY_ID,
  postAcs,
  putSso,
  sessionCount,
  spOf,
  testIdps,
} from '../helpers/sso.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const SSO_PAGE = '/settings/organization/sso';

for (const kind of STORE_KINDS) {
  describe(`SAML signatures over SHA-1 (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let slug: string;
    let person: { id: string; email: string };
    before(async () => {
      t = await setupApp(kind);
      slug = t.org.organization.slug;
      await configureSso(t);
      person = await scimMember(t, 'sha@acme.test', { password: false });
    });
    after(() => t?.cleanup());

    async function responseXml(options: Partial<ResponseOptions>): Promise<string> {
      const { idp } = await testIdps();
      const sp = spOf(t);
      return idp.responseXml({
        acsUrl: sp.acsUrl,
        audience: sp.entityId,
        nameId: person.email,
        attributes: { email: person.email },
        ...options,
      });
    }
    const base64 = (xml: string) => Buffer.from(xml).toString('base64');

    async function assertWeak(xml: string) {
      const sessionsBefore = await sessionCount(t);
      const res = await postAcs(t.app, slug, base64(xml));
      assert.equal(res.statusCode, 400, res.body.slice(0, 300));
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.match(res.body, /signed with SHA-1, which this organization does not accept/);
      assert.match(res.body, /<span class="mono">weak_signature<\/span>/);
      assert.equal(setCookie(res, 'roster_session'), undefined);
      assert.equal(await sessionCount(t), sessionsBefore, 'no session');
      // Refused before the assertion is consumed, so the same response may come again and again:
      // the failure is counted as unauthenticated, without the NameID or detail (record-audit.ts).
      const failure = (await auditEvents(t, 'sso.login_failed'))[0];
      assert.equal(failure?.after?.reason, 'weak_signature');
      assert.equal(failure?.after?.unauthenticated, true);
      assert.equal(failure?.after?.nameId, undefined);
    }

    const refused: { name: string; options: Partial<ResponseOptions> }[] = [
      { name: 'an assertion signed with RSA-SHA1', options: { sign: 'assertion', signatureHash: 'sha1' } },
      { name: 'a response signed with RSA-SHA1', options: { sign: 'response', signatureHash: 'sha1' } },
      { name: 'both signed with RSA-SHA1', options: { sign: 'both', signatureHash: 'sha1' } },
      {
        name: 'RSA-SHA256 over a SHA-1 digest',
        options: { sign: 'assertion', signatureHash: 'sha256', digestHash: 'sha1' },
      },
    ];
    for (const c of refused) {
      it(`refuses ${c.name} by default, as weak_signature`, async () => {
        await assertWeak(await responseXml(c.options));
        assert.equal((await t.store.sso.getSettings(t.org.organization.id))?.allow_sha1_signatures, 0);
      });
    }

    it('reads the algorithm of the signature node-saml verified, not of a SHA-256 decoy beside it', async () => {
      // The assertion is validly signed with SHA-1; the Response carries a well-formed RSA-SHA256
      // signature (from another response) pointing at it, which does not verify: node-saml passes
      // over it and accepts the assertion's. A check of "the Response's signature" or "the first
      // signature" would see SHA-256.
      const target = await responseXml({ sign: 'assertion', signatureHash: 'sha1' });
      const responseId = /<samlp:Response [^>]*\bID="([^"]+)"/.exec(target)?.[1];
      assert.ok(responseId);
      const donor = await responseXml({ sign: 'response', signatureHash: 'sha256' });
      const decoy = /<ds:Signature[\s\S]*?<\/ds:Signature>/
        .exec(donor)?.[0]
        ?.replace(/URI="#[^"]+"/, `URI="#${responseId}"`);
      assert.ok(decoy?.includes('rsa-sha256'));
      const xml = target.replace(
        /(<samlp:Response [^>]*>\s*<saml:Issuer>[^<]*<\/saml:Issuer>)/,
        `$1${decoy}`,
      );
      assert.notEqual(xml, target);
      // Reading the decoy's SHA-256 would have let the response sign in (303).
      await assertWeak(xml);
    });

    it('accepts SHA-256 signatures as before', async () => {
      const res = await postAcs(t.app, slug, base64(await responseXml({ sign: 'both' })));
      assert.equal(res.statusCode, 303, res.body.slice(0, 300));
      assert.ok(setCookie(res, 'roster_session'));
    });

    it('shows no warning on the SSO page while SHA-1 is refused', async () => {
      const session = await openSession(t, t.org.user.email);
      const page = await get(t.app, SSO_PAGE, session);
      assert.equal(page.statusCode, 200);
      assert.doesNotMatch(page.body, /SHA-1 signatures are accepted/);
      assert.match(page.body, /<input type="checkbox" name="allowSha1Signatures" value="on">/);
    });

    it('accepts SHA-1 once the organization allows it (API), audited, and its SSO page warns', async () => {
      const res = await putSso(t, { allowSha1Signatures: true });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().allowSha1Signatures, true);
      assert.equal((await t.store.sso.getSettings(t.org.organization.id))?.allow_sha1_signatures, 1);
      const event = (await auditEvents(t, 'sso.settings_updated'))[0];
      assert.equal(event?.after?.allowSha1Signatures, true);

      for (const sign of ['assertion', 'response'] as const) {
        const signedIn = await postAcs(
          t.app,
          slug,
          base64(await responseXml({ sign, signatureHash: 'sha1' })),
        );
        assert.equal(signedIn.statusCode, 303, signedIn.body.slice(0, 300));
        assert.ok(setCookie(signedIn, 'roster_session'));
        assert.equal((await auditEvents(t, 'sso.login'))[0]?.target_id, person.id);
      }

      const session = await openSession(t, t.org.user.email);
      const page = await get(t.app, SSO_PAGE, session);
      assert.match(
        page.body,
        /<div class="warning" role="alert" id="sha1-warning"><strong>SHA-1 signatures are accepted\.<\/strong>/,
      );
      assert.match(page.body, /name="allowSha1Signatures" value="on" checked>/);
    });

    it('refuses SHA-1 again when the dashboard form is saved with the box unticked', async () => {
      const session = await openSession(t, t.org.user.email);
      const { idp } = await testIdps();
      const saved = await post(t.app, SSO_PAGE, session, {
        idpEntityId: IDP_ENTITY_ID,
        idpSsoUrl: 'https://idp.example/app/roster/sso/saml',
        idpCertificate: idp.certificatePem,
        domains: 'acme.test',
      });
      assert.equal(saved.statusCode, 303, saved.body.slice(0, 300));
      assert.equal((await t.store.sso.getSettings(t.org.organization.id))?.allow_sha1_signatures, 0);
      await assertWeak(await responseXml({ sign: 'assertion', signatureHash: 'sha1' }));
      const page = await get(t.app, SSO_PAGE, session);
      assert.doesNotMatch(page.body, /SHA-1 signatures are accepted/);

      const ticked = await post(t.app, SSO_PAGE, session, {
        idpEntityId: IDP_ENTITY_ID,
        idpSsoUrl: 'https://idp.example/app/roster/sso/saml',
        idpCertificate: idp.certificatePem,
        domains: 'acme.test',
        allowSha1Signatures: 'on',
      });
      assert.equal(ticked.statusCode, 303);
      assert.equal((await t.store.sso.getSettings(t.org.organization.id))?.allow_sha1_signatures, 1);
      assert.equal((await putSso(t, { allowSha1Signatures: false })).statusCode, 200);
    });

    it('refuses a non-boolean allowSha1Signatures with a 400 and stores nothing', async () => {
      const before = await t.store.sso.getSettings(t.org.organization.id);
      const res = await putSso(t, { allowSha1Signatures: 'yes' });
      assert.equal(res.statusCode, 400);
      assert.match(res.json().error.message, /allowSha1Signatures must be true or false/);
      assert.deepEqual(await t.store.sso.getSettings(t.org.organization.id), before);
    });
  });
}
