// The core User schema (RFC 7643 §4.1, §8.7.1) and the common attributes (§3.1), with Roster's
// choices: `roles` and `entitlements` are what the identity provider assigns the member (Okta
// Identity Governance: a role of /Roles, workspaces of /Workspaces), stored as the IdP's grants and
// returned as assigned; `groups` lists the groups the IdP put the member in (/Groups) and is
// read-only; `password` is accepted and dropped (writeOnly, returned never).

import type { AttributeDefinition } from './attribute-definition.ts';
import { defineAttribute as attr, multiValuedSubAttributes, readOnly } from './attribute-definition.ts';

/** `id`, `externalId`, `meta` — part of every resource, not of the User schema document (§3.1). */
export const COMMON_ATTRIBUTES: readonly AttributeDefinition[] = [
  attr('id', 'string', 'Unique identifier of the member in this organization, issued by Roster.', {
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
  }),
  attr('externalId', 'string', "The identifier of the person in the provisioning client's domain.", {
    caseExact: true,
  }),
  readOnly(
    attr('meta', 'complex', 'Resource metadata.', {
      subAttributes: [
        attr('resourceType', 'string', 'The name of the resource type.', { caseExact: true }),
        attr('created', 'dateTime', 'When the resource was added to Roster.'),
        attr('lastModified', 'dateTime', 'When the resource was last updated.'),
        attr('location', 'reference', 'The URI of the resource.', {
          caseExact: true,
          referenceTypes: ['uri'],
        }),
        attr('version', 'string', 'The version (ETag) of the resource.', { caseExact: true }),
      ],
    }),
  ),
];

const nameAttribute = attr('name', 'complex', "The components of the user's name.", {
  subAttributes: [
    attr('formatted', 'string', 'The full name, formatted for display.'),
    attr('familyName', 'string', 'The family name (last name in most Western languages).'),
    attr('givenName', 'string', 'The given name (first name in most Western languages).'),
    attr('middleName', 'string', 'The middle name(s).'),
    attr('honorificPrefix', 'string', 'The honorific prefix(es), e.g. "Ms.".'),
    attr('honorificSuffix', 'string', 'The honorific suffix(es), e.g. "III".'),
  ],
});

const addressesAttribute = attr('addresses', 'complex', 'Physical mailing addresses.', {
  multiValued: true,
  subAttributes: [
    attr('formatted', 'string', 'The full mailing address, formatted for display.'),
    attr('streetAddress', 'string', 'The full street address component.'),
    attr('locality', 'string', 'The city or locality component.'),
    attr('region', 'string', 'The state or region component.'),
    attr('postalCode', 'string', 'The zip code or postal code component.'),
    attr('country', 'string', 'The country name component (ISO 3166-1 alpha-2).'),
    attr('type', 'string', 'A label indicating the function of the address.', {
      canonicalValues: ['work', 'home', 'other'],
    }),
    attr('primary', 'boolean', 'Whether this is the primary address; at most one per resource.'),
  ],
});

const groupsAttribute = readOnly(
  attr('groups', 'complex', 'The groups the user belongs to, as /Groups lists their members.', {
    multiValued: true,
    subAttributes: [
      attr('value', 'string', 'The identifier of the group.'),
      attr('$ref', 'reference', 'The URI of the group.', { referenceTypes: ['User', 'Group'] }),
      attr('display', 'string', 'A human-readable name of the group.'),
      attr('type', 'string', 'How the membership was derived.', { canonicalValues: ['direct', 'indirect'] }),
    ],
  }),
);

function multiValued(name: string, description: string, subAttributes: AttributeDefinition[]) {
  return attr(name, 'complex', description, { multiValued: true, subAttributes });
}

/** The attributes of the User schema document, in RFC 7643 §4.1 order. */
export const USER_ATTRIBUTES: readonly AttributeDefinition[] = [
  attr('userName', 'string', 'The unique identifier of the user for the provisioning client.', {
    required: true,
    uniqueness: 'server',
  }),
  nameAttribute,
  attr('displayName', 'string', 'The name of the user, suitable for display.'),
  attr('nickName', 'string', 'The casual way to address the user.'),
  attr('profileUrl', 'reference', "A URI pointing to the user's online profile.", {
    referenceTypes: ['external'],
  }),
  attr('title', 'string', 'The user\'s title, e.g. "Vice President".'),
  attr('userType', 'string', 'The relationship between the organization and the user.'),
  attr('preferredLanguage', 'string', "The user's preferred written or spoken language."),
  attr('locale', 'string', 'The user\'s default location, e.g. "en-US".'),
  attr('timezone', 'string', 'The user\'s time zone in IANA format, e.g. "Europe/Paris".'),
  attr('active', 'boolean', "Whether the member is active. false deactivates and revokes the member's role."),
  attr('password', 'string', 'Accepted for compatibility and discarded: Roster never stores passwords.', {
    mutability: 'writeOnly',
    returned: 'never',
  }),
  multiValued(
    'emails',
    'Email addresses of the user.',
    multiValuedSubAttributes('email address', ['work', 'home', 'other']),
  ),
  multiValued(
    'phoneNumbers',
    'Phone numbers of the user.',
    multiValuedSubAttributes('phone number', ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
  ),
  multiValued(
    'ims',
    'Instant messaging addresses of the user.',
    multiValuedSubAttributes('instant messaging address', [
      'aim',
      'gtalk',
      'icq',
      'xmpp',
      'msn',
      'skype',
      'qq',
      'yahoo',
    ]),
  ),
  multiValued(
    'photos',
    'URLs of photos of the user.',
    multiValuedSubAttributes(
      'photo',
      ['photo', 'thumbnail'],
      attr('value', 'reference', 'The URL of the photo.', { referenceTypes: ['external'] }),
    ),
  ),
  addressesAttribute,
  groupsAttribute,
  multiValued(
    'entitlements',
    'Workspaces the identity provider grants the member: value is the id of a workspace of /Workspaces, type "Workspace".',
    multiValuedSubAttributes('entitlement', ['Workspace']),
  ),
  multiValued(
    'roles',
    'The organization roles the identity provider assigns the member: value admin or member, as /Roles lists them. ' +
      'The member is an Admin if this, a group or Roster itself gives the Admin role.',
    multiValuedSubAttributes('role', undefined),
  ),
  multiValued(
    'x509Certificates',
    'X.509 certificates of the user.',
    multiValuedSubAttributes(
      'certificate',
      undefined,
      attr('value', 'binary', 'The DER-encoded certificate, base64.', { caseExact: true }),
    ),
  ),
];
