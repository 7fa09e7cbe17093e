// The one path by which a member's IdP view and status change (SCIM PUT and PATCH): email/userName
// changes by the organization's setting, deactivation/reactivation semantics (the last-Admin rule
// included), optimistic versioning and the audit trail, all inside the caller's transaction.
import { recordAudit } from '../audit/record-audit.ts';
import { memberResource } from '../events/event-resources.ts';
import { recordAuditAndEvents } from '../events/record-event.ts';
import { effectiveRoleOf } from '../membership/effective-access.ts';
import { enforceLastAdminRule } from '../membership/last-admin-rule.ts';
import { auditSnapshot, type LoadedMember, memberDocument } from '../membership/loaded-member.ts';
import { columnsOfStoredProfile, profileEmails, storedProfile } from '../membership/member-row.ts';
import type { ScimUserDocument } from '../scim/resource/scim-user.ts';
import { now } from '../store/ids.ts';
import type { MemberRow } from '../store/repos/members.ts';
import type { Repositories } from '../store/store.ts';
import type { ProvisioningContext } from './context.ts';
import { type RefusedChange, settleIdentityChanges } from './settle-identity-changes.ts';

export interface AppliedIdpView {
  member: LoadedMember;
  /** Empty unless the request deactivated (or left deactivated) the member: see `settleIdentityChanges`. */
  refused: RefusedChange[];
}

/**
 * Stores `requested` (the member's complete new IdP view, `active` included) over `before`, which
 * the caller read in this transaction (with its row lock). Returns the stored member; an unchanged
 * document stores nothing and returns `before`, so an IdP re-sending a user is not a change.
 */
export async function applyIdpView(
  tx: Repositories,
  ctx: ProvisioningContext,
  before: LoadedMember,
  requested: ScimUserDocument,
): Promise<AppliedIdpView> {
  const stored = memberDocument(before);
  const { after, refused } = await settleIdentityChanges(tx, ctx, before.row, stored, requested);
  const at = now();
  const profile = storedProfile(after);
  const columns = columnsOfStoredProfile(profile);
  const old = before.row;
  const wasActive = old.status === 'active';
  const active = after.active ?? wasActive;

  let status: Pick<MemberRow, 'status' | 'role' | 'previous_role' | 'deactivated_at'> = {
    status: old.status,
    role: old.role,
    previous_role: old.previous_role,
    deactivated_at: old.deactivated_at,
  };
  if (wasActive && !active) {
    await enforceLastAdminRule(tx, old, 'deactivation');
    status = { status: 'deactivated', role: null, previous_role: old.role, deactivated_at: at };
  } else if (!wasActive && active) {
    // The sources of the role survived the deactivation (the direct role, groups, entitlements):
    // the role is what they give now.
    const role = await effectiveRoleOf(tx, old.id, old.direct_role);
    status = { status: 'active', role, previous_role: null, deactivated_at: null };
  }

  const statusChanged = status.status !== old.status;
  const profileChanged = columns.profile !== old.profile || columns.user_name !== old.user_name;
  let member = before;
  if (statusChanged || profileChanged) {
    const beforeEmails = JSON.stringify(profileEmails(stored));
    const emails = profileEmails(after);
    const row = { ...old, ...columns, ...status, version: old.version + 1, updated_at: at };
    await tx.members.update(row, old, JSON.stringify(emails) === beforeEmails ? undefined : emails);
    member = { row, profile };
  }

  const { row } = member;
  const target = { type: 'member', id: row.id, label: row.user_name };
  const base = { organizationId: ctx.organizationId, actor: ctx.actor, requestId: ctx.requestId, target };
  if (profileChanged) {
    await recordAuditAndEvents(
      tx,
      { ...base, action: 'member.updated', before: auditSnapshot(before), after: auditSnapshot(member) },
      [
        {
          type: 'member.updated',
          organizationId: ctx.organizationId,
          actor: ctx.actor,
          data: memberResource(row, member.profile),
        },
      ],
    );
  }
  if (statusChanged) {
    if (!active) {
      // Roster's sessions end, and apps signed in through Roster lose the person at once: grants
      // and tokens go, and a back-channel logout is queued for each app that asked for one (src/oidc/).
      await tx.oidc.revokeMembership(row.id, at, { endingSessions: true });
    }
    await recordAuditAndEvents(
      tx,
      {
        ...base,
        action: active ? 'member.reactivated' : 'member.deactivated',
        before: { status: old.status, role: old.role, previousRole: old.previous_role },
        after: { status: row.status, role: row.role, previousRole: row.previous_role },
      },
      [
        {
          type: active ? 'member.reactivated' : 'member.deactivated',
          organizationId: ctx.organizationId,
          actor: ctx.actor,
          data: memberResource(row, member.profile),
          previous: { status: old.status, role: old.role },
        },
      ],
    );
  }
  if (refused.length > 0) {
    await recordAudit(tx, {
      ...base,
      action: 'member.email_change_refused',
      before: Object.fromEntries(refused.map((change) => [change.attribute, change.before])),
      after: {
        ...Object.fromEntries(refused.map((change) => [change.attribute, change.after])),
        reasons: Object.fromEntries(refused.map((change) => [change.attribute, change.reason])),
      },
    });
  }
  return { member, refused };
}
