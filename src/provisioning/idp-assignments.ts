// A User's `roles` and `entitlements`: what the identity provider assigns the member directly
// (Okta Identity Governance, docs/idp-requests.md#okta-entitlements), stored as the member's
// entitlements (`member_entitlements`: kind `role` or `workspace`) and combined with Roster's own
// grants and the member's groups by membership/effective-access.ts.
//
// What a User resource returns: `entitlements` exactly as the IdP assigned them; `roles` the member's
// current role (as it always has: empty while deactivated, docs/scim.md), of which the IdP's
// assignment is one source. A PUT or PATCH writes the IdP's assignment: it starts from what the IdP
// assigned (`idpView`), never from the role shown, so a request that leaves `roles` alone never
// turns a role given by a group or in Roster into an IdP assignment. A PUT that sends back the
// member's shown Admin role does assign it, as any client's PUT sets what it sends.

import { recordAudit } from '../audit/record-audit.ts';
import { RosterError } from '../errors.ts';
import { announceWorkspaceChanges, settleRole, workspaceAccessOf } from '../membership/effective-access.ts';
import type { LoadedMember } from '../membership/loaded-member.ts';
import { memberDocument } from '../membership/loaded-member.ts';
import type { ScimMultiValue, ScimUserDocument } from '../scim/resource/scim-user.ts';
import { WORKSPACE_ENTITLEMENT_TYPE } from '../scim/schemas/entitlement-attributes.ts';
import { now } from '../store/ids.ts';
import type { EntitlementKind, Role } from '../store/schema.ts';
import type { Repositories } from '../store/store.ts';
import type { ProvisioningContext } from './context.ts';
import { ORGANIZATION_ROLES, roleDisplayName } from './entitlement-resources.ts';

/** The IdP's assignments of one member: role values and workspace ids, each sorted, no repeats. */
export interface IdpAssignments {
  roles: Role[];
  workspaces: string[];
}

/** An assignment as read back, with the workspace's name for `display`. */
export interface AssignmentRow {
  kind: EntitlementKind;
  value: string;
  /** For kind `workspace`: the workspace's current name. */
  workspaceName: string | null;
}

/** `roles` and `entitlements` of the User resource, as Okta's entitlements guide shows them. */
export interface AssignedValues {
  roles: ScimMultiValue[];
  entitlements: ScimMultiValue[];
}

export const NO_ASSIGNMENTS: AssignedValues = { roles: [], entitlements: [] };

export function assignedValues(rows: readonly AssignmentRow[]): AssignedValues {
  const roles: ScimMultiValue[] = [];
  const entitlements: ScimMultiValue[] = [];
  for (const row of rows) {
    if (row.kind === 'role') {
      const role = ORGANIZATION_ROLES.find((candidate) => candidate.id === row.value);
      if (role) roles.push({ value: role.id, display: roleDisplayName(role.id) });
    } else if (row.workspaceName !== null) {
      entitlements.push({ value: row.value, display: row.workspaceName, type: WORKSPACE_ENTITLEMENT_TYPE });
    }
  }
  return { roles, entitlements };
}

/** The assignments of each of `membershipIds`, as the User resource shows them (one query per 500). */
export async function assignmentsOfMembers(
  tx: Repositories,
  membershipIds: readonly string[],
): Promise<Map<string, AssignedValues>> {
  return memberAssignedValues(await tx.access.assignmentsOf(membershipIds));
}

/** Assignments, as read, → each member's `roles` and `entitlements` values, by membership id. */
export function memberAssignedValues(
  read: readonly (AssignmentRow & { membershipId: string })[],
): Map<string, AssignedValues> {
  const rows = new Map<string, AssignmentRow[]>();
  for (const row of read) {
    const held = rows.get(row.membershipId);
    if (held) held.push(row);
    else rows.set(row.membershipId, [row]);
  }
  return new Map([...rows].map(([id, held]) => [id, assignedValues(held)]));
}

/** What PUT and PATCH start from: the member's IdP view with its assignments, and those assignments. */
export interface IdpView {
  document: ScimUserDocument;
  held: IdpAssignments;
}

export const NOTHING_HELD: IdpAssignments = { roles: [], workspaces: [] };

/** The member's IdP view with its assignments (one read of `member_entitlements`). */
export async function idpView(tx: Repositories, member: LoadedMember): Promise<IdpView> {
  const document = memberDocument(member);
  const assigned = (await assignmentsOfMembers(tx, [member.row.id])).get(member.row.id) ?? NO_ASSIGNMENTS;
  // Entitlements stored in the profile by earlier versions are no assignment.
  delete document.roles;
  delete document.entitlements;
  if (assigned.roles.length > 0) document.roles = assigned.roles;
  if (assigned.entitlements.length > 0) document.entitlements = assigned.entitlements;
  const held: IdpAssignments = {
    roles: assigned.roles.map((role) => role.value as Role).sort(),
    workspaces: assigned.entitlements.map((entitlement) => String(entitlement.value)).sort(),
  };
  return { document, held };
}

function elements(document: ScimUserDocument, name: 'roles' | 'entitlements'): ScimMultiValue[] {
  const value = document[name];
  return Array.isArray(value) ? value : [];
}

function requiredValue(element: ScimMultiValue, attribute: string): string {
  if (typeof element.value !== 'string' || element.value.trim() === '') {
    throw new RosterError(
      'invalid_value',
      `${attribute}[].value is required: the id of a ${attribute === 'roles' ? 'Role' : 'Workspace'}`,
    );
  }
  return element.value.trim();
}

