import { type Insertable, type Selectable, sql } from 'kysely';
import type { DeliveryState, WebhookDeliveriesTable, WebhookEndpointsTable } from '../schema.ts';
import type { RepoContext } from './context.ts';

export type WebhookEndpointRow = Selectable<WebhookEndpointsTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
export type NewWebhookDelivery = Insertable<WebhookDeliveriesTable>;

/**
 * `state = 'pending'` written as a literal, not a parameter: only then may SQLite (and a generic
 * PostgreSQL plan) use the partial index webhook_deliveries_pending (migration 019).
 */
const PENDING = sql.lit<DeliveryState>('pending');

/** What one attempt gave, as the delivery log shows it. */
export interface AttemptOutcome {
  at: string;
  status: number | null;
  error: string | null;
  durationMs: number;
  response: string | null;
}

/** Webhook endpoints and their deliveries (migrations/013-events-and-webhooks.ts). */
export class WebhookRepo {
  constructor(private readonly ctx: RepoContext) {}

  async insertEndpoint(row: WebhookEndpointRow): Promise<void> {
    await this.ctx.db.insertInto('webhook_endpoints').values(row).execute();
  }

  async endpointByFormNonce(organizationId: string, nonce: string): Promise<WebhookEndpointRow | undefined> {
    return this.ctx.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('form_nonce', '=', nonce)
      .executeTakeFirst();
  }

