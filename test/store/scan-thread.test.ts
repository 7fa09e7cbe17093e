// `roster serve` on SQLite runs the reads that no index serves (a `co` over every member) on a
// thread of its own: the same members, found the same way, without holding up the event loop.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CompiledQuery } from 'kysely';
import { parseFilter } from '../../src/scim/filter/parse-filter.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/store.ts';
import { addMember, initTestOrganization } from '../helpers/seed.ts';

describe('reads that no index serves, on a SQLite store with a scan thread', () => {
  let dir: string;
  let server: Store;
  let plain: Store;
  let organizationId: string;
  const onScanThread: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'roster-scan-store-'));
    const url = `sqlite:${join(dir, 'roster.db')}`;
    server = await openStore(url, { groupCommit: true, scanThread: true });
    plain = await openStore(url, { migrate: false });
    const scans = server.dialect.scans;
    assert.ok(scans, 'the server store has a scan thread');
    const run = scans.run.bind(scans);
    Object.assign(scans, {
      run: (query: CompiledQuery) => {
        onScanThread.push(query.sql);
        return run(query);
      },
    });
    organizationId = (await initTestOrganization(server)).organization.id;
    for (const name of ['anna', 'hannah', 'joanne', 'bob', 'rob', 'bobby']) {
      await addMember(server, organizationId, { userName: `${name}@acme.test`, email: `${name}@acme.test` });
    }
  });
  after(async () => {
    await server.close();
    await plain.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const page = (store: Store, filter: string) =>
    store.members
      .list(organizationId, { filter: parseFilter(filter), offset: 0, limit: 100 })
      .then((rows) => rows.map((row) => row.user_name));

  for (const filter of [
    'userName co "ann"',
    'userName ew "b@acme.test"',
    'userName ne "bob@acme.test"',
    'emails.value co "obb"',
    'not (userName sw "b")',
    'userName co "o" and userName co "b"',
  ]) {
    it(`answers ${filter} there, with the members the server's connection finds`, async () => {
      const before = onScanThread.length;
      const found = await page(server, filter);
      assert.equal(onScanThread.length, before + 1);
      assert.deepEqual(found, await page(plain, filter));
      assert.ok(found.length > 0, 'the filter finds someone');
    });
  }

  it('counts there too', async () => {
    const before = onScanThread.length;
    const filter = parseFilter('userName co "ob"');
    assert.equal(await server.members.count(organizationId, filter), 3);
    assert.equal(onScanThread.length, before + 1);
  });

  for (const filter of [
    'userName eq "BOB@acme.test"',
    'userName sw "bo"',
    'emails.value eq "rob@acme.test"',
  ]) {
    it(`answers ${filter} on the server's own connection`, async () => {
      const before = onScanThread.length;
      assert.deepEqual(await page(server, filter), await page(plain, filter));
      assert.equal(onScanThread.length, before);
    });
  }

  it('sorts every member there when no filter narrows them, and a filtered few on the server', async () => {
    const sorted = (store: Store, filter?: string) =>
      store.members
        .list(organizationId, {
          ...(filter ? { filter: parseFilter(filter) } : {}),
          sortBy: 'userName',
          descending: true,
          offset: 1,
          limit: 3,
        })
        .then((rows) => rows.map((row) => row.user_name));
    let before = onScanThread.length;
    assert.deepEqual(await sorted(server), await sorted(plain));
    assert.equal(onScanThread.length, before + 1);
    before = onScanThread.length;
    assert.deepEqual(await sorted(server, 'userName sw "b"'), ['bob@acme.test']);
    assert.equal(onScanThread.length, before);
  });

  it("runs the directory's searches and counts there, with the same answers", async () => {
    for (const search of [
      { text: 'b' },
      { text: 'anna', status: 'active' as const },
      { role: 'member' as const },
    ]) {
      const before = onScanThread.length;
      const page = { ...search, limit: 4 };
      assert.deepEqual(
        await server.members.search(organizationId, page),
        await plain.members.search(organizationId, page),
      );
      assert.equal(
        await server.members.countMatching(organizationId, search),
        await plain.members.countMatching(organizationId, search),
      );
      assert.equal(onScanThread.length, before + 2);
    }
  });

  it('finds a member added the moment before', async () => {
    await addMember(server, organizationId, { userName: 'zanne@acme.test', email: 'zanne@acme.test' });
    assert.deepEqual(await page(server, 'userName co "zann"'), ['zanne@acme.test']);
  });
});
