// `roster copy`: every row of one installation into another, empty one (SQLite → PostgreSQL or back).
// The source is read as one consistent snapshot, the target written in one transaction: the copy
// lands whole or not at all. Rows keep their ids, audit events included.
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';
import type { Store } from './store.ts';

interface TableSpec {
  readonly name: keyof Database;
  /** The primary key, in order: the copy pages through the source by it. */
  readonly key: readonly string[];
  /**
   * The database-generated id (a PostgreSQL bigserial): copied as is, as a number (`pg` returns
   * bigints as strings), and its sequence moved past the copied ids afterwards.
   */
  readonly serial?: string;
}

/** Every table of schema.ts, parents before children so that foreign keys hold at every insert. */
export const COPY_ORDER = [
  { name: 'organizations', key: ['id'] },
  { name: 'workspaces', key: ['id'] },
  { name: 'users', key: ['id'] },
  { name: 'memberships', key: ['id'] },
  { name: 'member_emails', key: ['membership_id', 'position'] },
  { name: 'workspace_grants', key: ['membership_id', 'workspace_id'] },
  { name: 'groups', key: ['id'] },
  { name: 'group_members', key: ['group_id', 'membership_id'] },
  { name: 'group_workspaces', key: ['group_id', 'workspace_id'] },
  { name: 'member_entitlements', key: ['membership_id', 'kind', 'value'] },
  { name: 'personal_access_tokens', key: ['id'] },
  { name: 'service_access_tokens', key: ['id'] },
  { name: 'sessions', key: ['id_hash'] },
  { name: 'audit_events', key: ['id'], serial: 'id' },
  { name: 'scim_requests', key: ['id'], serial: 'id' },
  { name: 'sso_settings', key: ['organization_id'] },
  { name: 'sso_domains', key: ['organization_id', 'domain'] },
  { name: 'saml_requests', key: ['id'] },
  { name: 'saml_assertions', key: ['organization_id', 'assertion_id'] },
  { name: 'saml_pending_sign_ins', key: ['id_hash'] },
  { name: 'audit_counters', key: ['organization_id', 'action', 'reason', 'subject', 'minute'] },
  { name: 'token_reveals', key: ['session_id_hash', 'form_nonce'] },
  { name: 'installation_tokens', key: ['id'] },
  { name: 'invitations', key: ['id'] },
  { name: 'password_resets', key: ['token_hash'] },
  { name: 'setup_links', key: ['id'] },
  { name: 'events', key: ['seq'], serial: 'seq' },
  { name: 'event_sequence', key: ['id'] },
  { name: 'webhook_endpoints', key: ['id'] },
  { name: 'webhook_deliveries', key: ['id'] },
  { name: 'oidc_models', key: ['kind', 'id'] },
  { name: 'oidc_clients', key: ['id'] },
  { name: 'oidc_keys', key: ['kind', 'generation'] },
  { name: 'oidc_logout_notices', key: ['id'] },
] as const satisfies readonly TableSpec[];

// A table added to schema.ts but not to COPY_ORDER stops the build here instead of being left behind.
type Uncopied = Exclude<keyof Database, (typeof COPY_ORDER)[number]['name']>;
const everyTableCopied: [Uncopied] extends [never] ? true : Uncopied = true;
void everyTableCopied;

/** Below both engines' bound-parameter limits (SQLite 32766, PostgreSQL 65535) whatever the width. */
const MAX_PARAMETERS = 30_000;

export interface CopyProgress {
  table: string;
  /** Rows of `table` copied so far. */
  rows: number;
  done: boolean;
}

export interface CopyOptions {
  onProgress?: (progress: CopyProgress) => void;
  /** Rows read and written per statement (default 1000). */
  batchSize?: number;
}

export interface CopiedTable {
  table: string;
  rows: number;
}

