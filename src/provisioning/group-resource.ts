// A group → the SCIM Group resource (RFC 7643 §4.2), and whether a response needs its members.

import type { ScimGroupDocument } from '../scim/group/scim-group.ts';
import { type ProjectionOptions, parseAttributeList } from '../scim/resource/project-resource.ts';
import type { ScimMultiValue } from '../scim/resource/scim-user.ts';
import { GROUP_SCHEMA } from '../scim/schemas/urns.ts';
import type { GroupMemberRef, GroupRow, MemberGroupRef } from '../store/repos/groups.ts';
import type { Repositories } from '../store/store.ts';
import { etagOf } from './member-resource.ts';

/**
 * Whether the projection keeps `members`: reading them is the one part of a group whose cost grows
 * with its size, so a response without them (Entra always asks `excludedAttributes=members`) never
 * reads them.
 */
export function wantsMembers(projection: ProjectionOptions): boolean {
  return projectionShows(projection, 'members');
}

/**
 * Whether a response projected with `projection` shows the multi-valued attribute `name` (a core
 * attribute, possibly URN-prefixed): not excluded, and either no `attributes` or among them.
 */
export function projectionShows(projection: ProjectionOptions, name: string): boolean {
  // The name after a URN prefix ends at its last colon: `urn:…:core:2.0:Group:members.value`.
  const bare = (text: string) => text.slice(text.lastIndexOf(':') + 1).toLowerCase();
  const names = (list: string | readonly string[] | undefined) => parseAttributeList(list).map(bare);
  if (names(projection.excludedAttributes).includes(name.toLowerCase())) return false;
  const requested = names(projection.attributes);
  return (
    requested.length === 0 ||
    requested.some((n) => n === name.toLowerCase() || n.startsWith(`${name.toLowerCase()}.`))
  );
}

export function toScimGroup(
  row: GroupRow,
  members: readonly GroupMemberRef[] | undefined,
  scimBaseUrl: string,
): ScimGroupDocument {
  return {
    schemas: [GROUP_SCHEMA],
    id: row.id,
    ...(row.external_id !== null ? { externalId: row.external_id } : {}),
    displayName: row.display_name,
    ...(members
      ? {
          members: members.map((member) => ({
            value: member.membershipId,
            $ref: `${scimBaseUrl}/Users/${member.membershipId}`,
            display: member.display,
            type: 'User' as const,
          })),
        }
      : {}),
    meta: {
      resourceType: 'Group',
      created: row.created_at,
      lastModified: row.updated_at,
      location: `${scimBaseUrl}/Groups/${row.id}`,
      version: etagOf(row.version),
    },
  };
}

/**
 * The User resource's read-only `groups` (RFC 7643 §4.1.2) of each member, by membership id:
 * one indexed query for a whole page of Users.
 */
export async function groupsOfMembers(
  store: Repositories,
  membershipIds: readonly string[],
  scimBaseUrl: string,
): Promise<Map<string, ScimMultiValue[]>> {
  if (membershipIds.length === 0) return new Map();
  return memberGroupValues(await store.groups.groupsOf(membershipIds), scimBaseUrl);
}

/** Group references, as read, → each member's `groups` values, by membership id. */
export function memberGroupValues(
  refs: readonly MemberGroupRef[],
  scimBaseUrl: string,
): Map<string, ScimMultiValue[]> {
  const byMember = new Map<string, ScimMultiValue[]>();
  for (const ref of refs) {
    const list = byMember.get(ref.membershipId) ?? [];
    list.push({
      value: ref.groupId,
      $ref: `${scimBaseUrl}/Groups/${ref.groupId}`,
      display: ref.displayName,
      type: 'direct',
    });
    byMember.set(ref.membershipId, list);
  }
  return byMember;
}
