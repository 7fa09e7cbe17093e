// The member directory at 100,000 members (SQLite): the first page, a search, a status filter and a
// deep page all answer through index ranges, never by loading the organization. Timings are
// reported as test diagnostics, not asserted (they depend on the machine); see docs/dashboard.md.
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { encodeCursor } from '../../src/accounts/member-directory.ts';
import { newMemberRow } from '../../src/membership/member-row.ts';
import type { MemberEmailsTable } from '../../src/store/schema.ts';
import { setupApp, type TestApp } from '../helpers/app.ts';
import { type BrowserSession, get, openSession } from '../helpers/dashboard.ts';

const MEMBERS = 100_000;
const GIVEN = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Tim'];
const FAMILY = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Allen',
  'Thompson',
  'Perlman',
  'Berners',
];

const userName = (i: number) => `user-${String(i).padStart(6, '0')}@big.test`;

/** Users, memberships and emails in batched multi-row inserts, one transaction. */
async function seed(t: TestApp): Promise<void> {
  const organizationId = t.org.organization.id;
  const at = new Date().toISOString();
  const firstSeq = t.org.organization.member_seq + 1;
  await t.store.withTransaction(async (db) => {
    const batch = 1000;
    for (let start = 0; start < MEMBERS; start += batch) {
      const users = [];
      const members = [];
      const emails: MemberEmailsTable[] = [];
      for (let i = start; i < Math.min(MEMBERS, start + batch); i++) {
        const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
        const given = GIVEN[i % GIVEN.length] ?? 'Ada';
        const family = FAMILY[Math.floor(i / GIVEN.length) % FAMILY.length] ?? 'Lovelace';
        const email = userName(i);
        const deactivated = i % 10 === 9;
        users.push({ id, email, display_name: null, password_hash: null, created_at: at, updated_at: at });
        const member = newMemberRow({
          id,
          organizationId,
          userId: id,
          seq: firstSeq + i,
          document: {
            userName: email,
            externalId: `ext-${i}`,
            displayName: `${given} ${family}`,
            name: { givenName: given, familyName: family },
            emails: [{ value: email, type: 'work', primary: true }],
          },
          source: 'scim',
          role: i % 1000 === 0 ? 'admin' : 'member',
          active: !deactivated,
          at,
        });
        members.push(member.row);
        member.emails.forEach((address, position) => {
          emails.push({
            membership_id: id,
            organization_id: organizationId,
            position,
            value: address.value,
            type: address.type,
            primary: address.primary ? 1 : 0,
          });
        });
      }
      await db.insertInto('users').values(users).execute();
      await db.insertInto('memberships').values(members).execute();
      await db.insertInto('member_emails').values(emails).execute();
    }
    await db
      .updateTable('organizations')
      .set({ member_seq: firstSeq + MEMBERS - 1 })
      .where('id', '=', organizationId)
      .execute();
  });
}

describe(`a directory of ${MEMBERS.toLocaleString('en-US')} members (sqlite)`, () => {
  let t: TestApp;
  let admin: BrowserSession;
  const timings: string[] = [];

  before(async () => {
    t = await setupApp('sqlite');
    const started = performance.now();
    await seed(t);
    timings.push(`seed ${MEMBERS} members: ${Math.round(performance.now() - started)} ms`);
    admin = await openSession(t, t.org.user.email);
  });
  after(async (context) => {
    void context;
    process.stdout.write(`# timings: ${timings.join('; ')}\n`);
    await t.cleanup();
  });

  async function timed(label: string, url: string) {
    await get(t.app, url, admin); // warm the statement cache once, as a running server would be
    const started = performance.now();
    const res = await get(t.app, url, admin);
    timings.push(`${label}: ${(performance.now() - started).toFixed(1)} ms`);
    assert.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 200)}`);
    return [...res.body.matchAll(/<td data-label="Name"><div><a href="\/members\/([^"]+)">/g)].map(
      (m) => m[1],
    );
  }

  it('answers the first page with 50 rows and the total', async () => {
    const rows = await timed('first page', '/members');
    assert.equal(rows.length, 50);
  });

  it('answers a prefix search over names and emails', async () => {
    assert.equal((await timed('search "user-09999"', '/members?q=user-09999')).length, 10);
    assert.equal((await timed('search "turing" (10,000 matches)', '/members?q=turing')).length, 50);
  });

  it('answers a status filter', async () => {
    const rows = await timed('status=deactivated', '/members?status=deactivated');
    assert.equal(rows.length, 50);
  });

  it('answers a deep page by cursor', async () => {
    const rows = await timed(
      'deep page (after user-099000)',
      `/members?after=${encodeCursor(userName(99_000))}`,
    );
    assert.equal(rows.length, 50);
    assert.equal(rows[0], '00000000-0000-4000-8000-000000099001');
    const filtered = await timed(
      'deep page, deactivated only',
      `/members?status=deactivated&after=${encodeCursor(userName(90_000))}`,
    );
    assert.equal(filtered.length, 50);
  });

  it('answers the API the same way', async () => {
    const request = () =>
      t.app.inject({
        method: 'GET',
        url: `/api/v1/members?search=grace&status=active&limit=200&cursor=${encodeCursor(userName(50_000))}`,
        headers: { authorization: `Bearer ${t.token}` },
      });
    await request();
    const started = performance.now();
    const res = await request();
    timings.push(`API search+status+cursor: ${(performance.now() - started).toFixed(1)} ms`);
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().data.length, 200);
  });
});
