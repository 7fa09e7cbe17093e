// The audit actions: what `recordAudit` and `recordUnauthenticatedFailure` may write. The entry
// types take an AuditAction, so a misspelt action fails the type check instead of reaching the log.

/**
 * Every action Roster writes, also the audit log's action picker (where any other text is accepted
 * too, as a search). docs/dashboard.md explains each one (test/docs.test.ts checks it).
 */
export const AUDIT_ACTIONS = [
  'member.created',
  'member.updated',
  'member.deactivated',
  'member.reactivated',
  'member.role_changed',
  'member.email_change_refused',
  'group.created',
  'group.updated',
  'group.deleted',
  'group.members_added',
  'group.members_removed',
  'workspace.created',
  'workspace.renamed',
  'workspace.access_granted',
  'workspace.access_revoked',
  'token.created',
  'token.revoked',
  'organization.created',
  'organization.renamed',
  'organization.disabled',
  'organization.enabled',
  'organization.email_changes_updated',
  'installation_token.created',
  'installation_token.revoked',
  'invitation.created',
  'invitation.accepted',
  'invitation.revoked',
  'password.changed',
  'password.reset_link_created',
  'password.reset',
  'setup_link.created',
  'setup_link.opened',
  'setup_link.revoked',
  'sso.settings_updated',
  'sso.domain_verified',
  'sso.domain_released',
  'sso.login',
  'sso.login_failed',
  'password.login',
  'password.login_failed',
  'session.signed_out',
  'session.password_sessions_ended',
  'webhook.created',
  'webhook.updated',
  'webhook.deleted',
  'webhook.secret_rotated',
  'webhook.disabled',
  'app.signed_in',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
