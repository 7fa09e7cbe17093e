// An organization always keeps an active Admin: its last one can be neither deactivated (by the
// identity provider) nor made a Member (by an Admin). One rule, one refusal (409 on every surface).
import { RosterError } from '../errors.ts';
import type { MemberRow } from '../store/repos/members.ts';
import type { Repositories } from '../store/store.ts';

/** What would take the Admin role away from the member. */
export type AdminRemoval = 'deactivation' | 'demotion';

/**
 * Throws a `conflict` RosterError when `member` is the organization's last active Admin. Takes the
 * organization lock first, so that two removals cannot both see another Admin remain; a member
 * who is not an Admin costs nothing.
 */
export async function enforceLastAdminRule(
  tx: Repositories,
  member: MemberRow,
  removal: AdminRemoval,
): Promise<void> {
  if (member.role !== 'admin') return;
  await tx.organizations.lock(member.organization_id);
  if ((await tx.members.countActiveAdmins(member.organization_id)) > 1) return;
  const refused = removal === 'deactivation' ? ' and cannot be deactivated' : '';
  throw new RosterError(
    'conflict',
    `${member.user_name} is the last active Admin of this organization${refused}; make another member Admin first`,
  );
}
