// The events API read for the whole installation with an installation token: every organization's
// events in one order (the same cursors), the installation's own types (member.linked) and events of
// no organization; `organization=` for one. An organization's credential still reads only its own.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createInstallationToken, revokeInstallationToken } from '../../src/accounts/installation-tokens.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { recordEvent } from '../../src/events/record-event.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { initTestOrganization, serviceToken } from '../helpers/seed.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

interface EventsPage {
  data: { id: string; type: string; organization: { id: string } | null; data: Record<string, unknown> }[];
  nextCursor: string;
  hasMore: boolean;
}

const user = (email: string) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName: email,
  emails: [{ value: email, type: 'work', primary: true }],
  active: true,
});

for (const kind of STORE_KINDS) {
  describe(`the events API for the installation (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let product: string;
    let acme: string;
    let beta: string;
    let betaToken: string;
    let start: string;

    const read = (query: string, token: string | null) =>
      t.app.inject({
        method: 'GET',
        url: `/api/v1/events${query}`,
        headers: token === null ? {} : { authorization: `Bearer ${token}` },
      });
    async function events(query: string, token: string): Promise<EventsPage> {
      const response = await read(query, token);
      assert.equal(response.statusCode, 200, response.body);
      return response.json() as EventsPage;
    }
    const summary = (page: EventsPage) =>
      page.data.map(
        (event) => `${event.organization?.id ?? 'none'} ${event.type} ${event.data.userName ?? ''}`,
      );

    before(async () => {
      t = await setupApp(kind, 'acme', { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
      acme = t.org.organization.id;
      product = (await createInstallationToken(t.store, { name: 'saas', actor: CLI_ACTOR })).token;
      const other = await initTestOrganization(t.store, { name: 'Beta', slug: 'beta' });
      beta = other.organization.id;
      betaToken = (await serviceToken(t.store, beta)).token;
      start = (await events('?limit=1000', product)).nextCursor;
      // Acme's IdP creates Ada; Beta's creates Bo, then Ada, whose account exists: member.linked.
      assert.equal((await t.scim('POST', 'Users', user('ada@acme.test'))).statusCode, 201);
      for (const email of ['bo@beta.test', 'ada@acme.test'])
        assert.equal((await t.scim('POST', 'Users', user(email), { token: betaToken })).statusCode, 201);
    });
    after(() => t.cleanup());

    it("reads every organization's events in the order they happened, member.linked included", async () => {
      const page = await events(`?after=${start}`, product);
      assert.deepEqual(summary(page), [
        `${acme} member.created ada@acme.test`,
        `${beta} member.created bo@beta.test`,
        `${beta} member.created ada@acme.test`,
        `${beta} member.linked ada@acme.test`,
      ]);
      assert.equal(page.hasMore, false);
      // The same pages one event at a time, with the same cursors.
      const walked: EventsPage['data'] = [];
      let cursor = start;
      for (;;) {
        const one = await events(`?after=${cursor}&limit=1`, product);
        walked.push(...one.data);
        cursor = one.nextCursor;
        if (!one.hasMore) break;
      }
      assert.deepEqual(walked, page.data);
      assert.equal(cursor, page.nextCursor);
      const linked = await events(`?after=${start}&types=member.linked`, product);
      assert.deepEqual(summary(linked), [`${beta} member.linked ada@acme.test`]);
    });

    it('reads one organization with organization=, and refuses an unknown one with a 404', async () => {
      const page = await events(`?after=${start}&organization=${beta}`, product);
      assert.deepEqual(summary(page), [
        `${beta} member.created bo@beta.test`,
        `${beta} member.created ada@acme.test`,
        `${beta} member.linked ada@acme.test`,
      ]);
      const unknown = await read('?organization=no-such-organization', product);
      assert.equal(unknown.statusCode, 404, unknown.body);
      assert.equal(unknown.json().error.code, 'not_found');
    });

    it('shows an organization token its own events only, never member.linked', async () => {
      assert.deepEqual(summary(await events(`?after=${start}`, t.token)), [
        `${acme} member.created ada@acme.test`,
      ]);
      assert.deepEqual(summary(await events(`?after=${start}`, betaToken)), [
        `${beta} member.created bo@beta.test`,
        `${beta} member.created ada@acme.test`,
      ]);
      assert.equal((await read(`?organization=${acme}`, t.token)).statusCode, 200);
      const elsewhere = await read(`?organization=${beta}`, t.token);
      assert.equal(elsewhere.statusCode, 403, elsewhere.body);
      assert.equal(elsewhere.json().error.code, 'forbidden');
      assert.equal((await read('?types=member.linked', betaToken)).statusCode, 400);
    });

    it('lists an event of no organization to the installation only', async () => {
      const from = (await events(`?after=${start}`, product)).nextCursor;
      await t.store.transaction((tx) =>
        recordEvent(tx, {
          type: 'organization.created',
          organizationId: null,
          actor: CLI_ACTOR,
          data: { object: 'installation', id: 'installation' },
        }),
      );
      const page = await events(`?after=${from}`, product);
      assert.equal(page.data.length, 1);
      assert.equal(page.data[0]?.organization, null);
      assert.deepEqual((await events(`?after=${from}`, t.token)).data, []);
      assert.equal((await events(`?after=${from}&organization=${acme}`, product)).data.length, 0);
    });

    it('refuses a missing, unknown, malformed or revoked token with a 401', async () => {
      const revoked = await createInstallationToken(t.store, { name: 'old', actor: CLI_ACTOR });
      await revokeInstallationToken(t.store, { id: revoked.id, actor: CLI_ACTOR });
      const unknown = `rst_iat_${'A'.repeat(product.length - 'rst_iat_'.length)}`;
      for (const token of [null, unknown, 'rst_iat_short', revoked.token]) {
        const response = await read('', token);
        assert.equal(response.statusCode, 401, `${token}: ${response.body}`);
        assert.equal(response.json().error.code, 'unauthorized');
        assert.match(String(response.headers['www-authenticate']), /^Bearer realm="Roster"/);
      }
    });
  });
}
