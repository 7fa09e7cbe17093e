// The one path by which a member's IdP view and status change (PUT, PATCH, dashboard edits):
// immutability checks, deactivation/reactivation semantics, optimistic versioning and the audit
// trail, all inside the caller's transaction.
import { recordAudit } from '../accounts/record-audit.ts';
import { assertImmutableUnchanged } from '../scim/resource/assert-immutable-unchanged.ts';
import type { ScimUserDocument } from '../scim/resource/scim-user.ts';
import { now } from '../store/ids.ts';
import type { MemberRow } from '../store/repos/members.ts';
import type { Repositories } from '../store/store.ts';
import type { ProvisioningContext } from './context.ts';
import { lastAdminError } from './errors.ts';
import { memberDocument } from './member-resource.ts';
import { profileColumns, profileEmails } from './member-row.ts';

/** What the audit log keeps of a member: its IdP view, status and role. */
export function auditSnapshot(row: MemberRow): Record<string, unknown> {
  return { ...memberDocument(row), role: row.role, previousRole: row.previous_role, status: row.status };
}

/**
 * Stores `after` (the member's complete new IdP view, `active` included) over `before`, which the
 * caller read in this transaction (with its row lock). Returns the stored row; an unchanged
 * document stores nothing and returns `before`, so an IdP re-sending a user is not a change.
 */
export async function saveMember(
  tx: Repositories,
  ctx: ProvisioningContext,
  before: MemberRow,
  after: ScimUserDocument,
): Promise<MemberRow> {
  assertImmutableUnchanged(memberDocument(before), after);
  const at = now();
  const columns = profileColumns(after);
  const wasActive = before.status === 'active';
  const active = after.active ?? wasActive;

  let status: Pick<MemberRow, 'status' | 'role' | 'previous_role' | 'deactivated_at'> = {
    status: before.status,
    role: before.role,
    previous_role: before.previous_role,
    deactivated_at: before.deactivated_at,
  };
  if (wasActive && !active) {
    if (before.role === 'admin') {
      await tx.organizations.lock(ctx.organizationId);
      if ((await tx.members.countActiveAdmins(ctx.organizationId)) <= 1)
        throw lastAdminError(before.user_name);
    }
    status = { status: 'deactivated', role: null, previous_role: before.role, deactivated_at: at };
  } else if (!wasActive && active) {
    const organization = await tx.organizations.getById(ctx.organizationId);
    const role = before.previous_role ?? organization?.default_role ?? 'member';
    status = { status: 'active', role, previous_role: null, deactivated_at: null };
  }

  const statusChanged = status.status !== before.status;
  const profileChanged = columns.profile !== before.profile || columns.user_name !== before.user_name;
  if (!statusChanged && !profileChanged) return before;

  const beforeEmails = JSON.stringify(profileEmails(memberDocument(before)));
  const emails = profileEmails(after);
  const row: MemberRow = { ...before, ...columns, ...status, version: before.version + 1, updated_at: at };
  await tx.members.update(row, before, JSON.stringify(emails) === beforeEmails ? undefined : emails);

  const target = { type: 'member', id: row.id, label: row.user_name };
  const base = { organizationId: ctx.organizationId, actor: ctx.actor, requestId: ctx.requestId, target };
  if (profileChanged) {
    await recordAudit(tx, {
      ...base,
      action: 'member.updated',
      before: auditSnapshot(before),
      after: auditSnapshot(row),
    });
  }
  if (statusChanged) {
    if (!active) await tx.sessions.deleteForMembership(row.id);
    await recordAudit(tx, {
      ...base,
      action: active ? 'member.reactivated' : 'member.deactivated',
      before: { status: before.status, role: before.role, previousRole: before.previous_role },
      after: { status: row.status, role: row.role, previousRole: row.previous_role },
    });
  }
  return row;
}
