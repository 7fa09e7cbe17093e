// Row types of the database, shared by the SQLite and PostgreSQL adapters.
// Times are ISO-8601 UTC strings in both databases so that they sort and compare the same way;
// booleans are 0/1 integers; JSON documents are text.
import type { ColumnType, Generated } from 'kysely';

export type Role = 'admin' | 'member';
export type MemberStatus = 'active' | 'deactivated';
export type MemberSource = 'scim' | 'invite' | 'cli' | 'sso';

export interface OrganizationsTable {
  id: string;
  slug: string;
  name: string;
  default_role: Role;
  /** Last `seq` handed to a membership of this organization; memberships are never deleted. */
  member_seq: number;
  created_at: string;
  updated_at: string;
}

export interface WorkspacesTable {
  id: string;
  organization_id: string;
  name: string;
  is_default: number;
  created_at: string;
  updated_at: string;
}

export interface UsersTable {
  id: string;
  email: string;
  display_name: string | null;
  password_hash: string | null;
  created_at: string;
  updated_at: string;
}

export interface MembershipsTable {
  /** The SCIM `id` of the member in this organization. */
  id: string;
  organization_id: string;
  user_id: string;
  /** Dense 1-based position inside the organization, in creation order: stable SCIM paging. */
  seq: number;
  role: Role | null;
  previous_role: Role | null;
  status: MemberStatus;
  source: MemberSource;
  user_name: string;
  external_id: string | null;
  display_name: string | null;
  given_name: string | null;
  family_name: string | null;
  /** JSON: the identity provider's view of the person (every SCIM attribute it manages). */
  profile: string;
  version: number;
  created_at: string;
  updated_at: string;
  deactivated_at: string | null;
}

/** Index of every email of a membership, so that `emails.value eq "…"` is an index lookup. */
export interface MemberEmailsTable {
  membership_id: string;
  organization_id: string;
  position: number;
  value: string;
  type: string | null;
  primary: number;
}

export interface WorkspaceGrantsTable {
  membership_id: string;
  workspace_id: string;
  created_at: string;
}

export interface PersonalAccessTokensTable {
  id: string;
  organization_id: string;
  membership_id: string;
  name: string;
  role: Role;
  token_hash: string;
  last_four: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface ServiceAccessTokensTable {
  id: string;
  organization_id: string;
  name: string;
  role: Role;
  token_hash: string;
  last_four: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface SessionsTable {
  /** SHA-256 of the session cookie value. */
  id_hash: string;
  user_id: string;
  organization_id: string;
  membership_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
}

export interface AuditEventsTable {
  id: Generated<number>;
  organization_id: string | null;
  occurred_at: string;
  actor_type: string;
  actor_id: string | null;
  actor_label: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  target_label: string | null;
  before: string | null;
  after: string | null;
  request_id: string | null;
}

export interface Database {
  organizations: OrganizationsTable;
  workspaces: WorkspacesTable;
  users: UsersTable;
  memberships: MembershipsTable;
  member_emails: MemberEmailsTable;
  workspace_grants: WorkspaceGrantsTable;
  personal_access_tokens: PersonalAccessTokensTable;
  service_access_tokens: ServiceAccessTokensTable;
  sessions: SessionsTable;
  audit_events: AuditEventsTable;
}

export type Count = ColumnType<number | string | bigint, never, never>;
