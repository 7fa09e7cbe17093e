import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ScimUserDocument } from '../resource/scim-user.ts';
import { ENTERPRISE_USER_SCHEMA as ENT, PATCH_OP_SCHEMA, USER_SCHEMA } from '../schemas/urns.ts';
import type { ScimType } from '../scim-error.ts';
import { ScimError } from '../scim-error.ts';
import { applyPatch } from './apply-patch.ts';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** What the provisioning layer hands to applyPatch: the stored IdP view of one member. */
const JANE: ScimUserDocument = {
  id: 'm-1',
  externalId: '00ujl29u0le5T6Aj10h7',
  userName: 'jane.doe@acme.com',
  name: { givenName: 'Jane', familyName: 'Doe', formatted: 'Jane Doe' },
  displayName: 'Jane Doe',
  locale: 'en-US',
  active: true,
  emails: [{ value: 'jane.doe@acme.com', type: 'work', primary: true }],
  meta: { resourceType: 'User', created: '2024-01-01T00:00:00Z' },
};

/** An Entra-provisioned member: enterprise extension, several phones and an address. */
const ALEX: ScimUserDocument = {
  id: 'm-2',
  externalId: '3c8a1f0e-5d4b-4f7e-9a63-2b1c0d9e8f7a',
  userName: 'alex@contoso.com',
  name: { givenName: 'Alex', familyName: 'Wilber', formatted: 'Alex Wilber' },
  displayName: 'Alex Wilber',
  active: true,
  emails: [
    { value: 'alex@contoso.com', type: 'work', primary: true },
    { value: 'alex@home.example', type: 'home' },
  ],
  phoneNumbers: [
    { value: '+1 555 0100', type: 'work', primary: true },
    { value: '+1 555 0199', type: 'mobile' },
  ],
  addresses: [{ type: 'work', streetAddress: '1 Main St', locality: 'Redmond', country: 'US' }],
  [ENT]: { department: 'Sales', costCenter: 'CC-1', manager: { value: 'm-9', displayName: 'Megan' } },
};

const INACTIVE: ScimUserDocument = { ...JANE, active: false };
const BARE: ScimUserDocument = { id: 'm-3', userName: 'bare@acme.com', active: true };

type Operation = Record<string, unknown>;
const patch = (...operations: Operation[]) => ({ schemas: [PATCH_OP_SCHEMA], Operations: operations });
const replace = (path: string | undefined, value: unknown): Operation =>
  path === undefined ? { op: 'replace', value } : { op: 'replace', path, value };
const add = (path: string | undefined, value: unknown): Operation =>
  path === undefined ? { op: 'add', value } : { op: 'add', path, value };
const remove = (path: string, value?: unknown): Operation =>
  value === undefined ? { op: 'remove', path } : { op: 'remove', path, value };

interface Case {
  name: string;
  doc?: ScimUserDocument;
  body: unknown;
  /** Edits a copy of `doc` into the expected result (schemas are added from content). */
  expect?: (doc: ScimUserDocument) => void;
  error?: ScimType;
}

const LONG = 'x'.repeat(1025);
const manyEmails = Array.from({ length: 101 }, (_, i) => ({ value: `u${i}@acme.com` }));

