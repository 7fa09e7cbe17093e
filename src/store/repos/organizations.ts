import { type Selectable, sql } from 'kysely';
import { now } from '../ids.ts';
import { type QueryTemplates, templatesOf } from '../query-templates.ts';
import type { EmailChangePolicy, OrganizationsTable } from '../schema.ts';
import type { RepoContext } from './context.ts';

export type OrganizationRecord = Selectable<OrganizationsTable>;

/** The organization's next member position (`organizations.member_seq`, dense from 1). */
export async function nextPosition(
  templates: QueryTemplates,
  db: RepoContext['db'],
  organizationId: string,
): Promise<number> {
  const [row] = await templates.run(db, 'organizations.nextMemberSeq', [organizationId], ([value]) =>
    db
      .updateTable('organizations')
      .set((eb) => ({ member_seq: eb('member_seq', '+', 1) }))
      .where('id', '=', String(value))
      .returning('member_seq'),
  );
  if (!row) throw new Error(`no organization ${organizationId}`);
  return Number(row.member_seq);
}

export class OrganizationRepo {
  private readonly templates: QueryTemplates;

  constructor(private readonly ctx: RepoContext) {
    this.templates = templatesOf(ctx.dialect);
  }

  async insert(org: OrganizationRecord): Promise<void> {
    await this.ctx.db.insertInto('organizations').values(org).execute();
  }

  async getById(id: string): Promise<OrganizationRecord | undefined> {
    const [organization] = await this.templates.run(this.ctx.db, 'organizations.byId', [id], ([value]) =>
      this.ctx.db.selectFrom('organizations').selectAll().where('id', '=', String(value)),
    );
    return organization;
  }

  async getBySlug(slug: string): Promise<OrganizationRecord | undefined> {
    return this.ctx.db
      .selectFrom('organizations')
      .selectAll()
      .where('slug', '=', slug.toLowerCase())
      .executeTakeFirst();
  }

  async list(): Promise<OrganizationRecord[]> {
    return this.ctx.db.selectFrom('organizations').selectAll().orderBy('created_at').orderBy('id').execute();
  }

  async count(): Promise<number> {
    const row = await this.ctx.db
      .selectFrom('organizations')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Takes the organization's row lock for the rest of the transaction (PostgreSQL) so that checks
   * such as "is this the last active Admin?" cannot race; SQLite transactions are serialized anyway.
   */
  async lock(id: string): Promise<void> {
    if (!this.ctx.dialect.rowLocks) return;
    await this.ctx.db.selectFrom('organizations').select('id').where('id', '=', id).forUpdate().execute();
  }

  async setEmailChanges(id: string, policy: EmailChangePolicy): Promise<void> {
    await this.ctx.db
      .updateTable('organizations')
      .set({ email_changes: policy, updated_at: now() })
      .where('id', '=', id)
      .execute();
  }

  /** The organizations API's changes: the name, and whether it is disabled. */
  async update(
    id: string,
    values: { name: string; disabled_at: string | null; updated_at: string },
  ): Promise<void> {
    await this.ctx.db.updateTable('organizations').set(values).where('id', '=', id).execute();
  }

  /** Hands out the next dense member position of the organization (see `memberships.seq`). */
  async nextMemberSeq(id: string): Promise<number> {
    return nextPosition(this.templates, this.ctx.db, id);
  }

  /**
   * Serializes first-run setups for the rest of the transaction, so that "no organization exists
   * yet" stays true until this one commits: a transaction-scoped advisory lock on PostgreSQL;
   * SQLite write transactions are serialized anyway.
   */
  async lockForSetup(): Promise<void> {
    if (!this.ctx.dialect.rowLocks) return;
    await sql`select pg_advisory_xact_lock(7261001)`.execute(this.ctx.db);
  }
}