/** The target already holds data: copying into it would mix two installations. */
export class TargetNotEmptyError extends Error {
  readonly tables: CopiedTable[];
  constructor(tables: CopiedTable[]) {
    super(
      `the target database is not empty (${tables.map((t) => `${t.table}: ${t.rows}`).join(', ')}); ` +
        'roster copy only fills a freshly migrated, empty database',
    );
    this.name = 'TargetNotEmptyError';
    this.tables = tables;
  }
}

type Row = Record<string, unknown>;

async function countRows(db: Kysely<Database>, table: string): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(
    db,
  );
  return Number(rows[0]?.n ?? 0);
}

/** One page of `spec`'s rows in primary-key order, after the row whose key is `after`. */
async function readPage(
  db: Kysely<Database>,
  spec: TableSpec,
  after: readonly unknown[] | undefined,
  limit: number,
): Promise<Row[]> {
  const keys = sql.join(spec.key.map((column) => sql.ref(column)));
  const where = after ? sql`where (${keys}) > (${sql.join(after)})` : sql``;
  const { rows } =
    await sql<Row>`select * from ${sql.table(spec.name)} ${where} order by ${keys} limit ${limit}`.execute(
      db,
    );
  return rows;
}

async function insertRows(db: Kysely<Database>, table: string, rows: readonly Row[]): Promise<void> {
  const first = rows[0];
  if (!first) return;
  const columns = Object.keys(first);
  const tuples = rows.map((row) => sql`(${sql.join(columns.map((column) => row[column]))})`);
  await sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))}) values ${sql.join(tuples)}`.execute(
    db,
  );
}

function normalise(spec: TableSpec, row: Row): Row {
  return spec.serial ? { ...row, [spec.serial]: Number(row[spec.serial]) } : row;
}

/**
 * Copies every row of `from` into `to`, which must be migrated and empty. Returns the rows copied
 * per table, in copy order. On any error nothing is left in `to`.
 */
export async function copyStore(from: Store, to: Store, options: CopyOptions = {}): Promise<CopiedTable[]> {
  const batchSize = options.batchSize ?? 1000;
  // The source transaction only reads, but keeps what it reads consistent: on SQLite it holds the
  // write lock, so no writer slips in mid-copy; on PostgreSQL it reads one snapshot.
  return from.withTransaction(async (source) => {
    if (from.dialect.readSnapshot) await sql.raw(from.dialect.readSnapshot).execute(source);
    return to.withTransaction(async (target) => {
      const occupied: CopiedTable[] = [];
      for (const spec of COPY_ORDER) {
        const rows = await countRows(target, spec.name);
        if (rows > 0) occupied.push({ table: spec.name, rows });
      }
      if (occupied.length > 0) throw new TargetNotEmptyError(occupied);

      const copied: CopiedTable[] = [];
      for (const spec of COPY_ORDER) {
        let total = 0;
        let after: unknown[] | undefined;
        for (;;) {
          const page = await readPage(source, spec, after, batchSize);
          const last = page.at(-1);
          if (!last) break;
          // Wide tables go in smaller INSERTs, so that each stays under the parameter limit.
          const perInsert = Math.max(1, Math.floor(MAX_PARAMETERS / Object.keys(last).length));
          for (let start = 0; start < page.length; start += perInsert) {
            const chunk = page.slice(start, start + perInsert).map((row) => normalise(spec, row));
            await insertRows(target, spec.name, chunk);
          }
          total += page.length;
          after = spec.key.map((column) => last[column]);
          options.onProgress?.({ table: spec.name, rows: total, done: false });
        }
        options.onProgress?.({ table: spec.name, rows: total, done: true });
        copied.push({ table: spec.name, rows: total });
      }

      // Audit events (and SCIM requests) kept their ids; PostgreSQL's sequences must move past
      // them, or the next insert would collide. SQLite's AUTOINCREMENT tracks the largest id itself.
      if (to.dialect.syncSequence) {
        for (const spec of COPY_ORDER) {
          if ('serial' in spec && spec.serial) await to.dialect.syncSequence(target, spec.name, spec.serial);
        }
      }
      return copied;
    });
  });
}
