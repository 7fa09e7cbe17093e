// Admin changes to a membership that are not the identity provider's to make: the organization role.
// (The IdP's view and the active status change only through provisioning's `applyIdpView`.)

import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { isRole } from '../auth/roles.ts';
import { RosterError } from '../errors.ts';
import { memberResource } from '../events/event-resources.ts';
import { recordEvent } from '../events/record-event.ts';
import { enforceLastAdminRule } from '../membership/last-admin-rule.ts';
import { now } from '../store/ids.ts';
import type { MemberRow } from '../store/repos/members.ts';
import type { Role } from '../store/schema.ts';
import type { Store } from '../store/store.ts';

export interface ChangeRoleInput {
  organizationId: string;
  membershipId: string;
  role: string;
  actor: Actor;
  requestId?: string | null;
}

export function memberNotFoundError(id: string): RosterError {
  return new RosterError('not_found', `no member with id ${id} in this organization`);
}

/**
 * Makes an active member Admin or Member. Refused for a deactivated member (they have no role until
 * reactivated) and for the organization's last active Admin. An unchanged role stores nothing.
 */
export async function changeRole(store: Store, input: ChangeRoleInput): Promise<MemberRow> {
  const role = input.role;
  if (!isRole(role)) throw new RosterError('invalid_value', 'the role must be "admin" or "member"');
  return store.transaction(async (tx) => {
    // The member's row lock, then (for an Admin's demotion) the organization's, taken by the
    // last-Admin rule: the order SCIM's deactivation takes them in.
    const before = await tx.members.getById(input.organizationId, input.membershipId, { forUpdate: true });
    if (!before) throw memberNotFoundError(input.membershipId);
    if (before.status !== 'active' || before.role === null) {
      throw new RosterError(
        'conflict',
        `${before.user_name} is deactivated and has no role to change; they get their previous role back when reactivated`,
      );
    }
    if (before.role === role) return before;
    await enforceLastAdminRule(tx, before, 'demotion');
    const row: MemberRow = { ...before, role: role as Role, version: before.version + 1, updated_at: now() };
    await tx.members.update(row, before);
    await recordAudit(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'member.role_changed',
      target: { type: 'member', id: row.id, label: row.user_name },
      before: { role: before.role },
      after: { role: row.role },
      requestId: input.requestId ?? null,
    });
    await recordEvent(tx, {
      type: 'member.role_changed',
      organizationId: input.organizationId,
      actor: input.actor,
      data: memberResource(row),
      previous: { role: before.role },
    });
    return row;
  });
}
