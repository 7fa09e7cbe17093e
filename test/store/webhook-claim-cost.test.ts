// What the delivery worker's two hot queries read with a backlog: looking for endpoints with work
// and claiming the next few deliveries of one walk webhook_deliveries_pending (migration 019) in
// event order and stop early, instead of reading every pending delivery and sorting them on each
// claim (which made draining a backlog quadratic). SQLite's plan; PostgreSQL's rows examined.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CompiledQuery, sql } from 'kysely';
import type { NewWebhookDelivery } from '../../src/store/repos/webhooks.ts';
import { isSelect, openRecordingStore, planOf, rowsExamined } from '../helpers/query-plans.ts';
import { createTestDatabase, STORE_KINDS, skipReason } from '../helpers/stores.ts';

const AT = '2026-01-02T03:04:05.000Z';
const LATER = '2027-01-01T00:00:00.000Z';
const SETTLED = 2000;
const PENDING = 1000;

for (const kind of STORE_KINDS) {
  describe(`the webhook claim's cost (${kind})`, { skip: skipReason(kind) }, () => {
    it(`reads a few rows of a backlog of ${PENDING} pending deliveries, not all of them`, async () => {
      const database = await createTestDatabase(kind);
      const seen: CompiledQuery[] = [];
      const store = openRecordingStore(database, seen);
      try {
        await store.migrate();
        await sql`insert into organizations (id, slug, name, default_role, member_seq, created_at, updated_at)
          values ('org-1', 'acme', 'Acme', 'member', 0, ${AT}, ${AT})`.execute(store.db);
        await store.db
          .insertInto('webhook_endpoints')
          .values({
            id: 'ep-1',
            organization_id: 'org-1',
            url: 'https://example.com/hook',
            description: null,
            types: '["*"]',
            secret: 'whsec_x',
            previous_secret: null,
            previous_secret_expires_at: null,
            enabled: 1,
            disabled_reason: null,
            disabled_at: null,
            created_at: AT,
            updated_at: AT,
            form_nonce: null,
          })
          .execute();
        // Three events each of many members, the oldest settled long ago.
        const rows: NewWebhookDelivery[] = Array.from({ length: SETTLED + PENDING }, (_, i) => ({
          id: `d-${String(i).padStart(6, '0')}`,
          endpoint_id: 'ep-1',
          organization_id: 'org-1',
          event_id: `evt_${i}`,
          event_type: 'member.updated',
          resource_key: `member:${i % 1000}`,
          position: i + 1,
          payload: '{}',
          state: i < SETTLED ? 'delivered' : 'pending',
          attempts: 0,
          next_attempt_at: AT,
          locked_until: null,
          created_at: AT,
        }));
        await store.webhooks.insertDeliveries(rows);
        if (kind === 'postgres') await sql`analyze webhook_deliveries`.execute(store.db);

        seen.length = 0;
        assert.deepEqual(
          (await store.webhooks.endpointsDue(LATER, [], 50)).map((endpoint) => endpoint.id),
          ['ep-1'],
        );
        const claimed = await store.transaction((tx) => tx.webhooks.claim('ep-1', LATER, LATER, 8));
        assert.deepEqual(
          claimed.map((row) => Number(row.position)),
          [2001, 2002, 2003, 2004, 2005, 2006, 2007, 2008],
        );
        // The look for work, and the claim's choice of rows (inside its UPDATE on the second).
        const selects = seen.filter(isSelect);
        assert.equal(selects.length, 1);
        const update = seen.find((query) => /^update "webhook_deliveries"/.test(query.sql));
        assert.ok(update);
        for (const query of [...selects, update]) {
          if (kind === 'sqlite') {
            const plan = await planOf(store.db, 'sqlite', query);
            assert.match(plan, /SEARCH d USING INDEX webhook_deliveries_pending \(endpoint_id=\?\)/, plan);
            assert.doesNotMatch(plan, /TEMP B-TREE|SCAN (d|p|webhook_deliveries)\b/, plan);
          } else {
            // The claimed rows are claimed by now: the claim would take the next eight.
            const examined = await rowsExamined(store.db, query, ['webhook_deliveries']);
            assert.ok(examined <= 60, `${examined} deliveries examined: ${query.sql}`);
          }
        }

        // Given back unsent (the worker's queue outlived the lease's cover): claimable again at
        // once, the attempt uncounted; a release whose claim was lost changes nothing. (On
        // PostgreSQL the measured UPDATE above ran, claiming the same rows once more.)
        const before = await Promise.all(claimed.map((row) => store.webhooks.getDelivery('ep-1', row.id)));
        await store.webhooks.release([
          ...claimed.map((row) => ({ id: row.id, leaseUntil: LATER })),
          { id: 'd-002999', leaseUntil: LATER },
        ]);
        const again = await store.webhooks.claim('ep-1', LATER, LATER, 8);
        assert.deepEqual(
          again.map((row) => [Number(row.position), row.attempts]),
          before.map((row) => [Number(row?.position), row?.attempts]),
        );
        const untouched = await store.webhooks.getDelivery('ep-1', 'd-002999');
        assert.equal(untouched?.attempts, 0);
        assert.equal(untouched?.locked_until, null);
      } finally {
        await store.close();
        await database.drop();
      }
    });
  });
}
