// Events (the outbox the events API and the webhooks read) and webhook endpoints with their
// deliveries.
//
// An event is inserted by the transaction of the change it describes, without a position. A sequence
// value is taken before commit, so on PostgreSQL a later `seq` can become visible before an earlier
// one, and a reader walking by `seq` would step over the earlier one for good. So readers walk by
// `position` instead, which one sequencer (holding the `event_sequence` row) gives to committed
// events in the order it finds them: what commits later gets a later position. Two changes of one
// resource are serialized by its row lock, so they are found, and numbered, in their order.
import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../dialect.ts';

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const postgres = dialect === 'postgres';
  await db.schema
    .createTable('events')
    .addColumn('seq', postgres ? 'bigserial' : 'integer', (c) =>
      postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('position', 'bigint')
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('organization_id', 'text')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    // What per-resource ordering is kept by: `member:<id>`, `token:<id>`…
    .addColumn('resource_key', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('events_org_position')
    .on('events')
    .columns(['organization_id', 'position'])
    .execute();
  await db.schema.createIndex('events_position').on('events').column('position').execute();
  // The sequencer's work list: only events still without a position.
  await db.schema
    .createIndex('events_unsequenced')
    .on('events')
    .column('seq')
    .where(sql.ref('position'), 'is', null)
    .execute();

  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    // A JSON array of event types, or ["*"].
    .addColumn('types', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('previous_secret', 'text')
    .addColumn('previous_secret_expires_at', 'text')
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('disabled_reason', 'text')
    .addColumn('disabled_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    // The dashboard form that created it: the same form sent again (a reload) creates nothing more.
    .addColumn('form_nonce', 'text')
    .execute();
  await db.schema
    .createIndex('webhook_endpoints_form')
    .on('webhook_endpoints')
    .columns(['organization_id', 'form_nonce'])
    .unique()
    .execute();
  await db.schema
    .createIndex('webhook_endpoints_org')
    .on('webhook_endpoints')
    .column('organization_id')
    .execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('endpoint_id', 'text', (c) =>
      c.notNull().references('webhook_endpoints.id').onDelete('cascade'),
    )
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('resource_key', 'text', (c) => c.notNull())
    // The order deliveries of one resource to one endpoint keep: the event's position.
    .addColumn('position', 'bigint', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    // 'pending', 'delivered' or 'failed' (out of attempts).
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text')
    .addColumn('locked_until', 'text')
    .addColumn('last_attempt_at', 'text')
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('last_duration_ms', 'integer')
    .addColumn('last_response', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('delivered_at', 'text')
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_due')
    .on('webhook_deliveries')
    .columns(['state', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_resource')
    .on('webhook_deliveries')
    .columns(['endpoint_id', 'resource_key', 'position'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_log')
    .on('webhook_deliveries')
    .columns(['endpoint_id', 'id'])
    .execute();

  // The sequencer's last position: one row (id 1, written by the first sequencing), locked by the
  // instance that gives positions.
  await db.schema
    .createTable('event_sequence')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('last_position', 'bigint', (c) => c.notNull())
    .execute();
}
