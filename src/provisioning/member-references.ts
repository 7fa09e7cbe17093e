// What a User resource shows besides its row: its groups (group-resource.ts) and what the IdP
// assigned it (idp-assignments.ts). Read only when the response's projection shows them, and in one
// statement when it shows both (each statement is a round trip on PostgreSQL).
import type { ScimMultiValue } from '../scim/resource/scim-user.ts';
import type { Repositories } from '../store/store.ts';
import { groupsOfMembers, memberGroupValues } from './group-resource.ts';
import { type AssignedValues, assignmentsOfMembers, memberAssignedValues } from './idp-assignments.ts';

export interface MemberReferences {
  /** `groups` by membership id; empty when not asked for. */
  groups: Map<string, ScimMultiValue[]>;
  /** `roles` and `entitlements` the IdP assigned, by membership id; empty when not asked for. */
  assigned: Map<string, AssignedValues>;
}

export async function referencesOfMembers(
  store: Repositories,
  membershipIds: readonly string[],
  scimBaseUrl: string,
  shows: { groups: boolean; assignments: boolean },
): Promise<MemberReferences> {
  if (membershipIds.length === 0 || (!shows.groups && !shows.assignments)) {
    return { groups: new Map(), assigned: new Map() };
  }
  if (!shows.assignments) {
    return { groups: await groupsOfMembers(store, membershipIds, scimBaseUrl), assigned: new Map() };
  }
  if (!shows.groups) return { groups: new Map(), assigned: await assignmentsOfMembers(store, membershipIds) };
  const { groups, assignments } = await store.access.resourceReferencesOf(membershipIds);
  return { groups: memberGroupValues(groups, scimBaseUrl), assigned: memberAssignedValues(assignments) };
}
