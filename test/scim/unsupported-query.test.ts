// What the database cannot compare though SCIM allows it: `meta.location` depends on the server's
// public URL, so it is not stored. The store refuses it with its own error (UnsupportedQueryError);
// the client sees the same SCIM error it always has.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const CASES = [
  {
    name: 'a filter comparing meta.location',
    path: `Users?filter=${encodeURIComponent('meta.location eq "https://roster.test/scim/v2/Users/1"')}`,
    scimType: 'invalidFilter',
    detail: "Invalid filter: 'meta.location' cannot be compared: it depends on the server's public base URL",
  },
  {
    name: 'a sort by meta.location, named as the client wrote it',
    path: 'Users?sortBy=META.Location',
    scimType: 'invalidValue',
    detail: "Invalid sortBy: cannot sort by 'META.Location': it depends on the server's public base URL",
  },
] as const;

for (const kind of STORE_KINDS) {
  describe(`queries the database cannot answer (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    before(async () => {
      t = await setupApp(kind);
      await t.scim('POST', 'Users', { userName: 'kim@acme.test' });
    });
    after(() => t.cleanup());

    for (const c of CASES) {
      it(`answers ${c.name} with 400 ${c.scimType}`, async () => {
        const res = await t.scim('GET', c.path);
        assert.equal(res.statusCode, 400, res.body);
        assert.match(String(res.headers['content-type']), /^application\/scim\+json/);
        assert.deepEqual(res.json(), {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
          status: '400',
          scimType: c.scimType,
          detail: c.detail,
        });
      });
    }
  });
}
