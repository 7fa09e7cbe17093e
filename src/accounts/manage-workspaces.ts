// Creating and renaming workspaces, and granting or revoking a member's access to one. Admins reach
// every workspace without grants; a grant matters to Members, and survives deactivation.

import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { RosterError } from '../errors.ts';
import { announceWorkspaceChanges, workspaceAccessOf } from '../membership/effective-access.ts';
import { UniqueViolationError } from '../store/errors.ts';
import { newId, now } from '../store/ids.ts';
import type { WorkspaceRecord } from '../store/repos/workspaces.ts';
import type { Repositories, Store } from '../store/store.ts';
import { memberNotFoundError } from './members.ts';

interface Change {
  organizationId: string;
  actor: Actor;
  requestId?: string | null;
}

function workspaceName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 100) {
    throw new RosterError('invalid_value', 'the workspace name must be 1 to 100 characters');
  }
  return trimmed;
}

async function uniqueName<T>(name: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UniqueViolationError) {
      throw new RosterError('conflict', `a workspace named "${name}" already exists in this organization`);
    }
    throw error;
  }
}

async function workspaceOf(tx: Repositories, organizationId: string, id: string): Promise<WorkspaceRecord> {
  const workspace = await tx.workspaces.getById(organizationId, id);
  if (!workspace) throw new RosterError('not_found', `no workspace with id ${id} in this organization`);
  return workspace;
}

export async function createWorkspace(
  store: Store,
  input: Change & { name: string },
): Promise<WorkspaceRecord> {
  const name = workspaceName(input.name);
  return uniqueName(name, () =>
    store.transaction(async (tx) => {
      const at = now();
      const workspace: WorkspaceRecord = {
        id: newId(),
        organization_id: input.organizationId,
        name,
        is_default: 0,
        created_at: at,
        updated_at: at,
      };
      await tx.workspaces.insert(workspace);
      await recordAudit(tx, {
        organizationId: input.organizationId,
        actor: input.actor,
        action: 'workspace.created',
        target: { type: 'workspace', id: workspace.id, label: name },
        after: { name },
        requestId: input.requestId ?? null,
      });
      return workspace;
    }),
  );
}

export async function renameWorkspace(
  store: Store,
  input: Change & { workspaceId: string; name: string },
): Promise<WorkspaceRecord> {
  const name = workspaceName(input.name);
  return uniqueName(name, () =>
    store.transaction(async (tx) => {
      const before = await workspaceOf(tx, input.organizationId, input.workspaceId);
      if (before.name === name) return before;
      const at = now();
      await tx.workspaces.rename(input.organizationId, before.id, name, at);
      await recordAudit(tx, {
        organizationId: input.organizationId,
        actor: input.actor,
        action: 'workspace.renamed',
        target: { type: 'workspace', id: before.id, label: name },
        before: { name: before.name },
        after: { name },
        requestId: input.requestId ?? null,
      });
      return { ...before, name, updated_at: at };
    }),
  );
}

export interface AccessChange extends Change {
  membershipId: string;
  workspaceId: string;
}

/** Grants (`granted: true`) or revokes a member's access; a change that is already so stores nothing. */
export async function setWorkspaceAccess(
  store: Store,
  input: AccessChange & { granted: boolean },
): Promise<boolean> {
  return store.transaction(async (tx) => {
    const member = await tx.members.getById(input.organizationId, input.membershipId, { forUpdate: true });
    if (!member) throw memberNotFoundError(input.membershipId);
    const workspace = await workspaceOf(tx, input.organizationId, input.workspaceId);
    const has = (await tx.workspaceGrants.workspaceIdsOf(member.id)).includes(workspace.id);
    if (has === input.granted) return false;
    const before = (await workspaceAccessOf(tx, [member.id])).get(member.id);
    if (input.granted) await tx.workspaceGrants.grant(member.id, workspace.id, now());
    else await tx.workspaceGrants.revoke(member.id, workspace.id);
    const after = (await workspaceAccessOf(tx, [member.id])).get(member.id);
    await recordAudit(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: input.granted ? 'workspace.access_granted' : 'workspace.access_revoked',
      target: { type: 'member', id: member.id, label: member.user_name },
      before: { workspace: workspace.name, access: has },
      after: {
        workspace: workspace.name,
        workspaceId: workspace.id,
        access: input.granted,
        cause: { kind: 'direct' },
      },
      requestId: input.requestId ?? null,
    });
    // The event says what the member reaches: a direct grant of a workspace a group already gives
    // changes the sources, not the access, and announces nothing.
    await announceWorkspaceChanges(
      tx,
      input,
      { ...member, status: 'active' },
      before,
      after,
      { kind: 'direct' },
      {
        audit: false,
      },
    );
    return true;
  });
}

export const grantWorkspaceAccess = (store: Store, input: AccessChange) =>
  setWorkspaceAccess(store, { ...input, granted: true });
export const revokeWorkspaceAccess = (store: Store, input: AccessChange) =>
  setWorkspaceAccess(store, { ...input, granted: false });