  /** An organization's endpoints, or the installation's (`null`): those that hear every organization. */
  async listEndpoints(organizationId: string | null): Promise<WebhookEndpointRow[]> {
    return this.ctx.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('organization_id', organizationId === null ? 'is' : '=', organizationId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  /** An endpoint of an organization, or of the installation (`null`): never one of another scope. */
  async getEndpoint(organizationId: string | null, id: string): Promise<WebhookEndpointRow | undefined> {
    return this.ctx.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('organization_id', organizationId === null ? 'is' : '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** The endpoint a delivery belongs to, whatever its scope (the delivery worker). */
  async endpointById(id: string): Promise<WebhookEndpointRow | undefined> {
    return this.ctx.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async updateEndpoint(row: WebhookEndpointRow): Promise<void> {
    const { id, organization_id, ...columns } = row;
    await this.ctx.db
      .updateTable('webhook_endpoints')
      .set(columns)
      .where('organization_id', organization_id === null ? 'is' : '=', organization_id)
      .where('id', '=', id)
      .execute();
  }

  async deleteEndpoint(organizationId: string | null, id: string): Promise<void> {
    await this.ctx.db.deleteFrom('webhook_deliveries').where('endpoint_id', '=', id).execute();
    await this.ctx.db
      .deleteFrom('webhook_endpoints')
      .where('organization_id', organizationId === null ? 'is' : '=', organizationId)
      .where('id', '=', id)
      .execute();
  }

  /**
   * The fan-out's subscribers: the enabled endpoints of these organizations and the enabled
   * installation-wide ones (which hear every organization).
   */
  async enabledEndpointsOf(organizationIds: readonly string[]): Promise<WebhookEndpointRow[]> {
    return this.ctx.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where((eb) =>
        organizationIds.length === 0
          ? eb('organization_id', 'is', null)
          : eb.or([eb('organization_id', 'in', organizationIds), eb('organization_id', 'is', null)]),
      )
      .where('enabled', '=', 1)
      .execute();
  }

  /** Organizations' endpoints turned off by failures, for the dashboard's notice. */
  async autoDisabledCount(organizationId: string): Promise<number> {
    const row = await this.ctx.db
      .selectFrom('webhook_endpoints')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('organization_id', '=', organizationId)
      .where('enabled', '=', 0)
      .where('disabled_reason', 'is not', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Deliveries still to be sent, every organization's (the metrics' backlog gauge). */
  async pendingCount(): Promise<number> {
    const row = await this.ctx.db
      .selectFrom('webhook_deliveries')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('state', '=', 'pending')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async insertDeliveries(rows: readonly NewWebhookDelivery[]): Promise<void> {
    // Batches keep each statement under SQLite's and PostgreSQL's parameter limits.
    for (let i = 0; i < rows.length; i += 200) {
      await this.ctx.db
        .insertInto('webhook_deliveries')
        .values(rows.slice(i, i + 200))
        .execute();
    }
  }

  /**
   * Enabled endpoints with a delivery due now, other than `busy` ones (as they are now: the worker
   * sends what it claims next with this URL and these secrets): for each endpoint, the first
   * due one of its pending deliveries (webhook_deliveries_pending, migration 019) is enough.
   */
  async endpointsDue(at: string, busy: readonly string[], limit: number): Promise<WebhookEndpointRow[]> {
    // A scalar subquery with LIMIT 1 rather than EXISTS: PostgreSQL would turn EXISTS into a join
    // that reads every pending delivery; this stops at each endpoint's first due one.
    let builder = this.ctx.db
      .selectFrom('webhook_endpoints as e')
      .selectAll('e')
      .where('e.enabled', '=', 1)
      .where(
        (eb) =>
          eb
            .selectFrom('webhook_deliveries as d')
            .select(sql.lit(1).as('one'))
            .whereRef('d.endpoint_id', '=', 'e.id')
            .where('d.state', '=', PENDING)
            .where('d.next_attempt_at', '<=', at)
            .where((inner) =>
              inner.or([inner('d.locked_until', 'is', null), inner('d.locked_until', '<=', at)]),
            )
            // In the index's order, so that PostgreSQL walks it rather than the whole table.
            .orderBy('d.position')
            .limit(1),
        'is not',
        null,
      );
    if (busy.length > 0) builder = builder.where('e.id', 'not in', busy);
    return builder.limit(limit).execute();
  }

  /**
   * Claims up to `limit` due deliveries of one endpoint until `leaseUntil`, counting an attempt
   * each. A delivery waits while an earlier one of the same resource to the same endpoint is still
   * pending, so a resource's events arrive in order. One statement, atomic on its own (no
   * transaction needed around it); on PostgreSQL rows another instance is claiming are skipped
   * (`FOR UPDATE SKIP LOCKED`), and a claim made there has moved `locked_until` past `at` when the
   * row is read again.
   */
  async claim(
    endpointId: string,
    at: string,
    leaseUntil: string,
    limit: number,
  ): Promise<WebhookDeliveryRow[]> {
    let due = this.ctx.db
      .selectFrom('webhook_deliveries as d')
      .select('d.id')
      .where('d.endpoint_id', '=', endpointId)
      .where('d.state', '=', PENDING)
      .where('d.next_attempt_at', '<=', at)
      .where((eb) => eb.or([eb('d.locked_until', 'is', null), eb('d.locked_until', '<=', at)]))
      // A scalar subquery with LIMIT 1 rather than NOT EXISTS, as in endpointsDue: PostgreSQL turns
      // NOT EXISTS into an anti join, which on a table without statistics yet (a fresh backlog,
      // before autovacuum's first ANALYZE) read every pending delivery of the endpoint for each
      // row claimed; this looks up each row's resource in webhook_deliveries_resource.
      .where(
        (eb) =>
          eb
            .selectFrom('webhook_deliveries as p')
            .select(sql.lit(1).as('one'))
            .whereRef('p.endpoint_id', '=', 'd.endpoint_id')
            .whereRef('p.resource_key', '=', 'd.resource_key')
            .whereRef('p.position', '<', 'd.position')
            .where('p.state', '=', PENDING)
            .limit(1),
        'is',
        null,
      )
      .orderBy('d.position')
      .limit(limit);
    if (this.ctx.dialect.name === 'postgres') due = due.forUpdate().skipLocked();
    // One statement: the rows chosen and leased together (one round trip, not two).
    const rows = await this.ctx.db
      .updateTable('webhook_deliveries')
      .set((eb) => ({ locked_until: leaseUntil, attempts: eb('attempts', '+', 1) }))
      .where('id', 'in', due)
      .returningAll()
      .execute();
    return rows.sort((a, b) => Number(a.position) - Number(b.position));
  }

  /**
   * PostgreSQL: this transaction's commit does not wait for its write-ahead log to reach the disk.
   * For writes that may be lost to a crash of the database itself at no cost but a repeat: an
   * attempt's outcome lost is a delivery sent again, with the same `webhook-id`.
   */
  async commitWithoutWaitingForDisk(): Promise<void> {
    if (this.ctx.dialect.name === 'postgres')
      await sql`set local synchronous_commit = off`.execute(this.ctx.db);
  }

  /**
   * Files an attempt's outcome, unless the claim was lost (its lease ran out and another instance
   * claimed the delivery again): then that instance's outcome counts.
   */
  async settle(
    id: string,
    leaseUntil: string,
    outcome: AttemptOutcome,
    next: { state: DeliveryState; nextAttemptAt: string | null },
  ): Promise<boolean> {
    const result = await this.ctx.db
      .updateTable('webhook_deliveries')
      .set({
        state: next.state,
        next_attempt_at: next.nextAttemptAt,
        locked_until: null,
        last_attempt_at: outcome.at,
        last_status: outcome.status,
        last_error: outcome.error,
        last_duration_ms: outcome.durationMs,
        last_response: outcome.response,
        delivered_at: next.state === 'delivered' ? outcome.at : null,
      })
      .where('id', '=', id)
      .where('locked_until', '=', leaseUntil)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Files many delivered attempts in one statement per hundred (`settle`'s rule: only where the
   * claim still holds), instead of a statement each. Each statement is atomic alone, so it needs no
   * transaction around it; on PostgreSQL its commit (the transaction's, inside one) does not wait
   * for the disk, as `commitWithoutWaitingForDisk`: a delivered outcome lost to a crash of the
   * database is a delivery sent again, with the same `webhook-id`.
   */
  async settleDelivered(
    delivered: readonly { id: string; leaseUntil: string; outcome: AttemptOutcome }[],
  ): Promise<void> {
    for (let i = 0; i < delivered.length; i += 100) {
      const rows = delivered
        .slice(i, i + 100)
        .map(
          ({ id, leaseUntil, outcome }) =>
            sql`(${id}, ${leaseUntil}, ${outcome.at}, ${outcome.status}, ${outcome.durationMs}, ${outcome.response})`,
        );
      // set_config(…, true) is SET LOCAL as an expression: for the statement's own transaction when
      // it runs alone (PostgreSQL reads the setting at commit, before it is reset).
      const lazy =
        this.ctx.dialect.name === 'postgres'
          ? sql`with lazy as (select set_config('synchronous_commit', 'off', true) as setting) `
          : sql``;
      const from = this.ctx.dialect.name === 'postgres' ? sql`, lazy` : sql``;
      // VALUES names its columns column1… on both databases; the numbers come as text from it.
      await sql`${lazy}update webhook_deliveries set
          state = 'delivered', next_attempt_at = null, locked_until = null, last_error = null,
          last_attempt_at = v.column3, delivered_at = v.column3,
          last_status = cast(v.column4 as integer), last_duration_ms = cast(v.column5 as integer),
          last_response = v.column6
        from (values ${sql.join(rows)}) as v${from}
        where webhook_deliveries.id = v.column1 and webhook_deliveries.locked_until = v.column2`.execute(
        this.ctx.db,
      );
    }
  }

  /**
   * Gives back claimed deliveries that were not sent (their lease would have run out during the
   * request), with their attempt uncounted, where the claim still holds: any instance may claim
   * them again at once.
   */
  async release(claims: readonly { id: string; leaseUntil: string }[]): Promise<void> {
    for (const { id, leaseUntil } of claims) {
      await this.ctx.db
        .updateTable('webhook_deliveries')
        .set((eb) => ({ locked_until: null, attempts: eb('attempts', '-', 1) }))
        .where('id', '=', id)
        .where('locked_until', '=', leaseUntil)
        .execute();
    }
  }

  /** The delivery log of an endpoint, newest first, `before` an id for the next page. */
  async log(endpointId: string, limit: number, before?: string): Promise<WebhookDeliveryRow[]> {
    let builder = this.ctx.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('endpoint_id', '=', endpointId);
    if (before) builder = builder.where('id', '<', before);
    return builder.orderBy('id', 'desc').limit(limit).execute();
  }

  async getDelivery(endpointId: string, id: string): Promise<WebhookDeliveryRow | undefined> {
    return this.ctx.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('endpoint_id', '=', endpointId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** Makes a delivery due again now, with its attempts counted afresh (the log's "resend"). */
  async resend(endpointId: string, id: string, at: string): Promise<void> {
    await this.ctx.db
      .updateTable('webhook_deliveries')
      .set({ state: 'pending', attempts: 0, next_attempt_at: at, delivered_at: null })
      .where('endpoint_id', '=', endpointId)
      .where('id', '=', id)
      .execute();
  }

  /** Deletes settled deliveries created before `cutoff`. */
  async prune(cutoff: string): Promise<void> {
    await this.ctx.db
      .deleteFrom('webhook_deliveries')
      .where('state', '!=', 'pending')
      .where('created_at', '<', cutoff)
      .execute();
  }
}
