// Paging, sorting, concurrent creates and tenant isolation of /scim/v2/Users.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { initOrganization } from '../../src/accounts/organizations.ts';
import { createToken } from '../../src/accounts/tokens.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const user = (n: number) => ({
  userName: `person${String(n).padStart(2, '0')}@acme.test`,
  name: { givenName: `Given${n}`, familyName: `Family${30 - n}` },
  emails: [{ value: `person${String(n).padStart(2, '0')}@acme.test`, type: 'work', primary: true }],
});

for (const kind of STORE_KINDS) {
  describe(`paging and sorting Users (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    before(async () => {
      t = await setupApp(kind);
      for (let n = 1; n <= 24; n++) assert.equal((await t.scim('POST', 'Users', user(n))).statusCode, 201);
    });
    after(() => t.cleanup());

    it('returns each of 25 members exactly once across pages of 10, with a consistent total', async () => {
      const seen: string[] = [];
      for (const startIndex of [1, 11, 21]) {
        const body = (await t.scim('GET', `Users?startIndex=${startIndex}&count=10`)).json();
        assert.equal(body.totalResults, 25);
        assert.equal(body.startIndex, startIndex);
        assert.equal(body.itemsPerPage, body.Resources.length);
        seen.push(...body.Resources.map((r: { id: string }) => r.id));
      }
      assert.equal(seen.length, 25);
      assert.equal(new Set(seen).size, 25);
    });

    it('pages a filtered list the same way', async () => {
      const filter = encodeURIComponent('userName sw "person"');
      const seen: string[] = [];
      for (const startIndex of [1, 11, 21]) {
        const body = (await t.scim('GET', `Users?filter=${filter}&startIndex=${startIndex}&count=10`)).json();
        assert.equal(body.totalResults, 24);
        seen.push(...body.Resources.map((r: { userName: string }) => r.userName));
      }
      assert.deepEqual(seen, [...seen].sort());
      assert.equal(new Set(seen).size, 24);
    });

    // listMembers counts only when a page does not tell the total itself (full, or past the end).
    it('gives a filtered list the same total on a partial, a full, a last and a past-the-end page', async () => {
      const filter = encodeURIComponent('userName sw "person"');
      const pages: [number, number][] = [];
      for (const startIndex of [1, 13, 24, 25, 100]) {
        const body = (await t.scim('GET', `Users?filter=${filter}&startIndex=${startIndex}&count=12`)).json();
        assert.equal(body.totalResults, 24, `startIndex=${startIndex}`);
        pages.push([startIndex, body.Resources.length]);
      }
      assert.deepEqual(pages, [
        [1, 12],
        [13, 12],
        [24, 1],
        [25, 0],
        [100, 0],
      ]);
      const none = encodeURIComponent('userName eq "nobody@acme.test"');
      const empty = (await t.scim('GET', `Users?filter=${none}&startIndex=1&count=100`)).json();
      assert.equal(empty.totalResults, 0);
      assert.deepEqual(empty.Resources, []);
    });

    it('gives only the total for count=0', async () => {
      const body = (await t.scim('GET', 'Users?count=0')).json();
      assert.equal(body.totalResults, 25);
      assert.equal(body.itemsPerPage, 0);
      assert.deepEqual(body.Resources, []);
    });

    it('answers an empty page past the end', async () => {
      const body = (await t.scim('GET', 'Users?startIndex=100&count=10')).json();
      assert.equal(body.totalResults, 25);
      assert.deepEqual(body.Resources, []);
    });

    it('reads startIndex below 1 as 1 and caps count at the maximum page size', async () => {
      const body = (await t.scim('GET', 'Users?startIndex=0&count=100000')).json();
      assert.equal(body.startIndex, 1);
      assert.equal(body.Resources.length, 25);
    });

    it('refuses a non-numeric count with 400', async () => {
      const res = await t.scim('GET', 'Users?count=ten');
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().scimType, 'invalidValue');
    });

    it('sorts by name.familyName descending', async () => {
      const body = (
        await t.scim(
          'GET',
          'Users?sortBy=name.familyName&sortOrder=descending&filter=userName%20sw%20%22person%22&count=3',
        )
      ).json();
      assert.deepEqual(
        body.Resources.map((r: { name: { familyName: string } }) => r.name.familyName),
        ['Family9', 'Family8', 'Family7'],
      );
    });

    it('gives every member once, and the whole count, across pages sorted without a filter', async () => {
      const seen: string[] = [];
      for (const startIndex of [1, 11, 21]) {
        const body = (await t.scim('GET', `Users?sortBy=userName&startIndex=${startIndex}&count=10`)).json();
        assert.equal(body.totalResults, 25, `startIndex=${startIndex}`);
        seen.push(...body.Resources.map((r: { userName: string }) => r.userName));
      }
      assert.deepEqual(
        seen,
        [...seen].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)),
      );
      assert.equal(new Set(seen).size, 25);
      const counted = (await t.scim('GET', 'Users?sortBy=userName&count=0')).json();
      assert.equal(counted.totalResults, 25);
    });

    it('projects attributes and excludedAttributes', async () => {
      const only = (
        await t.scim('GET', 'Users?count=1&startIndex=2&attributes=userName,name.givenName')
      ).json().Resources[0];
      assert.deepEqual(Object.keys(only).sort(), ['id', 'name', 'schemas', 'userName']);
      assert.deepEqual(only.name, { givenName: 'Given1' });
      const without = (
        await t.scim('GET', 'Users?count=1&startIndex=2&excludedAttributes=emails,meta')
      ).json().Resources[0];
      assert.equal(without.emails, undefined);
      assert.equal(without.meta, undefined);
      assert.ok(without.userName);
    });
  });

  describe(`concurrent creates (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    before(async () => {
      t = await setupApp(kind);
    });
    after(() => t.cleanup());

    it('answers 20 identical concurrent POSTs with exactly one 201 and 409 for the rest', async () => {
      const body = {
        userName: 'race@acme.test',
        emails: [{ value: 'race@acme.test', primary: true }],
        externalId: 'race-1',
      };
      const responses = await Promise.all(Array.from({ length: 20 }, () => t.scim('POST', 'Users', body)));
      const statuses = responses.map((r) => r.statusCode).sort();
      assert.equal(statuses.filter((s) => s === 201).length, 1, statuses.join(','));
      assert.equal(statuses.filter((s) => s === 409).length, 19, statuses.join(','));
      const list = (
        await t.scim('GET', `Users?filter=${encodeURIComponent('userName eq "race@acme.test"')}`)
      ).json();
      assert.equal(list.totalResults, 1);
    });
  });

  describe(`tenant isolation (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let otherToken: string;
    let aliceId: string;
    before(async () => {
      t = await setupApp(kind);
      aliceId = (
        await t.scim('POST', 'Users', { userName: 'alice@acme.test', emails: [{ value: 'alice@acme.test' }] })
      ).json().id;
      const other = await initOrganization(t.store, {
        name: 'Globex',
        slug: 'globex',
        adminEmail: 'admin@globex.test',
        adminPassword: 'correct horse battery staple',
        actor: CLI_ACTOR,
      });
      otherToken = (
        await createToken(t.store, {
          kind: 'service',
          organizationId: other.organization.id,
          name: 'okta',
          role: 'admin',
          actor: CLI_ACTOR,
        })
      ).token;
    });
    after(() => t.cleanup());

    it("answers 404 for another organization's member on every method, and changes nothing", async () => {
      const before = await t.store.members.getById(t.org.organization.id, aliceId);
      const opts = { token: otherToken };
      assert.equal((await t.scim('GET', `Users/${aliceId}`, undefined, opts)).statusCode, 404);
      assert.equal(
        (await t.scim('PUT', `Users/${aliceId}`, { userName: 'alice@acme.test', active: false }, opts))
          .statusCode,
        404,
      );
      assert.equal(
        (
          await t.scim(
            'PATCH',
            `Users/${aliceId}`,
            { Operations: [{ op: 'replace', value: { active: false } }] },
            opts,
          )
        ).statusCode,
        404,
      );
      assert.equal((await t.scim('DELETE', `Users/${aliceId}`, undefined, opts)).statusCode, 404);
      assert.deepEqual(await t.store.members.getById(t.org.organization.id, aliceId), before);
    });

    it("never lists another organization's members, whatever the filter", async () => {
      for (const filter of [
        'userName eq "alice@acme.test"',
        `id eq "${aliceId}"`,
        'userName pr',
        'emails.value co "acme"',
      ]) {
        const body = (
          await t.scim('GET', `Users?filter=${encodeURIComponent(filter)}`, undefined, { token: otherToken })
        ).json();
        assert.ok(
          body.Resources.every((r: { userName: string }) => !r.userName.endsWith('@acme.test')),
          `${filter} leaked ${JSON.stringify(body.Resources)}`,
        );
      }
    });

    it('links the same person into a second organization as a separate member', async () => {
      const res = await t.scim(
        'POST',
        'Users',
        { userName: 'alice@acme.test', emails: [{ value: 'Alice@Acme.test' }] },
        { token: otherToken },
      );
      assert.equal(res.statusCode, 201);
      assert.notEqual(res.json().id, aliceId);
      const a = await t.store.members.getById(t.org.organization.id, aliceId);
      const rows = await t.store.members.listForUser(a?.user_id ?? '');
      assert.equal(rows.length, 2);
    });
  });
}
