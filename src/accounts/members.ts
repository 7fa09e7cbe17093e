// Admin changes to a membership that are not the identity provider's to make: the organization role.
// (The IdP's view and the active status change only through provisioning's `applyIdpView`.)

import type { Actor } from '../audit/actor.ts';
import { isRole } from '../auth/roles.ts';
import { RosterError } from '../errors.ts';
import { settleRole } from '../membership/effective-access.ts';
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
 * Sets an active member's direct role: Admin or Member. Refused for a deactivated member (they have
 * no role until reactivated) and for the organization's last active Admin. The effective role
 * follows (a member a group makes Admin stays Admin when their direct role becomes Member). An
 * unchanged direct role stores nothing.
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
    if (before.direct_role === role) return before;
    const row = await settleRole(tx, input, before, { kind: 'direct' }, { directRole: role as Role });
    return row;
  });
}
