import { atLeast } from '../auth/roles.ts';
import type { WorkspaceRecord } from '../store/repos/organizations.ts';
import type { Role } from '../store/schema.ts';
import type { Store } from '../store/store.ts';

/** Admins reach every workspace of their organization; members reach the ones granted to them. */
export async function reachableWorkspaces(
  store: Store,
  organizationId: string,
  membershipId: string | null,
  role: Role | null,
): Promise<WorkspaceRecord[]> {
  const all = await store.organizations.listWorkspaces(organizationId);
  if (atLeast(role, 'admin')) return all;
  if (membershipId === null || role === null) return [];
  const granted = new Set(await store.members.grantedWorkspaceIds(membershipId));
  return all.filter((workspace) => granted.has(workspace.id));
}
