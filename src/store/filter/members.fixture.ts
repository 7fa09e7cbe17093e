// Test data for compile-filter.test.ts: ~30 members of one organization (and two of another, to show
// that the caller's organization condition is what scopes results), written to the tables as built by
// the one row factory (membership/member-row.ts#newMemberRow), and the SCIM resource of each, shaped
// as provisioning/member-resource.ts shapes it, for the in-memory matcher.
import type { Kysely } from 'kysely';
import { newMemberRow } from '../../membership/member-row.ts';
import type { Database, Role } from '../schema.ts';

export const ACME = 'org-acme';
export const GLOBEX = 'org-globex';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

interface Email {
  value?: string;
  type?: string;
  primary?: boolean;
  display?: string;
}

export interface FixtureMember {
  key: string;
  organization?: string;
  userName: string;
  externalId?: string;
  name?: Record<string, string>;
  displayName?: string;
  deactivated?: boolean;
  role?: Role;
  emails?: Email[];
  /** Any other profile attributes (title, phoneNumbers, the enterprise extension, …). */
  more?: Record<string, unknown>;
  created: string;
  updated?: string;
}

const day = (n: number) => new Date(Date.UTC(2024, 0, n, 9, 30)).toISOString();

export const MEMBERS: readonly FixtureMember[] = [
  {
    key: 'jane',
    userName: 'Jane.Doe@acme.com',
    externalId: '00ujl29u0le5T6Aj10h7',
    name: { givenName: 'Jane', familyName: 'Doe', formatted: 'Jane Doe' },
    displayName: 'Jane Doe',
    role: 'admin',
    emails: [{ value: 'jane.doe@acme.com', type: 'work', primary: true }],
    more: {
      locale: 'en-US',
      [ENTERPRISE]: {
        department: 'Sales',
        employeeNumber: '1001',
        manager: { value: 'm-bob', displayName: 'Bob Boss' },
      },
    },
    created: day(1),
  },
  {
    key: 'john',
    userName: 'john.smith@acme.com',
    externalId: '2819c223-7f76-453a-919d-413861904646',
    name: { givenName: 'John', familyName: 'Smith' },
    displayName: 'John Smith',
    emails: [
      { value: 'john.smith@acme.com', type: 'work', primary: true },
      { value: 'jsmith@gmail.com', type: 'home' },
    ],
    more: { title: 'Engineer', [ENTERPRISE]: { department: 'Engineering' } },
    created: day(2),
  },
  {
    key: 'cross',
    userName: 'cross@acme.com',
    displayName: 'Cross Element',
    emails: [
      { value: 'cross@other.org', type: 'work' },
      { value: 'cross@acme.com', type: 'home' },
    ],
    created: day(3),
  },
  {
    key: 'mixed',
    userName: 'MIXED.Case@ACME.com',
    externalId: 'AbC-123',
    name: { givenName: 'MIXED', familyName: 'case' },
    displayName: 'MiXeD CaSe',
    emails: [{ value: 'Mixed.Case@Acme.COM', type: 'WORK', primary: true }],
    created: day(4),
  },
  {
    key: 'gone',
    userName: 'gone@acme.com',
    externalId: 'ext-gone',
    displayName: 'Gone Person',
    deactivated: true,
    emails: [{ value: 'gone@acme.com', type: 'work', primary: true }],
    created: day(5),
  },
  { key: 'minimal', userName: 'minimal@acme.com', created: day(6) },
  {
    key: 'percent',
    userName: 'percent@acme.com',
    displayName: '100% Sure',
    more: { title: 'Top 10_percent' },
    created: day(7),
  },
  {
    key: 'percentless',
    userName: 'percentless@acme.com',
    displayName: '1000 Sure',
    more: { title: 'Top 10Xpercent' },
    created: day(8),
  },
  { key: 'under', userName: 'under_score@acme.com', displayName: 'Under_Score', created: day(9) },
  { key: 'underless', userName: 'underXscore@acme.com', displayName: 'UnderXScore', created: day(10) },
  {
    key: 'backslash',
    userName: 'back\\slash@acme.com',
    displayName: 'C:\\Users\\x',
    created: day(11),
  },
  {
    key: 'jose',
    userName: 'josé@acme.com',
    name: { givenName: 'José', familyName: 'Núñez' },
    displayName: 'José Núñez',
    emails: [{ value: 'JOSÉ@ACME.COM', type: 'Work' }],
    created: day(12),
  },
  {
    key: 'zoe',
    userName: 'zoe@acme.com',
    name: { givenName: 'Zoë', familyName: 'Ångström' },
    displayName: 'Zoë Ångström',
    created: day(13),
  },
  {
    key: 'tanaka',
    userName: 'tanaka@acme.com',
    name: { givenName: '太郎', familyName: '田中' },
    displayName: '田中 太郎',
    created: day(14),
  },
  { key: 'globby', userName: 'globby@acme.com', externalId: 'a*b?c[d]', created: day(15) },
  { key: 'likey', userName: 'likey@acme.com', externalId: 'a%b_c\\d', created: day(16) },
  {
    key: 'phones',
    userName: 'phones@acme.com',
    more: {
      phoneNumbers: [
        { value: '+1 555 0100', type: 'work' },
        { value: '+33 1 23 45', type: 'mobile', primary: true },
      ],
      ims: [{ value: 'phones-im', type: 'xmpp' }],
    },
    created: day(17),
  },
  {
    key: 'addresses',
    userName: 'addresses@acme.com',
    more: {
      addresses: [
        {
          type: 'work',
          streetAddress: '1 Main St',
          locality: 'Springfield',
          postalCode: '94105',
          country: 'US',
          primary: true,
        },
        { type: 'home', locality: 'Paris', postalCode: '75001', country: 'FR' },
      ],
    },
    created: day(18),
  },
  {
    key: 'enterprise',
    userName: 'enterprise@acme.com',
    more: {
      [ENTERPRISE]: {
        employeeNumber: '42',
        costCenter: 'CC-7',
        organization: 'Acme',
        division: 'R&D',
        department: 'Engineering',
        manager: { value: 'm-jane', displayName: 'Jane Doe' },
      },
    },
    created: day(19),
  },
  {
    key: 'enterprise2',
    userName: 'enterprise2@acme.com',
    deactivated: true,
    more: { [ENTERPRISE]: { department: 'engineering' } },
    created: day(20),
  },
  {
    key: 'certs',
    userName: 'certs@acme.com',
    more: {
      x509Certificates: [{ value: 'MIIDQTCCAimgAwIBAgIBADAN' }],
      entitlements: [{ value: 'Billing', type: 'app' }],
    },
    created: day(21),
  },
  {
    key: 'noprimary',
    userName: 'noprimary@acme.com',
    emails: [
      { value: 'p1@acme.com', type: 'work' },
      { value: 'p2@acme.com', type: 'work', primary: false },
    ],
    created: day(22),
  },
  {
    key: 'display',
    userName: 'display@acme.com',
    emails: [{ value: 'disp@acme.com', type: 'other', display: 'Display Name Email' }],
    created: day(23),
  },
  {
    key: 'notype',
    userName: 'notype@acme.com',
    emails: [{ value: 'notype@acme.com' }, { value: 'emptytype@acme.com', type: '' }],
    created: day(24),
  },
  {
    key: 'old',
    userName: 'old@acme.com',
    displayName: 'Old Timer',
    created: '2019-06-30T23:59:59.999Z',
    updated: '2020-01-01T00:00:00.000Z',
  },
  { key: 'new', userName: 'new@acme.com', displayName: 'New Comer', created: '2025-12-31T00:00:00.000Z' },
  {
    key: 'kiki',
    userName: 'kiki@acme.com',
    displayName: 'Kiki',
    more: {
      nickName: 'Kiki',
      title: 'Vice President',
      userType: 'Employee',
      preferredLanguage: 'fr-FR',
      timezone: 'Europe/Paris',
      profileUrl: 'https://acme.com/p/kiki',
    },
    created: day(25),
  },
  {
    key: 'admin2',
    userName: 'admin2@acme.com',
    role: 'admin',
    name: { formatted: 'Ms. Admin Q Two', honorificPrefix: 'Ms.', middleName: 'Q', familyName: 'Two' },
    emails: [{ value: 'ADMIN2@ACME.COM', type: 'work', primary: true }],
    created: day(26),
  },
  {
    key: 'shared',
    userName: 'shared@acme.com',
    emails: [{ value: 'shared@acme.com', type: 'work' }],
    created: day(27),
  },
  {
    key: 'photo',
    userName: 'photo@acme.com',
    emails: [
      { value: 'photo@acme.com', type: 'work' },
      { value: 'photo@acme.com', type: 'home', primary: true },
    ],
    more: { photos: [{ value: 'https://img.acme.com/a.png', type: 'photo' }] },
    created: day(28),
  },
  { key: 'former', userName: 'former@acme.com', deactivated: true, created: day(29), updated: day(30) },
  {
    key: 'quote',
    userName: "o'brien@acme.com",
    displayName: 'Say "hi"; DROP TABLE memberships; --',
    created: day(30),
  },
  // Another organization: same userName, email and externalId as members of Acme.
  {
    key: 'globex-shared',
    organization: GLOBEX,
    userName: 'shared@acme.com',
    emails: [{ value: 'shared@acme.com', type: 'work' }],
    created: day(2),
  },
  {
    key: 'globex-jane',
    organization: GLOBEX,
    userName: 'jane.doe@acme.com',
    externalId: '00ujl29u0le5T6Aj10h7',
    created: day(3),
  },
];