const CASES: Case[] = [
  // ── Okta (docs/idp-requests.md, O6 and O7) ──────────────────────────────────────────────────
  {
    name: 'Okta: a path-less replace {active:false} deactivates',
    body: patch(replace(undefined, { active: false })),
    expect: (d) => {
      d.active = false;
    },
  },
  {
    name: 'Okta: a path-less replace {active:true} reactivates',
    doc: INACTIVE,
    body: patch(replace(undefined, { active: true })),
    expect: (d) => {
      d.active = true;
    },
  },
  {
    name: 'Okta: a nested path-less name value merges into name and keeps familyName',
    body: patch(replace(undefined, { name: { givenName: 'J' } })),
    expect: (d) => {
      d.name = { ...d.name, givenName: 'J' };
    },
  },
  {
    name: 'Okta: two dotted keys in one path-less value do not clobber each other',
    body: patch(replace(undefined, { 'name.givenName': 'J', 'name.familyName': 'D' })),
    expect: (d) => {
      d.name = { ...d.name, givenName: 'J', familyName: 'D' };
    },
  },
  {
    name: 'Okta: a pathed replace of name.givenName changes only the given name',
    body: patch(replace('name.givenName', 'Janet')),
    expect: (d) => {
      d.name = { ...d.name, givenName: 'Janet' };
    },
  },
  {
    name: 'Okta: a pathed replace of displayName changes it',
    body: patch(replace('displayName', 'Janet Doe')),
    expect: (d) => {
      d.displayName = 'Janet Doe';
    },
  },
  {
    name: 'Okta: a profile update with several path-less keys applies them all',
    body: patch(replace(undefined, { displayName: 'J D', name: { familyName: 'Dee' }, locale: 'fr-FR' })),
    expect: (d) => {
      d.displayName = 'J D';
      d.name = { ...d.name, familyName: 'Dee' };
      d.locale = 'fr-FR';
    },
  },
  {
    name: 'Okta: a read-only id inside a path-less value is ignored, the rest applied',
    body: patch(replace(undefined, { id: 'other', displayName: 'Renamed' })),
    expect: (d) => {
      d.displayName = 'Renamed';
    },
  },
  {
    name: 'Okta: path-less meta and groups are ignored rather than refused',
    body: patch(replace(undefined, { meta: { created: 'x' }, groups: [], active: false })),
    expect: (d) => {
      d.active = false;
    },
  },
  // docs/idp-requests.md#okta-entitlements: roles and entitlements are the IdP's to set.
  {
    name: 'Okta entitlements: a path-less replace sets roles and entitlements',
    body: patch(
      replace(undefined, {
        roles: [{ value: 'admin', display: 'Admin' }],
        entitlements: [{ value: 'w-1', display: 'Design', type: 'Workspace' }],
      }),
    ),
    expect: (d) => {
      d.roles = [{ value: 'admin', display: 'Admin' }];
      d.entitlements = [{ value: 'w-1', display: 'Design', type: 'Workspace' }];
    },
  },
  {
    name: 'Okta entitlements: a pathed add appends to roles, a filtered remove takes one away',
    body: patch(add('roles', [{ value: 'admin', display: 'Admin' }]), remove('roles[value eq "admin"]')),
    expect: () => {},
  },
  {
    name: 'Okta: a password in a path-less value is accepted and never stored',
    body: patch(replace(undefined, { password: 'tP9z!x2a' })),
    expect: () => {},
  },
  {
    name: 'Okta: a pathed replace of password is accepted and never stored',
    body: patch(replace('password', 'tP9z!x2a')),
    expect: () => {},
  },
  {
    name: 'Okta: an unknown custom attribute in a path-less value is ignored',
    body: patch(replace(undefined, { favouriteColour: 'teal', displayName: 'JD' })),
    expect: (d) => {
      d.displayName = 'JD';
    },
  },
  {
    name: 'Okta: a pathed replace of the whole name merges sub-attributes',
    body: patch(replace('name', { givenName: 'J' })),
    expect: (d) => {
      d.name = { ...d.name, givenName: 'J' };
    },
  },
  {
    name: 'Okta: a nested name and a dotted key in the same value both apply',
    body: patch(replace(undefined, { name: { familyName: 'X' }, 'name.givenName': 'Y' })),
    expect: (d) => {
      d.name = { ...d.name, givenName: 'Y', familyName: 'X' };
    },
  },
  {
    name: 'Okta: active sent as the string "false" still deactivates',
    body: patch(replace(undefined, { active: 'false' })),
    expect: (d) => {
      d.active = false;
    },
  },
  {
    name: 'Okta: a path-less add behaves like replace for single values',
    body: patch(add(undefined, { displayName: 'Added', title: 'CTO' })),
    expect: (d) => {
      d.displayName = 'Added';
      d.title = 'CTO';
    },
  },
  {
    name: 'Okta: path-less replace of emails replaces the whole array',
    body: patch(
      replace(undefined, { emails: [{ value: 'jane.doe@acme.com', type: 'work', primary: true }] }),
    ),
    expect: () => {},
  },
  {
    name: 'Okta: omitting active from a path-less profile update leaves active alone (failure mode 13)',
    doc: INACTIVE,
    body: patch(replace(undefined, { name: { givenName: 'J' } })),
    expect: (d) => {
      d.name = { ...d.name, givenName: 'J' };
    },
  },

  // ── Microsoft Entra ID ──────────────────────────────────────────────────────────────────────
  {
    name: 'Entra: Replace active "False" (a string) deactivates (failure mode 2)',
    body: patch({ op: 'Replace', path: 'active', value: 'False' }),
    expect: (d) => {
      d.active = false;
    },
  },
  {
    name: 'Entra: Replace active "True" reactivates',
    doc: INACTIVE,
    body: patch({ op: 'Replace', path: 'active', value: 'True' }),
    expect: (d) => {
      d.active = true;
    },
  },
  {
    name: 'Entra: boolean strings are accepted in any case ("FALSE")',
    body: patch({ op: 'Replace', path: 'active', value: 'FALSE' }),
    expect: (d) => {
      d.active = false;
    },
  },
  {
    name: 'Entra: an upper-case op REPLACE is understood (failure mode 1)',
    body: patch({ op: 'REPLACE', path: 'displayName', value: 'Upper' }),
    expect: (d) => {
      d.displayName = 'Upper';
    },
  },
  {
    name: 'Entra: Add on a single-valued attribute replaces it',
    body: patch({ op: 'Add', path: 'displayName', value: 'Added' }),
    expect: (d) => {
      d.displayName = 'Added';
    },
  },
  {
    name: 'Entra: Add on an attribute that was empty sets it',
    body: patch({ op: 'Add', path: 'title', value: 'Engineer' }),
    expect: (d) => {
      d.title = 'Engineer';
    },
  },
  {
    name: 'Entra: Remove with a capital R removes the attribute',
    doc: { ...JANE, title: 'Engineer' },
    body: patch({ op: 'Remove', path: 'title' }),
    expect: (d) => {
      delete d.title;
    },
  },
  {
    name: 'Entra: Replace emails[type eq "work"].value updates the work email',
    body: patch({ op: 'Replace', path: 'emails[type eq "work"].value', value: 'jd@acme.com' }),
    expect: (d) => {
      d.emails = [{ value: 'jd@acme.com', type: 'work', primary: true }];
    },
  },
  {
    name: 'Entra: Add emails[type eq "home"].value with no home email creates one (add-on-miss)',
    body: patch({ op: 'Add', path: 'emails[type eq "home"].value', value: 'jane@home.example' }),
    expect: (d) => {
      d.emails = [...(d.emails ?? []), { type: 'home', value: 'jane@home.example' }];
    },
  },
  {
    name: 'Entra: Replace emails[type eq "work"].value with no emails at all creates the work email',
    doc: BARE,
    body: patch({ op: 'Replace', path: 'emails[type eq "work"].value', value: 'bare@acme.com' }),
    expect: (d) => {
      d.emails = [{ type: 'work', value: 'bare@acme.com' }];
    },
  },
  {
    name: 'Entra: Replace of the enterprise department by URN path',
    doc: ALEX,
    body: patch({ op: 'Replace', path: `${ENT}:department`, value: 'Marketing' }),
    expect: (d) => {
      d[ENT] = { ...d[ENT], department: 'Marketing' };
    },
  },
  {
    name: 'Entra: Add of an enterprise attribute creates the extension and lists its schema',
    body: patch({ op: 'Add', path: `${ENT}:employeeNumber`, value: '701984' }),
    expect: (d) => {
      d[ENT] = { employeeNumber: '701984' };
    },
  },
  {
    name: 'Entra: Replace of manager.value by URN path keeps the manager displayName',
    doc: ALEX,
    body: patch({ op: 'Replace', path: `${ENT}:manager.value`, value: 'm-10' }),
    expect: (d) => {
      d[ENT] = { ...d[ENT], manager: { value: 'm-10', displayName: 'Megan' } };
    },
  },
  {
    name: 'Entra: Add of manager as an object sets it (its read-only displayName is ignored)',
    body: patch({ op: 'Add', path: `${ENT}:manager`, value: { value: 'm-9', displayName: 'X' } }),
    expect: (d) => {
      d[ENT] = { manager: { value: 'm-9' } };
    },
  },
  // Entra's default mapping sends the manager as a bare string, its id (docs/idp-requests.md).
  {
    name: 'Entra: Add of manager as a bare string sets manager.value',
    body: patch({ op: 'Add', path: `${ENT}:manager`, value: 'm-9' }),
    expect: (d) => {
      d[ENT] = { manager: { value: 'm-9' } };
    },
  },
  {
    name: 'Entra: Replace of manager as a bare string keeps the department and the displayName',
    doc: ALEX,
    body: patch({ op: 'Replace', path: `${ENT}:manager`, value: 'm-10' }),
    expect: (d) => {
      d[ENT] = { ...d[ENT], manager: { value: 'm-10', displayName: 'Megan' } };
    },
  },
  {
    name: 'Entra: a path-less extension object with a bare-string manager sets manager.value',
    doc: ALEX,
    body: patch({ op: 'Replace', value: { [ENT]: { manager: 'm-11', department: 'Legal' } } }),
    expect: (d) => {
      d[ENT] = { ...d[ENT], department: 'Legal', manager: { value: 'm-11', displayName: 'Megan' } };
    },
  },
  {
    name: 'Entra: a path-less URN-prefixed manager key with a bare string sets manager.value',
    body: patch({ op: 'Add', value: { [`${ENT}:manager`]: 'm-12' } }),
    expect: (d) => {
      d[ENT] = { manager: { value: 'm-12' } };
    },
  },
  {
    name: 'Entra: a bare-string manager does not cost the request its other operations',
    body: patch(
      { op: 'Replace', path: 'displayName', value: 'Jane Q. Doe' },
      { op: 'Add', path: `${ENT}:manager`, value: 'm-9' },
      { op: 'Replace', path: 'name.givenName', value: 'Janet' },
    ),
    expect: (d) => {
      d.displayName = 'Jane Q. Doe';
      d.name = { ...d.name, givenName: 'Janet' };
      d[ENT] = { manager: { value: 'm-9' } };
    },
  },
  {
    name: 'a manager that is neither a string nor an object is refused (invalidValue)',
    body: patch({ op: 'Add', path: `${ENT}:manager`, value: 42 }),
    error: 'invalidValue',
  },
  {
    name: 'Entra: Remove of the manager removes it and keeps the department',
    doc: ALEX,
    body: patch({ op: 'Remove', path: `${ENT}:manager` }),
    expect: (d) => {
      d[ENT] = { department: 'Sales', costCenter: 'CC-1' };
    },
  },
  {
    name: 'Entra: removing the last enterprise attribute drops the extension and its schema',
    doc: { ...JANE, [ENT]: { department: 'Sales' } },
    body: patch({ op: 'Remove', path: `${ENT}:department` }),
    expect: (d) => {
      delete d[ENT];
    },
  },
  {
    name: 'Entra: a path-less URN-keyed object merges into the extension',
    doc: ALEX,
    body: patch(replace(undefined, { [ENT]: { department: 'Legal' } })),
    expect: (d) => {
      d[ENT] = { ...d[ENT], department: 'Legal' };
    },
  },
  {
    name: 'Entra: a path-less URN-prefixed flat key sets one enterprise attribute',
    doc: ALEX,
    body: patch(replace(undefined, { [`${ENT}:costCenter`]: 'CC-2' })),
    expect: (d) => {
      d[ENT] = { ...d[ENT], costCenter: 'CC-2' };
    },
  },
  {
    name: 'Entra: a path-less manager.value URN key sets the manager',
    body: patch(replace(undefined, { [`${ENT}:manager.value`]: 'm-5' })),
    expect: (d) => {
      d[ENT] = { manager: { value: 'm-5' } };
    },
  },
  {
    name: "Entra's validator: an empty Operations array is a no-op",
    body: patch(),
    expect: () => {},
  },
  {
    name: 'Entra: "primary": "True" on an added email makes it the only primary',
    body: patch({
      op: 'Add',
      path: 'emails',
      value: [{ value: 'jd@acme.com', type: 'other', primary: 'True' }],
    }),
    expect: (d) => {
      d.emails = [
        { value: 'jane.doe@acme.com', type: 'work', primary: false },
        { value: 'jd@acme.com', type: 'other', primary: true },
      ];
    },
  },
  {
    name: 'Entra: Replace of externalId',
    body: patch({ op: 'Replace', path: 'externalId', value: 'new-guid' }),
    expect: (d) => {
      d.externalId = 'new-guid';
    },
  },
  {
    name: 'Entra: an attribute path in any case (USERNAME) reaches userName',
    body: patch({ op: 'Replace', path: 'USERNAME', value: 'Jane.Doe@Acme.com' }),
    expect: (d) => {
      d.userName = 'Jane.Doe@Acme.com';
    },
  },
  {
    name: 'Entra: Add phoneNumbers[type eq "fax"].value creates a fax number',
    doc: ALEX,
    body: patch({ op: 'Add', path: 'phoneNumbers[type eq "fax"].value', value: '+1 555 0111' }),
    expect: (d) => {
      d.phoneNumbers = [...(d.phoneNumbers ?? []), { type: 'fax', value: '+1 555 0111' }];
    },
  },
  {
    name: 'Entra: Replace phoneNumbers[type eq "mobile"].value updates the mobile number only',
    doc: ALEX,
    body: patch({ op: 'Replace', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0200' }),
    expect: (d) => {
      d.phoneNumbers = [
        { value: '+1 555 0100', type: 'work', primary: true },
        { value: '+1 555 0200', type: 'mobile' },
      ];
    },
  },
  {
    name: 'Entra: Replace addresses[type eq "work"].streetAddress keeps the other address parts',
    doc: ALEX,
    body: patch({ op: 'Replace', path: 'addresses[type eq "work"].streetAddress', value: '2 High St' }),
    expect: (d) => {
      d.addresses = [{ type: 'work', streetAddress: '2 High St', locality: 'Redmond', country: 'US' }];
    },
  },
  {
    name: 'Entra: Add addresses[type eq "home"].locality creates a home address',
    doc: ALEX,
    body: patch({ op: 'Add', path: 'addresses[type eq "home"].locality', value: 'Seattle' }),
    expect: (d) => {
      d.addresses = [...(d.addresses ?? []), { type: 'home', locality: 'Seattle' }];
    },
  },
  {
    name: 'Entra (aadOptscim062020): path-less keys may be value-filter paths',
    body: patch(replace(undefined, { 'emails[type eq "work"].value': 'jd@acme.com', 'name.givenName': 'J' })),
    expect: (d) => {
      d.emails = [{ value: 'jd@acme.com', type: 'work', primary: true }];
      d.name = { ...d.name, givenName: 'J' };
    },
  },
  {
    name: 'Entra: Replace name.formatted',
    body: patch({ op: 'Replace', path: 'name.formatted', value: 'Dr Jane Doe' }),
    expect: (d) => {
      d.name = { ...d.name, formatted: 'Dr Jane Doe' };
    },
  },
  {
    name: 'Entra: Remove with a value list removes only the listed values (failure mode 9)',
    doc: ALEX,
    body: patch({ op: 'Remove', path: 'emails', value: [{ value: 'ALEX@home.example' }] }),
    expect: (d) => {
      d.emails = [{ value: 'alex@contoso.com', type: 'work', primary: true }];
    },
  },
  {
    name: 'a core-URN-prefixed path reaches the core attribute',
    body: patch(replace(`${CORE}:name.givenName`, 'Core')),
    expect: (d) => {
      d.name = { ...d.name, givenName: 'Core' };
    },
  },
  {
    name: 'a core-URN-prefixed key in a path-less value reaches the core attribute',
    body: patch(replace(undefined, { [`${CORE}:displayName`]: 'Core' })),
    expect: (d) => {
      d.displayName = 'Core';
    },
  },
  {
    name: 'Entra: Replace emails[type eq "home"].primary "True" moves primary to the home email',
    doc: ALEX,
    body: patch({ op: 'Replace', path: 'emails[type eq "home"].primary', value: 'True' }),
    expect: (d) => {
      d.emails = [
        { value: 'alex@contoso.com', type: 'work', primary: false },
        { value: 'alex@home.example', type: 'home', primary: true },
      ];
    },
  },
  {
    name: 'a value filter with and selects the element matching both',
    doc: ALEX,
    body: patch(replace('emails[type eq "work" and primary eq true].display', 'Work')),
    expect: (d) => {
      d.emails = [
        { value: 'alex@contoso.com', type: 'work', primary: true, display: 'Work' },
        { value: 'alex@home.example', type: 'home' },
      ];
    },
  },
  {
    name: 'the enterprise URN in a path is matched case-insensitively',
    doc: ALEX,
    body: patch(replace(`${ENT.toUpperCase()}:Department`, 'Ops')),
    expect: (d) => {
      d[ENT] = { ...d[ENT], department: 'Ops' };
    },
  },

  // ── RFC 7644 §3.5.2 semantics ───────────────────────────────────────────────────────────────
  {
    name: 'add to a multi-valued attribute appends the new value',
    body: patch(add('emails', [{ value: 'other@acme.com', type: 'other' }])),
    expect: (d) => {
      d.emails = [...(d.emails ?? []), { value: 'other@acme.com', type: 'other' }];
    },
  },
  {
    name: 'add of a value already present (in another case) does not duplicate it and keeps its spelling',
    body: patch(add('emails', [{ value: 'JANE.DOE@acme.com', type: 'work' }])),
    expect: (d) => {
      d.emails = [{ value: 'jane.doe@acme.com', type: 'work', primary: true }];
    },
  },
  {
    // One case-folding rule (src/scim/fold-case.ts): the Kelvin sign is not a k, as in the stores.
    name: 'add of a value that differs by a non-ASCII look-alike adds it as another value',
    doc: { ...BARE, emails: [{ value: 'kim@acme.com', type: 'work' }] },
    body: patch(add('emails', [{ value: '\u212AIM@ACME.COM', type: 'work' }])),
    expect: (d) => {
      d.emails = [
        { value: 'kim@acme.com', type: 'work' },
        { value: '\u212AIM@ACME.COM', type: 'work' },
      ];
    },
  },
  {
    name: 'add of a value already present merges its sub-attributes',
    body: patch(add('emails', { value: 'jane.doe@acme.com', display: 'Jane at work' })),
    expect: (d) => {
      d.emails = [{ value: 'jane.doe@acme.com', type: 'work', primary: true, display: 'Jane at work' }];
    },
  },
  {
    name: 'add to a multi-valued attribute that is absent creates it',
    doc: BARE,
    body: patch(add('phoneNumbers', [{ value: '+33 1 00', type: 'work' }])),
    expect: (d) => {
      d.phoneNumbers = [{ value: '+33 1 00', type: 'work' }];
    },
  },
  {
    name: 'replace of a multi-valued attribute without a filter replaces the whole array',
    doc: ALEX,
    body: patch(replace('phoneNumbers', [{ value: '+1 555 0300', type: 'work' }])),
    expect: (d) => {
      d.phoneNumbers = [{ value: '+1 555 0300', type: 'work' }];
    },
  },
  {
    name: 'a single object for a multi-valued attribute is wrapped in an array',
    doc: ALEX,
    body: patch(replace('phoneNumbers', { value: '+1 555 0300', type: 'work' })),
    expect: (d) => {
      d.phoneNumbers = [{ value: '+1 555 0300', type: 'work' }];
    },
  },
  {
    name: 'replace of a sub-attribute without a filter updates every element',
    doc: ALEX,
    body: patch(replace('emails.type', 'other')),
    expect: (d) => {
      d.emails = [
        { value: 'alex@contoso.com', type: 'other', primary: true },
        { value: 'alex@home.example', type: 'other' },
      ];
    },
  },
  {
    name: 'remove of a sub-attribute without a filter removes it from every element',
    doc: ALEX,
    body: patch(remove('emails.type')),
    expect: (d) => {
      d.emails = [{ value: 'alex@contoso.com', primary: true }, { value: 'alex@home.example' }];
    },
  },
  {
    name: 'remove with a value filter removes the matching elements',
    doc: ALEX,
    body: patch(remove('emails[type eq "home"]')),
    expect: (d) => {
      d.emails = [{ value: 'alex@contoso.com', type: 'work', primary: true }];
    },
  },
  {
    name: 'removing the only element removes the attribute',
    body: patch(remove('emails[type eq "work"]')),
    expect: (d) => {
      delete d.emails;
    },
  },
  {
    name: 'remove with a value filter that matches nothing is a no-op (retry-friendly)',
    body: patch(remove('emails[type eq "home"]')),
    expect: () => {},
  },
  {
    name: 'remove of a sub-attribute through a value filter keeps the element',
    doc: ALEX,
    body: patch(remove('emails[type eq "work"].primary')),
    expect: (d) => {
      d.emails = [
        { value: 'alex@contoso.com', type: 'work' },
        { value: 'alex@home.example', type: 'home' },
      ];
    },
  },
  {
    name: 'remove of an attribute that has no value is a no-op',
    body: patch(remove('nickName')),
    expect: () => {},
  },
  {
    name: 'remove of name.givenName keeps familyName',
    body: patch(remove('name.givenName')),
    expect: (d) => {
      d.name = { familyName: 'Doe', formatted: 'Jane Doe' };
    },
  },
  {
    name: 'remove of name removes every name part',
    body: patch(remove('name')),
    expect: (d) => {
      delete d.name;
    },
  },
  {
    name: 'removing the last name part leaves no empty name object',
    doc: { ...BARE, name: { givenName: 'B' } },
    body: patch(remove('name.givenName')),
    expect: (d) => {
      delete d.name;
    },
  },
  {
    name: 'replace with null clears the attribute (RFC 7643 §2.5)',
    body: patch(replace('displayName', null)),
    expect: (d) => {
      delete d.displayName;
    },
  },
  {
    name: 'a null sub-attribute in a path-less value clears just that part',
    body: patch(replace(undefined, { name: { formatted: null } })),
    expect: (d) => {
      d.name = { givenName: 'Jane', familyName: 'Doe' };
    },
  },
  {
    name: 'replace of a filtered element with an object merges into it and keeps primary',
    body: patch(replace('emails[type eq "work"]', { value: 'jd@acme.com', display: 'JD' })),
    expect: (d) => {
      d.emails = [{ value: 'jd@acme.com', type: 'work', primary: true, display: 'JD' }];
    },
  },
  {
    name: 'add with a value filter and an object value creates the element on a miss',
    body: patch(add('emails[type eq "home"]', { value: 'h@home.example' })),
    expect: (d) => {
      d.emails = [...(d.emails ?? []), { type: 'home', value: 'h@home.example' }];
    },
  },
  {
    name: 'setting primary on one phone number clears it on the others (RFC 7643 §2.4)',
    doc: ALEX,
    body: patch(replace('phoneNumbers[type eq "mobile"].primary', true)),
    expect: (d) => {
      d.phoneNumbers = [
        { value: '+1 555 0100', type: 'work', primary: false },
        { value: '+1 555 0199', type: 'mobile', primary: true },
      ];
    },
  },
  {
    name: 'a filter matching several elements updates all of them',
    doc: {
      ...BARE,
      emails: [
        { value: 'a@x.com', type: 'work' },
        { value: 'b@x.com', type: 'work' },
      ],
    },
    body: patch(replace('emails[type eq "work"].display', 'Work')),
    expect: (d) => {
      d.emails = [
        { value: 'a@x.com', type: 'work', display: 'Work' },
        { value: 'b@x.com', type: 'work', display: 'Work' },
      ];
    },
  },
  {
    name: 'a value filter on emails.value ignores case (emails are not caseExact)',
    body: patch(replace('emails[value eq "JANE.DOE@ACME.COM"].type', 'home')),
    expect: (d) => {
      d.emails = [{ value: 'jane.doe@acme.com', type: 'home', primary: true }];
    },
  },
  {
    name: 'operations apply in order: a later remove undoes an earlier replace',
    body: patch(replace('displayName', 'Tmp'), remove('displayName')),
    expect: (d) => {
      delete d.displayName;
    },
  },
  {
    name: 'several operations in one request all apply',
    body: patch(replace(undefined, { active: false }), replace('name.givenName', 'J'), add('title', 'CEO')),
    expect: (d) => {
      d.active = false;
      d.name = { ...d.name, givenName: 'J' };
      d.title = 'CEO';
    },
  },
  {
    name: 'add of an x509 certificate stores its base64 value',
    body: patch(add('x509Certificates', [{ value: 'MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAw' }])),
    expect: (d) => {
      d.x509Certificates = [{ value: 'MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAw' }];
    },
  },
  {
    name: 'a path with surrounding spaces is trimmed',
    body: patch(replace('  displayName ', 'Trimmed')),
    expect: (d) => {
      d.displayName = 'Trimmed';
    },
  },
  {
    name: 'Op, Path and Value keys are read in any case',
    body: { schemas: [PATCH_OP_SCHEMA], Operations: [{ OP: 'replace', Path: 'title', VALUE: 'Boss' }] },
    expect: (d) => {
      d.title = 'Boss';
    },
  },
  {
    name: 'a lower-case operations key is accepted',
    body: { schemas: [PATCH_OP_SCHEMA], operations: [replace('title', 'Lower')] },
    expect: (d) => {
      d.title = 'Lower';
    },
  },
  {
    name: 'a body without schemas is accepted (tolerance)',
    body: { Operations: [replace('title', 'NoSchemas')] },
    expect: (d) => {
      d.title = 'NoSchemas';
    },
  },
  {
    name: 'an empty path string is treated as a path-less operation',
    body: patch({ op: 'replace', path: '', value: { title: 'Empty path' } }),
    expect: (d) => {
      d.title = 'Empty path';
    },
  },
  {
    name: 'add of name.givenName when there is no name creates name',
    doc: BARE,
    body: patch(add('name.givenName', 'B')),
    expect: (d) => {
      d.name = { givenName: 'B' };
    },
  },
  {
    name: 'replace of locale and timezone in one path-less value',
    body: patch(replace(undefined, { locale: 'de-DE', timezone: 'Europe/Berlin' })),
    expect: (d) => {
      d.locale = 'de-DE';
      d.timezone = 'Europe/Berlin';
    },
  },
  {
    name: 'a string literal that spells "prototype" is an ordinary filter value',
    body: patch(add('emails[value eq "prototype@acme.com"].type', 'other')),
    expect: (d) => {
      d.emails = [...(d.emails ?? []), { value: 'prototype@acme.com', type: 'other' }];
    },
  },
  {
    name: 'replace of userName with a different case is left to the caller (allowed here)',
    body: patch(replace('userName', 'JANE.DOE@ACME.COM')),
    expect: (d) => {
      d.userName = 'JANE.DOE@ACME.COM';
    },
  },
  {
    name: 'replace of addresses.primary without a filter on a single address sets it',
    doc: ALEX,
    body: patch(replace('addresses.primary', 'true')),
    expect: (d) => {
      d.addresses = [
        { type: 'work', streetAddress: '1 Main St', locality: 'Redmond', country: 'US', primary: true },
      ];
    },
  },

  // ── Invalid bodies: 400 invalidSyntax ───────────────────────────────────────────────────────
  { name: 'a body that is a string is refused', body: 'replace active', error: 'invalidSyntax' },
  { name: 'a null body is refused', body: null, error: 'invalidSyntax' },
  { name: 'a body that is an array is refused', body: [replace('active', false)], error: 'invalidSyntax' },
  {
    name: 'a body without Operations is refused',
    body: { schemas: [PATCH_OP_SCHEMA] },
    error: 'invalidSyntax',
  },
  {
    name: 'Operations that is an object, not an array, is refused',
    body: { schemas: [PATCH_OP_SCHEMA], Operations: replace('active', false) },
    error: 'invalidSyntax',
  },
  {
    name: 'an operation without op is refused',
    body: patch({ path: 'active', value: false }),
    error: 'invalidSyntax',
  },
  {
    name: 'an unknown op is refused',
    body: patch({ op: 'move', path: 'active', value: false }),
    error: 'invalidSyntax',
  },
  {
    name: 'an op that is not a string is refused',
    body: patch({ op: 1, path: 'active' }),
    error: 'invalidSyntax',
  },
  {
    name: 'an operation that is not an object is refused',
    body: patch('replace' as never),
    error: 'invalidSyntax',
  },
  {
    name: 'an add without a value is refused',
    body: patch({ op: 'add', path: 'title' }),
    error: 'invalidSyntax',
  },
  {
    name: 'schemas without the PatchOp URN are refused',
    body: { schemas: [USER_SCHEMA], Operations: [replace('title', 'x')] },
    error: 'invalidSyntax',
  },
  {
    name: 'more than 100 operations are refused',
    body: patch(...Array.from({ length: 101 }, () => replace('title', 'x'))),
    error: 'invalidSyntax',
  },

  // ── Paths: 400 invalidPath / noTarget ───────────────────────────────────────────────────────
  {
    name: 'remove without a path is refused with noTarget',
    body: patch({ op: 'remove' }),
    error: 'noTarget',
  },
  {
    name: 'an unclosed bracket "emails[" is a bad path',
    body: patch(replace('emails[', 'x')),
    error: 'invalidPath',
  },
  {
    name: 'a filter without a value "emails[type eq]" is a bad path',
    body: patch(replace('emails[type eq].value', 'x')),
    error: 'invalidPath',
  },
  {
    name: 'an empty filter "emails[]" is a bad path',
    body: patch(replace('emails[]', 'x')),
    error: 'invalidPath',
  },
  {
    name: 'a double dot "name..givenName" is a bad path',
    body: patch(replace('name..givenName', 'x')),
    error: 'invalidPath',
  },
  { name: 'a leading dot ".name" is a bad path', body: patch(replace('.name', 'x')), error: 'invalidPath' },
  { name: 'a trailing dot "name." is a bad path', body: patch(replace('name.', 'x')), error: 'invalidPath' },
  {
    name: 'an unknown attribute is a bad path',
    body: patch(replace('favouriteColour', 'teal')),
    error: 'invalidPath',
  },
  {
    name: 'an unknown sub-attribute is a bad path',
    body: patch(replace('name.nickname', 'x')),
    error: 'invalidPath',
  },
  {
    name: 'a value filter on a single-valued attribute is a bad path',
    body: patch(replace('name[givenName eq "Jane"].familyName', 'x')),
    error: 'invalidPath',
  },
  {
    name: 'a value filter naming an unknown sub-attribute is a bad path',
    body: patch(replace('emails[colour eq "red"].value', 'x')),
    error: 'invalidPath',
  },
  {
    name: 'text after the closing bracket that is not a sub-attribute is a bad path',
    body: patch(replace('emails[type eq "work"]value', 'x')),
    error: 'invalidPath',
  },
  {
    name: 'an unknown sub-attribute after a value filter is a bad path',
    body: patch(replace('emails[type eq "work"].colour', 'x')),
    error: 'invalidPath',
  },
  {
    name: 'a path that is not a string is a bad path',
    body: patch({ op: 'replace', path: 42, value: 1 }),
    error: 'invalidPath',
  },
  {
    name: 'a path in an unknown schema URN is a bad path',
    body: patch(replace('urn:example:custom:2.0:User:badge', 'x')),
    error: 'invalidPath',
  },
  {
    name: 'a replace through an or-filter that matches nothing cannot create an element: noTarget',
    body: patch(replace('emails[type eq "home" or type eq "other"].value', 'x')),
    error: 'noTarget',
  },
  {
    name: 'a replace through a co-filter that matches nothing: noTarget',
    body: patch(replace('emails[value co "nobody"].type', 'x')),
    error: 'noTarget',
  },

  // ── Mutability ──────────────────────────────────────────────────────────────────────────────
  {
    name: 'a pathed replace of id is refused with mutability',
    body: patch(replace('id', 'x')),
    error: 'mutability',
  },
  {
    name: 'a pathed replace of meta.created is refused',
    body: patch(replace('meta.created', 'x')),
    error: 'mutability',
  },
  {
    name: 'a pathed add to groups is refused',
    body: patch(add('groups', [{ value: 'g-1' }])),
    error: 'mutability',
  },
  { name: 'a pathed remove of groups is refused', body: patch(remove('groups')), error: 'mutability' },
  {
    name: "a pathed replace of the manager's read-only displayName is refused",
    body: patch(replace(`${ENT}:manager.displayName`, 'Boss')),
    error: 'mutability',
  },
  {
    name: 'remove of the required userName is refused',
    body: patch(remove('userName')),
    error: 'mutability',
  },
  {
    name: 'replace of userName with null is refused',
    body: patch(replace('userName', null)),
    error: 'mutability',
  },
  {
    name: 'replace of userName with "" is refused',
    body: patch(replace('userName', '')),
    error: 'mutability',
  },

  // ── Values: 400 invalidValue ────────────────────────────────────────────────────────────────
  { name: 'active "yes" is not a boolean', body: patch(replace('active', 'yes')), error: 'invalidValue' },
  { name: 'active 1 is not a boolean', body: patch(replace('active', 1)), error: 'invalidValue' },
  {
    name: 'a number for displayName is refused',
    body: patch(replace('displayName', 42)),
    error: 'invalidValue',
  },
  {
    name: 'a string for the complex name is refused',
    body: patch(replace('name', 'Jane Doe')),
    error: 'invalidValue',
  },
  {
    name: 'a string element for emails is refused',
    body: patch(add('emails', ['x@acme.com'])),
    error: 'invalidValue',
  },
  {
    name: 'a path-less value that is a string is refused',
    body: patch(replace(undefined, 'x')),
    error: 'invalidValue',
  },
  {
    name: 'a path-less value that is null is refused',
    body: patch(replace(undefined, null)),
    error: 'invalidValue',
  },
  {
    name: 'a path-less value that is an array is refused',
    body: patch(replace(undefined, [])),
    error: 'invalidValue',
  },
  {
    name: 'a string over 1024 characters is refused',
    body: patch(replace('displayName', LONG)),
    error: 'invalidValue',
  },
  {
    name: 'more than 100 emails are refused',
    body: patch(replace('emails', manyEmails)),
    error: 'invalidValue',
  },
  {
    name: 'primary "maybe" is not a boolean',
    body: patch(replace('emails[type eq "work"].primary', 'maybe')),
    error: 'invalidValue',
  },
  {
    name: 'replacing emails with two primary values is refused (RFC 7643 §2.4)',
    body: patch(
      replace('emails', [
        { value: 'a@x.com', primary: true },
        { value: 'b@x.com', primary: 'True' },
      ]),
    ),
    error: 'invalidValue',
  },
  {
    name: 'setting primary on every element at once is refused',
    doc: ALEX,
    body: patch(replace('emails.primary', true)),
    error: 'invalidValue',
  },
  {
    name: 'a wrong type in a nested path-less value is refused',
    body: patch(replace(undefined, { name: { givenName: ['J'] } })),
    error: 'invalidValue',
  },
  {
    name: 'a wrong type in an enterprise attribute is refused',
    body: patch(replace(`${ENT}:department`, { name: 'Sales' })),
    error: 'invalidValue',
  },

  // ── Atomicity: one bad operation and nothing applies ────────────────────────────────────────
  {
    name: 'atomicity: a valid first op and a read-only second op fail together',
    body: patch(replace('displayName', 'Changed'), replace('id', 'x')),
    error: 'mutability',
  },
  {
    name: 'atomicity: a valid first op and a bad path in the second fail together',
    body: patch(replace(undefined, { active: false }), replace('emails[', 'x')),
    error: 'invalidPath',
  },
  {
    name: 'atomicity: a wrong value type in the third op fails the whole request',
    body: patch(replace('title', 'A'), add('emails', [{ value: 'new@acme.com' }]), replace('active', 'nope')),
    error: 'invalidValue',
  },

  // ── Prototype pollution (docs/idp-requests.md failure mode 14) ──────────────────────────────
  {
    name: 'a path __proto__.isAdmin is refused',
    body: patch(replace('__proto__.isAdmin', true)),
    error: 'invalidPath',
  },
  {
    name: 'a path constructor.prototype.isAdmin is refused',
    body: patch(replace('constructor.prototype.isAdmin', true)),
    error: 'invalidPath',
  },
  {
    name: 'a path name.__proto__ is refused',
    body: patch(replace('name.__proto__.isAdmin', true)),
    error: 'invalidPath',
  },
  {
    name: 'a path prototype is refused',
    body: patch(add('prototype', { isAdmin: true })),
    error: 'invalidPath',
  },
  {
    name: 'a path-less value with a __proto__ key is refused',
    body: JSON.parse('{"Operations":[{"op":"replace","value":{"__proto__":{"isAdmin":true}}}]}'),
    error: 'invalidPath',
  },
  {
    name: 'a path-less value with a nested __proto__ key is refused',
    body: JSON.parse('{"Operations":[{"op":"add","value":{"name":{"__proto__":{"isAdmin":true}}}}]}'),
    error: 'invalidPath',
  },
  {
    name: 'a path-less value with a constructor key is refused',
    body: patch(replace(undefined, { constructor: { prototype: { isAdmin: true } } })),
    error: 'invalidPath',
  },
  {
    name: 'a value filter naming __proto__ is refused',
    body: patch(replace('emails[__proto__ eq "x"].value', true)),
    error: 'invalidPath',
  },
  {
    name: 'a URN-prefixed __proto__ path is refused',
    body: patch(replace(`${ENT}:__proto__.isAdmin`, true)),
    error: 'invalidPath',
  },
];

function expected(doc: ScimUserDocument, edit: (doc: ScimUserDocument) => void): ScimUserDocument {
  const result = structuredClone(doc);
  edit(result);
  result.schemas = result[ENT] ? [USER_SCHEMA, ENT] : [USER_SCHEMA];
  return result;
}

describe('applyPatch', () => {
  it('has at least 100 table cases', () => {
    assert.ok(CASES.length >= 100, `only ${CASES.length} cases`);
  });

  for (const c of CASES) {
    it(c.name, () => {
      const doc = structuredClone(c.doc ?? JANE);
      const untouched = structuredClone(doc);
      if (c.error) {
        assert.throws(
          () => applyPatch(doc, c.body),
          (error: unknown) =>
            error instanceof ScimError &&
            error.status === 400 &&
            error.scimType === c.error &&
            error.detail !== '',
        );
      } else {
        assert.deepEqual(applyPatch(doc, c.body), expected(doc, c.expect ?? (() => {})));
      }
      assert.deepEqual(doc, untouched, 'the input document must never change');
    });
  }

  it('returns a new document, never the input, even for an empty Operations array', () => {
    const doc = structuredClone(JANE);
    const result = applyPatch(doc, patch());
    assert.notEqual(result, doc);
    assert.notEqual(result.name, doc.name);
  });

  it('leaves Object.prototype untouched after every pollution attempt (failure mode 14)', () => {
    const attempts = [
      '{"Operations":[{"op":"replace","path":"__proto__.isAdmin","value":true}]}',
      '{"Operations":[{"op":"add","path":"constructor.prototype.isAdmin","value":true}]}',
      '{"Operations":[{"op":"replace","value":{"__proto__":{"isAdmin":true}}}]}',
      '{"Operations":[{"op":"replace","value":{"name":{"__proto__":{"isAdmin":true}}}}]}',
      '{"Operations":[{"op":"add","path":"emails","value":[{"value":"a@x.com","__proto__":{"isAdmin":true}}]}]}',
      '{"Operations":[{"op":"replace","path":"emails[type eq \\"work\\"]","value":{"__proto__":{"isAdmin":true}}}]}',
    ];
    for (const attempt of attempts) {
      try {
        const result = applyPatch(structuredClone(JANE), JSON.parse(attempt));
        assert.equal(Object.getPrototypeOf(result), Object.prototype);
        for (const email of result.emails ?? []) assert.equal(Object.getPrototypeOf(email), Object.prototype);
      } catch (error) {
        assert.ok(error instanceof ScimError && error.status === 400, String(error));
      }
    }
    assert.equal(({} as Record<string, unknown>).isAdmin, undefined);
    assert.equal(Object.hasOwn(Object.prototype, 'isAdmin'), false);
  });

  it('names the failing operation in the error detail', () => {
    assert.throws(
      () => applyPatch(JANE, patch(replace('title', 'x'), replace('id', 'y'))),
      (error: unknown) => error instanceof ScimError && /Operations\[1\]/.test(error.detail),
    );
  });
});
