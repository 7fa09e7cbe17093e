// The one Store: repositories written once over Kysely, run on whichever engine the dialect names.
// Adapters (sqlite/, postgres/) only supply a StoreDialect.
import { Kysely, Migrator, sql } from 'kysely';
import type { StoreDialect } from './dialect.ts';
import { StoreUnavailableError, UniqueViolationError } from './errors.ts';
import { migrationProvider } from './migrations/index.ts';
import { AccessRepo } from './repos/access.ts';
import { AuditRepo } from './repos/audit.ts';
import type { RepoContext } from './repos/context.ts';
import { EventRepo } from './repos/events.ts';
import { GroupRepo } from './repos/groups.ts';
import { InsertRepo } from './repos/inserts.ts';
import { InstallationTokenRepo } from './repos/installation-tokens.ts';
import { InvitationRepo } from './repos/invitations.ts';
import { MemberDirectoryRepo } from './repos/member-directory.ts';
import { MemberRepo } from './repos/members.ts';
import { OidcRepo } from './repos/oidc.ts';
import { OrganizationRepo } from './repos/organizations.ts';
import { PasswordResetRepo } from './repos/password-resets.ts';
import { SessionRepo } from './repos/sessions.ts';
import { SetupLinkRepo } from './repos/setup-links.ts';
import { SsoRepo } from './repos/sso.ts';
import { TokenRevealRepo } from './repos/token-reveals.ts';
import { TokenRepo } from './repos/tokens.ts';
import { UserRepo } from './repos/users.ts';
import { WebhookRepo } from './repos/webhooks.ts';
import { WorkspaceGrantRepo } from './repos/workspace-grants.ts';
import { WorkspaceRepo } from './repos/workspaces.ts';
import type { Database } from './schema.ts';

export interface Repositories {
  readonly organizations: OrganizationRepo;
  readonly workspaces: WorkspaceRepo;
  readonly users: UserRepo;
  /** Membership rows as SCIM provisioning keeps them. */
  readonly members: MemberRepo;
  /** The admin member directory: search, filters, pages. */
  readonly memberDirectory: MemberDirectoryRepo;
  readonly workspaceGrants: WorkspaceGrantRepo;
  /** Where each member's role and workspaces come from (direct, groups, entitlements). */
  readonly access: AccessRepo;
  /** SCIM Groups and their members. */
  readonly groups: GroupRepo;
  readonly tokens: TokenRepo;
  readonly sessions: SessionRepo;
  readonly audit: AuditRepo;
  readonly sso: SsoRepo;
  readonly tokenReveals: TokenRevealRepo;
  readonly installationTokens: InstallationTokenRepo;
  readonly invitations: InvitationRepo;
  readonly passwordResets: PasswordResetRepo;
  readonly setupLinks: SetupLinkRepo;
  /** The outbox of public events. */
  readonly events: EventRepo;
  /** Rows of several tables that one change writes (an audit event and its public event). */
  readonly inserts: InsertRepo;
  readonly webhooks: WebhookRepo;
  /** The OpenID Connect provider's models, apps, keys and logout notices. */
  readonly oidc: OidcRepo;
}

export interface Store extends Repositories {
  readonly dialect: StoreDialect;
  /** Runs `work` in one write transaction: all of it is stored, or none of it. */
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
  /**
   * The same write transaction, handing `work` the raw query builder of its reserved connection:
   * for bulk tools such as `roster copy`, not for use cases (they go through `transaction`).
   */
  withTransaction<T>(work: (db: Kysely<Database>) => Promise<T>): Promise<T>;
  /** Applies pending migrations; returns the names applied. */
  migrate(): Promise<string[]>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /**
   * Calls `listener` with the time of every query run through `db` (metrics); returns the function
   * that stops it. Cheap while none listens: Kysely times each query with two clock reads.
   */
  onQuery(listener: QueryListener): () => void;
  /** The underlying query builder, for tests and tools that inspect the database. */
  readonly db: Kysely<Database>;
}

export type QueryListener = (durationMs: number, failed: boolean) => void;

