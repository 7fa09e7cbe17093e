import type { Selectable } from 'kysely';
import type { PersonalAccessTokensTable, ServiceAccessTokensTable } from '../schema.ts';
import type { RepoContext } from './context.ts';

export type PersonalTokenRecord = Selectable<PersonalAccessTokensTable>;
export type ServiceTokenRecord = Selectable<ServiceAccessTokensTable>;

export class TokenRepo {
  constructor(private readonly ctx: RepoContext) {}

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
