// Row types of the database, shared by the SQLite and PostgreSQL adapters.
// Times are ISO-8601 UTC strings in both databases so that they sort and compare the same way;
// booleans are 0/1 integers; JSON documents are text.
import type { ColumnType, Generated } from 'kysely';

export type Role = 'admin' | 'member';
export type MemberStatus = 'active' | 'deactivated';
export type MemberSource = 'scim' | 'invite' | 'cli' | 'sso';
/** What a change of a member's email or userName by the identity provider does (docs/scim.md). */
export type EmailChangePolicy = 'refuse' | 'follow';

export interface OrganizationsTable {
  id: string;
  slug: string;
  name: string;
  default_role: Role;
  /** `refuse` (the column's default): email and userName stay as stored; `follow`: the IdP's replace them. */
  email_changes: ColumnType<EmailChangePolicy, EmailChangePolicy | undefined, EmailChangePolicy>;
  /** Last `seq` handed to a membership of this organization; memberships are never deleted. */
  member_seq: number;
  created_at: string;
  updated_at: string;
  /** Set while the organization is disabled (migration 015): its tokens, sessions, SCIM and sign-in stop. */
  disabled_at: ColumnType<string | null, string | null | undefined, string | null>;
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
  /** The effective role (null while deactivated): computed from the sources below and groups'. */
  role: Role | null;
  previous_role: Role | null;
  /** The role granted in Roster itself (migration 017); the IdP's groups and entitlements add to it. */
  direct_role: Role;
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

/** A SCIM Group of an organization (migration 012): pushed by its identity provider. */
export interface GroupsTable {
  /** The SCIM `id` of the group. */
  id: string;
  organization_id: string;
  display_name: string;
  external_id: string | null;
  /** The organization role the group gives its members: `admin`, or null for none. */
  role: Role | null;
  /** Kept by every membership change, so that nothing needs to count the members. */
  member_count: number;
  version: number;
  created_at: string;
  updated_at: string;
}

/** One member of one group; the primary key is (group_id, membership_id). */
export interface GroupMembersTable {
  group_id: string;
  membership_id: string;
  created_at: string;
}

/** What the identity provider assigned a member directly (Okta entitlements, migration 017). */
export interface MemberEntitlementsTable {
  membership_id: string;
  /** `role` (value `admin` | `member`) or `workspace` (value: the workspace id). */
  kind: EntitlementKind;
  value: string;
  created_at: string;
}

export type EntitlementKind = 'role' | 'workspace';

/** A workspace a group gives its members access to. */
export interface GroupWorkspacesTable {
  group_id: string;
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
  /** `password` (the column's default) or `sso`. */
  sign_in_method: ColumnType<SignInMethod, SignInMethod | undefined, SignInMethod>;
}

export type SignInMethod = 'password' | 'sso';

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

/** The latest SCIM requests of each organization, for the dashboard's SCIM page (trimmed per organization). */
export interface ScimRequestsTable {
  id: Generated<number>;
  organization_id: string;
  occurred_at: string;
  method: string;
  /** The path and query string as received (after canonicalisation), truncated. */
  path: string;
  status: number;
  duration_ms: number;
  user_agent: string | null;
  /** The error's `detail` for a refused request, truncated. */
  detail: string | null;
  /** What an answered request did not apply (an email change refused with a deactivation), or null. */
  notice: ColumnType<string | null, string | null | undefined, string | null>;
  request_id: string | null;
  /** The userName the request was about (body, filter or the member answered), or null. */
  user_name: ColumnType<string | null, string | null | undefined, string | null>;
}

export type SsoBinding = 'redirect' | 'post';

/** An organization's SAML SSO settings: its identity provider, and Roster's service-provider key pair. */
export interface SsoSettingsTable {
  organization_id: string;
  idp_entity_id: string;
  idp_sso_url: string;
  /** How AuthnRequests reach the IdP: HTTP-Redirect (preferred) or HTTP-POST. */
  idp_sso_binding: SsoBinding;
  /** JSON array of the IdP's signing certificates, as PEM. */
  idp_certificates: string;
  /** 1: password sign-in is refused for the organization's members. */
  sso_required: number;
  /** Just-in-time provisioning: the role of members created at their first SSO sign-in; null: off. */
  jit_role: Role | null;
  sign_authn_requests: number;
  /** 1: signatures and digests over SHA-1 are accepted (refused by default; see signature-strength.ts). */
  allow_sha1_signatures: number;
  /** 1 (the default): an unsolicited response (IdP-initiated, e.g. an Okta tile) may sign people in; 0: refused. */
  idp_initiated: ColumnType<number, number | undefined, number>;
  /** PKCS#8 PEM. Kept in the database so that every instance signs alike (see docs/sso-okta.md). */
  sp_private_key: string;
  sp_certificate: string;
  created_at: string;
  updated_at: string;
}

/**
 * An organization's claim on an email domain (migration 006). A claim routes nothing until verified
 * by its DNS TXT record; the partial unique index `sso_domains_verified` lets one organization at a
 * time hold a domain verified.
 */
export interface SsoDomainsTable {
  organization_id: string;
  /** Lower case. */
  domain: string;
  /** The value `_roster-verification.<domain>` must carry (after `roster-verification=`). */
  verification_token: string;
  /** When the TXT record was found; null while unverified. */
  verified_at: string | null;
  created_at: string;
}

/** SP-initiated AuthnRequests awaiting their response (`InResponseTo`), with the opaque RelayState. */
export interface SamlRequestsTable {
  /** The AuthnRequest's ID. */
  id: string;
  organization_id: string;
  relay_state: string;
  /** Where to land after sign-in: a same-site path. */
  return_path: string | null;
  /**
   * SHA-256 of the `roster_saml_login` cookie of the browser that started the sign-in (null for
   * requests from before migration 009): only that browser completes it without a question.
   */
  browser_hash: string | null;
  created_at: string;
  expires_at: string;
}

/** Assertions already used: the primary key refuses a second use on any instance until they expire. */
export interface SamlAssertionsTable {
  organization_id: string;
  assertion_id: string;
  consumed_at: string;
  expires_at: string;
}

/**
 * A verified SAML sign-in held by the ACS for the browser's next request (`/saml/{slug}/continue`),
 * which carries the cookies a cross-site POST does not: one-time (deleted when used), short-lived,
 * bound to the session it would replace once that session is asked. Its assertion is already
 * consumed.
 */
export interface SamlPendingSignInsTable {
  /** SHA-256 of the one-time value the confirmation form carries. */
  id_hash: string;
  organization_id: string;
  membership_id: string;
  /** The session asked "You are signed in as …; continue?": only it may answer. Null until asked. */
  session_id_hash: string | null;
  return_path: string | null;
  name_id: string;
  issuer: string;
  /** 'idp_initiated' (no InResponseTo) or 'sp_initiated'. */
  flow: string;
  /** SP-initiated: the `browser_hash` of the AuthnRequest it answers; null otherwise. */
  browser_hash: string | null;
  /** 1 when the ACS created the member just in time. */
  just_in_time_created: number;
  created_at: string;
  expires_at: string;
}

/**
 * Unauthenticated failures (SAML responses that did not verify, wrong passwords) counted per
 * organization, action, reason, subject and minute: one audit event per counter, updated in place.
 */
export interface AuditCountersTable {
  organization_id: string;
  action: string;
  reason: string;
  /** The member concerned (a password failure), or '' (SAML: nothing unauthenticated is kept). */
  subject: string;
  /** The minute, `2025-03-01T12:34`. */
  minute: string;
  event_id: number | string | null;
  count: number;
}

/**
 * A new token waiting to be shown once on the page the "Generate token" form redirects to (post/
 * redirect/get), sealed with a key derived from the session cookie (never stored), so the database
 * alone cannot read it. The row stays, without `sealed`, until the session ends: the form's nonce
 * then refuses a second submission of the same form.
 */
export interface TokenRevealsTable {
  session_id_hash: string;
  form_nonce: string;
  token_id: string | null;
  sealed: string | null;
  created_at: string;
  expires_at: string;
}

/** The product's credential (`rst_iat_…`): it manages organizations, never their people. */
export interface InstallationTokensTable {
  id: string;
  name: string;
  token_hash: string;
  last_four: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** An Admin's invitation of a person by email: one-time, expiring; the link's secret kept as a hash. */
export interface InvitationsTable {
  id: string;
  organization_id: string;
  /** As typed by the Admin; compared without (ASCII) case. */
  email: string;
  role: Role;
  /** JSON array of workspace ids granted on acceptance. */
  workspace_ids: string;
  token_hash: string;
  /** The inviting actor's label, for the invitee's page and the mail. */
  invited_by: string | null;
  created_at: string;
  expires_at: string;
  accepted_at: string | null;
  revoked_at: string | null;
  /** The membership the acceptance made or joined. */
  membership_id: string | null;
}

/** A password reset link: one-time, expiring, kept as the hash of its secret. */
export interface PasswordResetsTable {
  token_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

/**
 * A setup link for a customer's IT admin: opened once, by one browser (whose cookie's hash becomes
 * `session_hash`); until it expires or is revoked, that browser may configure the organization's SSO
 * and SCIM, and nothing else.
 */
export interface SetupLinksTable {
  id: string;
  organization_id: string;
  token_hash: string;
  session_hash: string | null;
  created_by: string | null;
  created_at: string;
  expires_at: string;
  opened_at: string | null;
  revoked_at: string | null;
}

/**
 * What the OpenID Connect provider keeps (oidc-provider's models: Session, Grant, AuthorizationCode,
 * AccessToken, RefreshToken, Interaction, …), one row per model and id. `payload` is the model's
 * JSON; the other columns are copied from it for lookups and revocation.
 */
export interface OidcModelsTable {
  kind: string;
  id: string;
  payload: string;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  /** The person (a user id): the subject of the tokens. */
  account_id: string | null;
  client_id: string | null;
  /** A grant's membership: the organization the person chose for the app. */
  membership_id: string | null;
  consumed_at: string | null;
  expires_at: string | null;
}

/** An app (OpenID Connect client) registered by the installation's operator. */
export interface OidcClientsTable {
  id: string;
  name: string;
  /** SHA-256 of the client secret (hex): the secret is shown once and never stored. */
  secret_hash: string;
  /** JSON array of URLs. */
  redirect_uris: string;
  /** JSON array of URLs. */
  post_logout_redirect_uris: string;
  backchannel_logout_uri: string | null;
  created_at: string;
  revoked_at: string | null;
}

/** Keys of the provider, by kind (`signing`: a private JWK; `cookie`: a random secret) and generation. */
export interface OidcKeysTable {
  kind: string;
  generation: number;
  material: string;
  created_at: string;
  /** Set when a newer generation replaced it; still published until it is pruned. */
  retired_at: string | null;
}

/** A back-channel logout owed to an app (a deactivated member's session): delivered by any instance. */
export interface OidcLogoutNoticesTable {
  id: string;
  client_id: string;
  account_id: string;
  sid: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  /** Not to be tried before this time (claimed by an instance, or waiting to retry). */
  not_before: string;
  created_at: string;
}

export interface Database {
  organizations: OrganizationsTable;
  workspaces: WorkspacesTable;
  users: UsersTable;
  memberships: MembershipsTable;
  member_emails: MemberEmailsTable;
  workspace_grants: WorkspaceGrantsTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  group_workspaces: GroupWorkspacesTable;
  member_entitlements: MemberEntitlementsTable;
  personal_access_tokens: PersonalAccessTokensTable;
  service_access_tokens: ServiceAccessTokensTable;
  sessions: SessionsTable;
  audit_events: AuditEventsTable;
  scim_requests: ScimRequestsTable;
  sso_settings: SsoSettingsTable;
  sso_domains: SsoDomainsTable;
  saml_requests: SamlRequestsTable;
  saml_assertions: SamlAssertionsTable;
  saml_pending_sign_ins: SamlPendingSignInsTable;
  audit_counters: AuditCountersTable;
  token_reveals: TokenRevealsTable;
  installation_tokens: InstallationTokensTable;
  invitations: InvitationsTable;
  password_resets: PasswordResetsTable;
  setup_links: SetupLinksTable;
  events: EventsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  event_sequence: EventSequenceTable;
  oidc_models: OidcModelsTable;
  oidc_clients: OidcClientsTable;
  oidc_keys: OidcKeysTable;
  oidc_logout_notices: OidcLogoutNoticesTable;
}

/** A 64-bit integer: PostgreSQL's driver returns it as a string. */
export type BigIntColumn = ColumnType<number | string, number | string | undefined, number | string>;

/** The outbox: public events, read in `position` order (migrations/013-events-and-webhooks.ts). */
export interface EventsTable {
  seq: ColumnType<number | string, never, never>;
  /** Given by the sequencer once committed; null until then. */
  position: ColumnType<number | string | null, number | string | null | undefined, number | string | null>;
  id: string;
  organization_id: string | null;
  type: string;
  occurred_at: string;
  resource_key: string;
  payload: string;
}

export interface WebhookEndpointsTable {
  id: string;
  /** Null for an installation-wide endpoint: every organization's events. */
  organization_id: string | null;
  url: string;
  description: string | null;
  /** JSON array of event types, or `["*"]`. */
  types: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: string | null;
  enabled: number;
  disabled_reason: string | null;
  disabled_at: string | null;
  created_at: string;
  updated_at: string;
  form_nonce: string | null;
}

export type DeliveryState = 'pending' | 'delivered' | 'failed';

export interface WebhookDeliveriesTable {
  id: string;
  endpoint_id: string;
  /** The organization of the event (null for an event of none). */
  organization_id: string | null;
  event_id: string;
  event_type: string;
  resource_key: string;
  position: BigIntColumn;
  payload: string;
  state: DeliveryState;
  attempts: number;
  next_attempt_at: string | null;
  locked_until: string | null;
  last_attempt_at: string | null;
  last_status: number | null;
  last_error: string | null;
  last_duration_ms: number | null;
  last_response: string | null;
  created_at: string;
  delivered_at: string | null;
}

export interface EventSequenceTable {
  id: number;
  last_position: BigIntColumn;
}

export type Count = ColumnType<number | string | bigint, never, never>;