function repositories(ctx: RepoContext): Repositories {
  return {
    organizations: new OrganizationRepo(ctx),
    workspaces: new WorkspaceRepo(ctx),
    users: new UserRepo(ctx),
    members: new MemberRepo(ctx),
    memberDirectory: new MemberDirectoryRepo(ctx),
    workspaceGrants: new WorkspaceGrantRepo(ctx),
    access: new AccessRepo(ctx),
    groups: new GroupRepo(ctx),
    tokens: new TokenRepo(ctx),
    sessions: new SessionRepo(ctx),
    audit: new AuditRepo(ctx),
    sso: new SsoRepo(ctx),
    tokenReveals: new TokenRevealRepo(ctx),
    installationTokens: new InstallationTokenRepo(ctx),
    invitations: new InvitationRepo(ctx),
    passwordResets: new PasswordResetRepo(ctx),
    setupLinks: new SetupLinkRepo(ctx),
    events: new EventRepo(ctx),
    inserts: new InsertRepo(ctx),
    webhooks: new WebhookRepo(ctx),
    oidc: new OidcRepo(ctx),
  };
}

/** Turns driver errors into the store's own, so callers never see SQLite or PostgreSQL codes. */
export function translateError(dialect: StoreDialect, error: unknown): unknown {
  if (error instanceof UniqueViolationError || error instanceof StoreUnavailableError) return error;
  const constraint = dialect.uniqueViolation(error);
  if (constraint !== undefined) return new UniqueViolationError(constraint, { cause: error });
  if (dialect.isUnavailable(error)) return new StoreUnavailableError({ cause: error });
  return error;
}

export function createStore(dialect: StoreDialect): Store {
  const queryListeners = new Set<QueryListener>();
  const db = new Kysely<Database>({
    dialect: dialect.kysely,
    log: (event) => {
      for (const listener of queryListeners) listener(event.queryDurationMillis, event.level === 'error');
    },
  });
  const base = repositories({ db, dialect });

  async function withTransaction<T>(work: (conn: Kysely<Database>) => Promise<T>): Promise<T> {
    try {
      if (dialect.writeTransaction) return await dialect.writeTransaction(work);
      // A reserved connection with an explicit BEGIN, so SQLite can take its write lock up front
      // (`begin immediate`) instead of failing with SQLITE_BUSY when a reader upgrades later.
      return await db.connection().execute(async (conn) => {
        await sql.raw(dialect.beginWrite).execute(conn);
        try {
          const result = await work(conn);
          await sql`commit`.execute(conn);
          return result;
        } catch (error) {
          await sql`rollback`.execute(conn).catch(() => undefined);
          throw error;
        }
      });
    } catch (error) {
      throw translateError(dialect, error);
    }
  }

  return {
    ...base,
    dialect,
    db,
    withTransaction,
    transaction: (work) => withTransaction((conn) => work(repositories({ db: conn, dialect }))),
    async migrate() {
      const migrateToLatest = (target: Kysely<Database>) =>
        new Migrator({ db: target, provider: migrationProvider(dialect.name) }).migrateToLatest();
      // Kysely's migration lock is an advisory lock on PostgreSQL but a no-op on SQLite (it assumes
      // one process), so two processes starting on a fresh file raced ('table "organizations"
      // already exists'). Where writes are serialized (no row locks: SQLite) the whole migration
      // runs in one write transaction instead: a second process waits for the file's write lock
      // (busy_timeout), then finds everything applied. SQLite's DDL is transactional, so a failed migration also leaves nothing half done.
      const underWriteLock = () =>
        withTransaction(async (conn) => {
          const outcome = await migrateToLatest(conn);
          if (outcome.error) throw outcome.error;
          return outcome;
        });
      let outcome: Awaited<ReturnType<typeof migrateToLatest>>;
      try {
        outcome = dialect.rowLocks ? await migrateToLatest(db) : await underWriteLock();
      } catch (error) {
        throw translateError(dialect, error);
      }
      const { error, results } = outcome;
      if (error) throw translateError(dialect, error);
      dialect.afterMigrate?.();
      return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    },
    async ping() {
      try {
        await sql`select 1`.execute(db);
      } catch (error) {
        throw translateError(dialect, error);
      }
    },
    async close() {
      await db.destroy();
    },
    onQuery(listener) {
      queryListeners.add(listener);
      return () => queryListeners.delete(listener);
    },
  };
}
