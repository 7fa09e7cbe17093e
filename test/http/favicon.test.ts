// "/favicon.ico is a 404 (a console error in every browser)" (issue 15, also reported).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setupApp, type TestApp } from '../helpers/app.ts';

describe('/favicon.ico', () => {
  let t: TestApp;
  before(async () => {
    t = await setupApp('sqlite');
  });
  after(() => t?.cleanup());

  it('answers 204 with no body, cached for a day, instead of a 404', async () => {
    for (const method of ['GET', 'HEAD'] as const) {
      const res = await t.app.inject({ method, url: '/favicon.ico' });
      assert.equal(res.statusCode, 204, method);
      assert.equal(res.body, '');
      assert.equal(res.headers['cache-control'], 'public, max-age=86400');
    }
  });
});