/**
 * The assignments a requested User document asks for, checked against the organization: a role
 * that is not admin or member, an entitlement of another type, or a workspace the organization does
 * not have is a 400 `invalidValue` and nothing of the request is stored.
 */
export async function requestedAssignments(
  tx: Repositories,
  organizationId: string,
  document: ScimUserDocument,
): Promise<IdpAssignments> {
  const roles = new Set<Role>();
  for (const element of elements(document, 'roles')) {
    const value = requiredValue(element, 'roles').toLowerCase();
    const role = ORGANIZATION_ROLES.find((candidate) => candidate.id === value);
    if (!role) {
      throw new RosterError(
        'invalid_value',
        `roles: "${element.value}" is not a role of this organization (admin, member: GET /Roles)`,
      );
    }
    roles.add(role.id);
  }
  const workspaces = new Set<string>();
  for (const element of elements(document, 'entitlements')) {
    const value = requiredValue(element, 'entitlements');
    // Okta sends the resource type's name as the type; a client that omits it means the only one.
    if (
      element.type !== undefined &&
      String(element.type).toLowerCase() !== WORKSPACE_ENTITLEMENT_TYPE.toLowerCase()
    ) {
      throw new RosterError(
        'invalid_value',
        `entitlements: type "${element.type}" is not offered: Roster's entitlements are of type "Workspace" (GET /ResourceTypes)`,
      );
    }
    workspaces.add(value);
  }
  for (const id of workspaces) {
    if (!(await tx.workspaces.getById(organizationId, id))) {
      throw new RosterError(
        'invalid_value',
        `entitlements: "${id}" is not a workspace of this organization (GET /Workspaces)`,
      );
    }
  }
  return { roles: [...roles].sort(), workspaces: [...workspaces].sort() };
}

/**
 * The body of a PUT with its `roles` taken as the IdP's assignment, unless they are the roles GET
 * shows (the member's current role, or none while deactivated) sent back as they were read: a client
 * that reads a User and PUTs it back edited (Okta's PUT mode, Microsoft's reference collection) sends
 * `roles` it never meant to assign, and a resource sent back unchanged must change nothing. Such
 * `roles` leave the assignments as they are.
 */
export function rolesAsAssigned(
  requested: ScimUserDocument,
  view: ScimUserDocument,
  shown: readonly ScimMultiValue[],
): ScimUserDocument {
  if (requested.roles === undefined) return requested;
  const values = (list: readonly ScimMultiValue[]) =>
    [...new Set(list.map((element) => String(element.value ?? '').toLowerCase()))].sort();
  if (!sameSet(values(elements(requested, 'roles')), values(shown))) return requested;
  const { roles: _echoed, ...rest } = requested;
  return view.roles === undefined ? rest : { ...rest, roles: view.roles };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

/**
 * Stores `requested` in place of `held` (what idpView read) as the member's IdP assignments (after
 * applyIdpView, in the same transaction)
 * and settles what they give: the effective role (settleRole, with the last-Admin rule of the
 * access model) and the workspaces gained or lost (announced with cause `entitlement`). The member's
 * version moves when its assignments do, since the User resource shows them.
 */
export async function applyAssignments(
  tx: Repositories,
  ctx: ProvisioningContext,
  member: LoadedMember,
  held: IdpAssignments,
  requested: IdpAssignments,
): Promise<LoadedMember> {
  const id = member.row.id;
  const rolesChanged = !sameSet(held.roles, requested.roles);
  const workspacesChanged = !sameSet(held.workspaces, requested.workspaces);
  if (!rolesChanged && !workspacesChanged) return member;

  const cause = { kind: 'entitlement' } as const;
  const accessCtx = { organizationId: ctx.organizationId, actor: ctx.actor, requestId: ctx.requestId };
  const workspacesBefore = workspacesChanged ? (await workspaceAccessOf(tx, [id])).get(id) : undefined;
  const at = now();
  const changes: [EntitlementKind, readonly string[], readonly string[]][] = [
    ['role', held.roles, requested.roles],
    ['workspace', held.workspaces, requested.workspaces],
  ];
  for (const [kind, before, after] of changes) {
    for (const value of before)
      if (!after.includes(value)) await tx.access.removeEntitlement(id, kind, value);
    for (const value of after)
      if (!before.includes(value)) await tx.access.addEntitlement(id, kind, value, at);
  }
  if (workspacesChanged) {
    const workspacesAfter = (await workspaceAccessOf(tx, [id])).get(id);
    await announceWorkspaceChanges(tx, accessCtx, member.row, workspacesBefore, workspacesAfter, cause);
  }

  // The role first (settleRole writes the row when the effective role moves), then the version,
  // which moves with the assignments in any case: the User resource shows them.
  let row = rolesChanged ? await settleRole(tx, accessCtx, member.row, cause) : member.row;
  if (row.version === member.row.version) {
    const bumped = { ...row, version: row.version + 1, updated_at: at };
    await tx.members.update(bumped, row);
    row = bumped;
  }
  await recordAudit(tx, {
    organizationId: ctx.organizationId,
    actor: ctx.actor,
    requestId: ctx.requestId,
    action: 'member.updated',
    target: { type: 'member', id, label: row.user_name },
    before: { roles: held.roles, entitlements: held.workspaces },
    after: { roles: requested.roles, entitlements: requested.workspaces },
  });
  return { row, profile: member.profile };
}
