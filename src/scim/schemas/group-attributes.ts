// The core Group schema (RFC 7643 §4.2, §8.7.1) as Roster serves it: `displayName` and `members`,
// whose values are ids of this organization's Users (Roster has no nested groups).
import type { AttributeDefinition } from './attribute-definition.ts';
import { defineAttribute as attr } from './attribute-definition.ts';
import { COMMON_ATTRIBUTES } from './user-attributes.ts';

export const GROUP_ATTRIBUTES: readonly AttributeDefinition[] = [
  attr('displayName', 'string', 'A human-readable name for the group.', { required: true }),
  attr('members', 'complex', 'The members of the group: Users of this organization.', {
    multiValued: true,
    subAttributes: [
      attr('value', 'string', 'The id of the member (a User).', { caseExact: true, mutability: 'immutable' }),
      attr('$ref', 'reference', 'The URI of the member.', {
        caseExact: true,
        mutability: 'immutable',
        referenceTypes: ['User'],
      }),
      attr('display', 'string', 'The name of the member, for display only.', { mutability: 'readOnly' }),
      attr('type', 'string', 'The type of the member.', {
        canonicalValues: ['User'],
        mutability: 'immutable',
      }),
    ],
  }),
];

/** Every top-level attribute of a Roster Group resource. */
export const GROUP_RESOURCE_ATTRIBUTES: readonly AttributeDefinition[] = [
  ...COMMON_ATTRIBUTES,
  ...GROUP_ATTRIBUTES,
];
