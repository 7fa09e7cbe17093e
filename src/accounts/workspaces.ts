import { atLeast } from '../auth/roles.ts';
import type { WorkspaceRecord } from '../store/repos/workspaces.ts';
import type { Role } from '../store/schema.ts';
import type { Store } from '../store/store.ts';

/** Admins reach every workspace of their organization; members reach the ones granted to them. */
export async function reachableWorkspaces(
  store: Store,
  organizationId: string,
  membershipId: string | null,
  role: Role | null,
): Promise<WorkspaceRecord[]> {
  const all = await store.workspaces.list(organizationId);
  if (atLeast(role, 'admin')) return all;
  if (membershipId === null || role === null) return [];
  const granted = new Set(await store.workspaceGrants.workspaceIdsOf(membershipId));
  return all.filter((workspace) => granted.has(workspace.id));
}
