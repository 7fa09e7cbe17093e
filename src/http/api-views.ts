// The JSON shapes of the REST API (`/api/v1`): camelCase, never a hash, never a secret but once.
import { RosterError } from '../errors.ts';
import type { MemberAccess } from '../membership/effective-access.ts';
import type { MemberListing } from '../store/repos/member-directory.ts';
import type { MemberRow } from '../store/repos/members.ts';
import type { WorkspaceRecord } from '../store/repos/workspaces.ts';

export function memberView(row: MemberRow | MemberListing) {
  return {
    id: row.id,
    userName: row.user_name,
    displayName: row.display_name,
    name: { givenName: row.given_name, familyName: row.family_name },
    email: 'email' in row ? row.email : undefined,
    externalId: row.external_id,
    role: row.role,
    previousRole: row.previous_role,
    directRole: row.direct_role,
    status: row.status,
    source: row.source,
    /** SCIM members' name, emails, userName and status belong to the identity provider. */
    managedByIdentityProvider: row.source === 'scim',
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deactivatedAt: row.deactivated_at,
  };
}

export function workspaceView(workspace: WorkspaceRecord) {
  return {
    id: workspace.id,
    name: workspace.name,
    isDefault: workspace.is_default === 1,
    createdAt: workspace.created_at,
    updatedAt: workspace.updated_at,
  };
}

/** A JSON body's object, or a 400-worthy message. */
export function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new RosterError('invalid_value', 'the request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

/** `?limit=` as a number (NaN when absent, so callers fall back to their default). */
export function limitOf(query: Record<string, unknown>): number | undefined {
  const raw = query.limit;
  if (raw === undefined || raw === '') return undefined;
  return typeof raw === 'string' && /^\d{1,6}$/.test(raw) ? Number(raw) : -1;
}

/** A member's access with its sources (src/membership/effective-access.ts). */
export function accessView(access: MemberAccess) {
  return {
    role: access.role.value,
    roleSources: access.role.sources,
    allWorkspaces: access.allWorkspaces,
    workspaces: access.workspaces,
  };
}