export const memberId = (key: string) => `mem-${key}`;

function profileOf(member: FixtureMember): Record<string, unknown> {
  return {
    userName: member.userName,
    ...(member.externalId === undefined ? {} : { externalId: member.externalId }),
    ...(member.name === undefined ? {} : { name: member.name }),
    ...(member.displayName === undefined ? {} : { displayName: member.displayName }),
    ...(member.emails === undefined ? {} : { emails: member.emails }),
    ...member.more,
  };
}

function roleOf(member: FixtureMember): Role | null {
  return member.deactivated ? null : (member.role ?? 'member');
}

/** The resource GET /Users/{id} returns (provisioning/member-resource.ts#toScimUser). */
export function resourceOf(member: FixtureMember): Record<string, unknown> {
  const role = roleOf(member);
  return {
    id: memberId(member.key),
    ...profileOf(member),
    active: !member.deactivated,
    roles:
      role === null ? [] : [{ value: role, display: role === 'admin' ? 'Admin' : 'Member', primary: true }],
    meta: {
      resourceType: 'User',
      created: member.created,
      lastModified: member.updated ?? member.created,
      location: `https://roster.test/scim/v2/Users/${memberId(member.key)}`,
      version: 'W/"1"',
    },
  };
}

export async function insertMembers(db: Kysely<Database>): Promise<void> {
  const at = '2024-01-01T00:00:00.000Z';
  for (const id of [ACME, GLOBEX]) {
    await db
      .insertInto('organizations')
      .values({
        id,
        slug: id,
        name: id,
        default_role: 'member',
        member_seq: 0,
        created_at: at,
        updated_at: at,
      })
      .execute();
  }
  const seqs = new Map<string, number>();
  for (const member of MEMBERS) {
    const organization = member.organization ?? ACME;
    const seq = (seqs.get(organization) ?? 0) + 1;
    seqs.set(organization, seq);
    const userId = `user-${member.key}`;
    await db
      .insertInto('users')
      .values({
        id: userId,
        email: `${member.key}@users.test`,
        display_name: null,
        password_hash: null,
        created_at: at,
        updated_at: at,
      })
      .execute();
    // A deactivated fixture member was a Member before.
    const { row, emails } = newMemberRow({
      id: memberId(member.key),
      organizationId: organization,
      userId,
      seq,
      document: profileOf(member),
      source: 'scim',
      role: member.deactivated ? 'member' : (member.role ?? 'member'),
      active: !member.deactivated,
      at: member.created,
    });
    const updated = member.updated ?? member.created;
    await db
      .insertInto('memberships')
      .values({ ...row, updated_at: updated, deactivated_at: member.deactivated ? updated : null })
      .execute();
    if (emails.length > 0) {
      await db
        .insertInto('member_emails')
        .values(
          emails.map((email, position) => ({
            membership_id: row.id,
            organization_id: organization,
            position,
            value: email.value,
            type: email.type,
            primary: email.primary ? 1 : 0,
          })),
        )
        .execute();
    }
  }
}

/** The members of Acme as SCIM resources, for matchFilter. */
export const ACME_RESOURCES = MEMBERS.filter((member) => (member.organization ?? ACME) === ACME).map(
  resourceOf,
);
