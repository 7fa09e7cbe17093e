// The wire shapes of a SCIM Group (RFC 7643 §4.2) and what a POST or PUT body says.

export interface ScimGroupMember {
  value: string;
  $ref?: string;
  display?: string;
  type?: 'User';
}

export interface ScimGroupDocument {
  schemas: string[];
  id: string;
  externalId?: string;
  displayName: string;
  members?: ScimGroupMember[];
  meta: {
    resourceType: 'Group';
    created: string;
    lastModified: string;
    location: string;
    version: string;
  };
}

/** A POST or PUT body, checked: `memberIds` undefined when the body has no `members`. */
export interface ScimGroupInput {
  displayName: string;
  /** undefined: not sent; null: cleared. */
  externalId: string | null | undefined;
  memberIds: string[] | undefined;
}
