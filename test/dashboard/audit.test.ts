// The audit log page, its filters and its exports.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { csvLine } from '../../src/audit/audit-log.ts';
import { diffJson } from '../../src/dashboard/json-diff.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { type BrowserSession, get, openSession, scimMember } from '../helpers/dashboard.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

const PATCH = (value: Record<string, unknown>) => ({
  schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
  Operations: [{ op: 'replace', value }],
});

for (const kind of STORE_KINDS) {
  describe(`the audit log (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let admin: BrowserSession;
    let danaId: string;
    beforeEach(async () => {
      t = await setupApp(kind);
      admin = await openSession(t, t.org.user.email);
      danaId = (
        await scimMember(t, 'dana@acme.test', { givenName: 'Dana', familyName: 'Lee', password: false })
      ).id;
      await t.scim('PATCH', `Users/${danaId}`, PATCH({ 'name.givenName': 'Danielle' }));
      await t.scim('PATCH', `Users/${danaId}`, PATCH({ active: false }));
    });
    afterEach(() => t.cleanup());

    it('shows every SCIM change with its actor and a before/after diff', async () => {
      const res = await get(t.app, '/audit', admin);
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /member\.deactivated/);
      assert.match(res.body, /member\.updated/);
      assert.match(res.body, /member\.created/);
      assert.match(res.body, /<a href="\/audit\?actor=[^"]+">okta<\/a>/);
      assert.match(
        res.body,
        /<td class="mono">name\.givenName<\/td><td class="before">Dana<\/td><td class="after">Danielle<\/td>/,
      );
      assert.match(
        res.body,
        /<td class="mono">status<\/td><td class="before">active<\/td><td class="after">deactivated<\/td>/,
      );
    });

    it('filters by action, actor, target and time range', async () => {
      const actions = async (query: string) =>
        [
          ...(await get(t.app, `/audit?${query}`, admin)).body.matchAll(
            /<code class="action">([a-z_]+\.[a-z_]+)<\/code>/g,
          ),
        ].map((m) => m[1]);
      assert.deepEqual(await actions('action=member.deactivated'), ['member.deactivated']);
      assert.deepEqual(await actions('actor=OKTA&action=member.updated'), ['member.updated']);
      assert.deepEqual(await actions(`target=${danaId}`), [
        'member.deactivated',
        'member.updated',
        'member.created',
      ]);
      assert.deepEqual(await actions('target=dana%40acme'), [
        'member.deactivated',
        'member.updated',
        'member.created',
      ]);
      assert.deepEqual(await actions('since=2000-01-01&until=2000-12-31'), []);
      const today = new Date().toISOString().slice(0, 10);
      assert.ok((await actions(`since=${today}&until=${today}`)).length >= 4);
      const bad = await get(t.app, '/audit?since=yesterday', admin);
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /Since must be a date/);
    });

    it('pages to older events by id', async () => {
      for (let i = 0; i < 55; i++) {
        await t.scim('PATCH', `Users/${danaId}`, PATCH({ displayName: `Name ${i}` }));
      }
      const first = await get(t.app, '/audit', admin);
      const older = /href="(\/audit\?before=\d+)">Older events/.exec(first.body)?.[1];
      assert.ok(older);
      const second = await get(t.app, older, admin);
      assert.equal(second.statusCode, 200);
      assert.match(second.body, /member\.created/);
      assert.match(second.body, /Newest events/);
    });

    it('exports the same filters as CSV and NDJSON', async () => {
      const csv = await get(t.app, `/audit/export.csv?target=${danaId}`, admin);
      assert.equal(csv.statusCode, 200);
      assert.match(String(csv.headers['content-type']), /^text\/csv/);
      assert.match(
        String(csv.headers['content-disposition']),
        /attachment; filename="roster-audit-acme-\d{4}-\d{2}-\d{2}\.csv"/,
      );
      const lines = csv.body.trimEnd().split('\r\n');
      assert.equal(
        lines[0],
        'id,occurred_at,actor_type,actor_id,actor_label,action,target_type,target_id,target_label,before,after,request_id',
      );
      assert.equal(lines.length, 4);
      assert.match(lines[1] ?? '', /member\.deactivated/);

      const ndjson = await get(t.app, '/audit/export.ndjson?action=member.deactivated', admin);
      assert.match(String(ndjson.headers['content-type']), /^application\/x-ndjson/);
      const events = ndjson.body
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line));
      assert.equal(events.length, 1);
      assert.equal(events[0].action, 'member.deactivated');
      assert.deepEqual(events[0].after, { status: 'deactivated', role: null, previousRole: 'member' });
      assert.equal(events[0].target.id, danaId);
    });

    it('streams an export larger than one read batch', async () => {
      for (let i = 0; i < 520; i++) {
        await t.store.audit.insert({
          organization_id: t.org.organization.id,
          occurred_at: new Date().toISOString(),
          actor_type: 'system',
          actor_id: null,
          actor_label: 'bulk',
          action: 'test.bulk',
          target_type: 'thing',
          target_id: String(i),
          target_label: null,
          before: null,
          after: null,
          request_id: null,
        });
      }
      const res = await get(t.app, '/audit/export.ndjson?action=test.bulk', admin);
      const ids = res.body
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line).target.id);
      assert.equal(ids.length, 520);
      assert.equal(new Set(ids).size, 520);
    });

    it('is for Admins only', async () => {
      const ann = await scimMember(t, 'ann@acme.test');
      const member = await openSession(t, ann.email);
      assert.equal((await get(t.app, '/audit', member)).statusCode, 403);
      assert.equal((await get(t.app, '/audit/export.csv', member)).statusCode, 403);
    });
  });
}

describe('audit rendering helpers', () => {
  it('quotes CSV cells and defuses spreadsheet formulas', () => {
    assert.equal(csvLine(['a', 'b,c', 'say "hi"', null, 3]), 'a,"b,c","say ""hi""",,3\r\n');
    assert.equal(csvLine(['=HYPERLINK("x")', '+1', '-2', '@me']), `"'=HYPERLINK(""x"")",'+1,'-2,'@me\r\n`);
  });

  it('diffs nested JSON by dotted path, arrays as a whole', () => {
    assert.deepEqual(
      diffJson(
        { name: { givenName: 'A' }, emails: [1], same: 1 },
        { name: { givenName: 'B' }, emails: [2], same: 1, added: true },
      ),
      [
        { path: 'added', before: undefined, after: 'true' },
        { path: 'emails', before: '[1]', after: '[2]' },
        { path: 'name.givenName', before: 'A', after: 'B' },
      ],
    );
    assert.deepEqual(diffJson(null, { role: 'admin' }), [
      { path: 'role', before: undefined, after: 'admin' },
    ]);
  });
});
