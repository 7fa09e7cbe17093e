import { atLeast } from '../auth/roles.ts';
import { workspaceAccessOf } from '../membership/effective-access.ts';
import type { WorkspaceRecord } from '../store/repos/workspaces.ts';
import type { Role } from '../store/schema.ts';
import type { Store } from '../store/store.ts';

/**
 * Admins reach every workspace of their organization; members reach their effective workspaces
 * (direct grants, their groups', their entitlements'); a deactivated member (no role) none.
 */
export async function reachableWorkspaces(
  store: Store,
  organizationId: string,
  membershipId: string | null,
  role: Role | null,
): Promise<WorkspaceRecord[]> {
  const all = await store.workspaces.list(organizationId);
  if (atLeast(role, 'admin')) return all;
  if (membershipId === null || role === null) return [];
  const reached = (await workspaceAccessOf(store, [membershipId])).get(membershipId);
  return all.filter((workspace) => reached?.has(workspace.id) === true);
}
