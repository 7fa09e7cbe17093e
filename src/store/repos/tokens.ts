import type { Selectable } from 'kysely';
import { type QueryTemplates, templatesOf } from '../query-templates.ts';
import type { MemberStatus, PersonalAccessTokensTable, Role, ServiceAccessTokensTable } from '../schema.ts';
import type { RepoContext } from './context.ts';

export type PersonalTokenRecord = Selectable<PersonalAccessTokensTable>;
export type ServiceTokenRecord = Selectable<ServiceAccessTokensTable>;

const GRANT_COLUMNS = [
  't.id',
  't.name',
  't.role',
  't.token_hash',
  't.revoked_at',
  't.expires_at',
  'o.id as organization_id',
  'o.slug as organization_slug',
  'o.disabled_at as organization_disabled_at',
] as const;

/** A token with what trusting it takes: its organization and, for a personal token, its owner. */
export interface TokenGrant {
  id: string;
  name: string;
  role: Role;
  token_hash: string;
  revoked_at: string | null;
  expires_at: string | null;
  organization_id: string | null;
  organization_slug: string | null;
  /** Set while the token's organization is disabled. */
  organization_disabled_at: string | null;
  /** undefined for a service token; null when a personal token's owner is not a member of its organization. */
  owner: TokenOwner | null | undefined;
}

export interface TokenOwner {
  id: string;
  user_id: string;
  user_name: string;
  status: MemberStatus;
  role: Role | null;
}

export class TokenRepo {
  private readonly templates: QueryTemplates;

  constructor(private readonly ctx: RepoContext) {
    this.templates = templatesOf(ctx.dialect);
  }

  /**
   * Everything a request needs to trust a token, in ONE indexed query: the token by its hash (unique
   * index), its organization by primary key and, for a personal token, its owner by primary key.
   * Run on every authenticated request, so compiled once (query-templates.ts).
   */
  async findGrant(kind: 'personal' | 'service', hash: string): Promise<TokenGrant | undefined> {
    if (kind === 'service') {
      const [row] = await this.templates.run(this.ctx.db, 'tokens.serviceGrant', [hash], ([value]) =>
        this.ctx.db
          .selectFrom('service_access_tokens as t')
          .leftJoin('organizations as o', 'o.id', 't.organization_id')
          .select(GRANT_COLUMNS)
          .where('t.token_hash', '=', String(value)),
      );
      return row && { ...row, owner: undefined };
    }
    const [row] = await this.templates.run(this.ctx.db, 'tokens.personalGrant', [hash], ([value]) =>
      this.ctx.db
        .selectFrom('personal_access_tokens as t')
        .leftJoin('organizations as o', 'o.id', 't.organization_id')
        // The owner must be a member of the token's organization (as `members.getById(org, id)` reads it).
        .leftJoin('memberships as m', (join) =>
          join.onRef('m.id', '=', 't.membership_id').onRef('m.organization_id', '=', 't.organization_id'),
        )
        .select(GRANT_COLUMNS)
        .select([
          'm.id as owner_id',
          'm.user_id as owner_user_id',
          'm.user_name as owner_user_name',
          'm.status as owner_status',
          'm.role as owner_role',
        ])
        .where('t.token_hash', '=', String(value)),
    );
    if (!row) return undefined;
    const { owner_id, owner_user_id, owner_user_name, owner_status, owner_role, ...token } = row;
    const owner =
      owner_id !== null && owner_user_id !== null && owner_user_name !== null && owner_status !== null
        ? {
            id: owner_id,
            user_id: owner_user_id,
            user_name: owner_user_name,
            status: owner_status,
            role: owner_role,
          }
        : null;
    return { ...token, owner };
  }

  async insertPersonal(token: PersonalTokenRecord): Promise<void> {
    await this.ctx.db.insertInto('personal_access_tokens').values(token).execute();
  }

  async insertService(token: ServiceTokenRecord): Promise<void> {
    await this.ctx.db.insertInto('service_access_tokens').values(token).execute();
  }

  async findPersonalByHash(hash: string): Promise<PersonalTokenRecord | undefined> {
    return this.ctx.db
      .selectFrom('personal_access_tokens')
      .selectAll()
      .where('token_hash', '=', hash)
      .executeTakeFirst();
  }

  async findServiceByHash(hash: string): Promise<ServiceTokenRecord | undefined> {
    return this.ctx.db
      .selectFrom('service_access_tokens')
      .selectAll()
      .where('token_hash', '=', hash)
      .executeTakeFirst();
  }

  async getPersonal(id: string): Promise<PersonalTokenRecord | undefined> {
    return this.ctx.db
      .selectFrom('personal_access_tokens')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async getService(id: string): Promise<ServiceTokenRecord | undefined> {
    return this.ctx.db
      .selectFrom('service_access_tokens')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async listPersonal(organizationId: string, membershipId?: string): Promise<PersonalTokenRecord[]> {
    let query = this.ctx.db
      .selectFrom('personal_access_tokens')
      .selectAll()
      .where('organization_id', '=', organizationId);
    if (membershipId) query = query.where('membership_id', '=', membershipId);
    return query.orderBy('created_at').orderBy('id').execute();
  }

  async listService(organizationId: string): Promise<ServiceTokenRecord[]> {
    return this.ctx.db
      .selectFrom('service_access_tokens')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  async revoke(kind: 'personal' | 'service', id: string, at: string): Promise<void> {
    const table = kind === 'personal' ? 'personal_access_tokens' : 'service_access_tokens';
    await this.ctx.db
      .updateTable(table)
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
  }

  async touch(kind: 'personal' | 'service', id: string, at: string): Promise<void> {
    const table = kind === 'personal' ? 'personal_access_tokens' : 'service_access_tokens';
    await this.ctx.db.updateTable(table).set({ last_used_at: at }).where('id', '=', id).execute();
  }
}
