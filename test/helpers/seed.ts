// Rows and small scenarios for the foundation tests: records written straight through the store
// (members built by the real row factory, `newMemberRow`), and an organization built by the real
// `initOrganization`.
import { randomBytes } from 'node:crypto';
import { type InitializedOrganization, initOrganization } from '../../src/accounts/organizations.ts';
import { type CreatedToken, createToken } from '../../src/accounts/tokens.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { hashPassword } from '../../src/auth/password.ts';
import { newMemberRow, parseProfile } from '../../src/membership/member-row.ts';
import { newId, now } from '../../src/store/ids.ts';
import type { MemberEmailRow, MemberRow } from '../../src/store/repos/members.ts';
import type { OrganizationRecord } from '../../src/store/repos/organizations.ts';
import type { UserRecord } from '../../src/store/repos/users.ts';
import type { Role } from '../../src/store/schema.ts';
import type { Repositories, Store } from '../../src/store/store.ts';

export const ADMIN_PASSWORD = 'correct horse battery staple';

export function uniqueSlug(prefix = 'org'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export function organizationRecord(overrides: Partial<OrganizationRecord> = {}): OrganizationRecord {
  const at = now();
  const slug = overrides.slug ?? uniqueSlug();
  return {
    id: newId(),
    slug,
    name: `Organization ${slug}`,
    default_role: 'member',
    email_changes: 'refuse',
    member_seq: 0,
    created_at: at,
    updated_at: at,
    disabled_at: null,
    ...overrides,
  };
}

export function userRecord(overrides: Partial<UserRecord> = {}): UserRecord {
  const at = now();
  return {
    id: newId(),
    email: `${randomBytes(4).toString('hex')}@example.com`,
    display_name: null,
    password_hash: null,
    created_at: at,
    updated_at: at,
    ...overrides,
  };
}

/**
 * A new membership row (the real factory, `newMemberRow`) whose profile is just its userName, then
 * `overrides` column by column: for store tests that need rows the use cases would not write.
 */
export function memberRow(
  organizationId: string,
  userId: string,
  seq: number,
  overrides: Partial<MemberRow> = {},
): MemberRow {
  const userName = overrides.user_name ?? `user-${seq}-${randomBytes(3).toString('hex')}@example.com`;
  const { row } = newMemberRow({
    organizationId,
    userId,
    seq,
    document: { userName },
    source: 'scim',
    role: 'member',
  });
  return { ...row, ...overrides };
}

export async function insertOrganization(
  repos: Repositories,
  overrides: Partial<OrganizationRecord> = {},
): Promise<OrganizationRecord> {
  const organization = organizationRecord(overrides);
  await repos.organizations.insert(organization);
  return organization;
}

export interface AddMemberOptions {
  email?: string;
  role?: Role;
  userName?: string;
  externalId?: string | null;
  emails?: MemberEmailRow[];
}

/** A new user and their active membership, with the next member position, in one transaction. */
export async function addMember(
  store: Store,
  organizationId: string,
  options: AddMemberOptions = {},
): Promise<{ user: UserRecord; member: MemberRow }> {
  return store.transaction(async (tx) => {
    const user = userRecord(options.email ? { email: options.email } : {});
    await tx.users.insert(user);
    const seq = await tx.organizations.nextMemberSeq(organizationId);
    const userName = options.userName ?? user.email;
    const emails = options.emails ?? [{ value: user.email, type: 'work', primary: true }];
    const { row: member, emails: emailRows } = newMemberRow({
      organizationId,
      userId: user.id,
      seq,
      document: {
        userName,
        ...(options.externalId ? { externalId: options.externalId } : {}),
        emails: emails.map(({ value, type, primary }) => ({
          value,
          ...(type === null ? {} : { type }),
          primary,
        })),
      },
      source: 'scim',
      role: options.role ?? 'member',
    });
    await tx.members.insert(member, emailRows);
    return { user, member };
  });
}

/**
 * The person of `member` as a member of another organization too: same user, same profile, the
 * next position there. Without an email index, as these tests always had it.
 */
export async function joinAnotherOrganization(
  store: Store,
  member: MemberRow,
  organizationId: string,
  options: { id: string; role?: Role },
): Promise<MemberRow> {
  return store.transaction(async (tx) => {
    const { row } = newMemberRow({
      id: options.id,
      organizationId,
      userId: member.user_id,
      seq: await tx.organizations.nextMemberSeq(organizationId),
      document: parseProfile(member.profile),
      source: member.source,
      role: options.role ?? member.role ?? 'member',
    });
    await tx.members.insert(row, []);
    return row;
  });
}

/** What SCIM `active: false` will do to the row: no role, the old one kept, version bumped. */
export async function deactivateMember(store: Store, organizationId: string, membershipId: string) {
  const current = await store.members.getById(organizationId, membershipId);
  if (!current) throw new Error(`no member ${membershipId}`);
  const at = now();
  const next: MemberRow = {
    ...current,
    status: 'deactivated',
    role: null,
    previous_role: current.role,
    version: current.version + 1,
    updated_at: at,
    deactivated_at: at,
  };
  await store.members.update(next, current);
  return next;
}

export async function changeMemberRole(
  store: Store,
  organizationId: string,
  membershipId: string,
  role: Role,
) {
  const current = await store.members.getById(organizationId, membershipId);
  if (!current) throw new Error(`no member ${membershipId}`);
  const next: MemberRow = {
    ...current,
    role,
    direct_role: role,
    version: current.version + 1,
    updated_at: now(),
  };
  await store.members.update(next, current);
  return next;
}

const passwordHashes = new Map<string, Promise<string>>();

/**
 * The scrypt hash of `password`, computed once per test file: a hash costs 50 to 250 ms of CPU, and
 * every test used to pay it for its Admin and again for each member it gave a password. A real hash
 * (its own salt, once), so signing in with the password still verifies it as in production.
 */
export function passwordHashOf(password: string): Promise<string> {
  let hash = passwordHashes.get(password);
  if (!hash) {
    hash = hashPassword(password);
    passwordHashes.set(password, hash);
  }
  return hash;
}

/**
 * An organization made by the real use case, as `roster init` makes it, whose first Admin's
 * account was created just before with the hash of ADMIN_PASSWORD (see `passwordHashOf`); the use
 * case makes that account the Admin, as it does for an email that already has an account. The
 * tests of `initOrganization` itself (test/accounts/organizations.test.ts, the CLI's) hash.
 */
export async function initTestOrganization(
  store: Store,
  options: { name?: string; slug?: string; adminEmail?: string } = {},
): Promise<InitializedOrganization> {
  const slug = options.slug ?? uniqueSlug('acme');
  const adminEmail = options.adminEmail ?? `admin@${slug}.example.com`;
  if (!(await store.users.findByEmail(adminEmail))) {
    await store.users.insert(
      userRecord({ email: adminEmail, password_hash: await passwordHashOf(ADMIN_PASSWORD) }),
    );
  }
  return initOrganization(store, { name: options.name ?? 'Acme Inc', slug, adminEmail, actor: CLI_ACTOR });
}

export function personalToken(
  store: Store,
  organizationId: string,
  membershipId: string,
  role: Role,
  extra: { name?: string; expiresAt?: string } = {},
): Promise<CreatedToken> {
  return createToken(store, {
    kind: 'personal',
    organizationId,
    membershipId,
    name: extra.name ?? `${role} token`,
    role,
    ...(extra.expiresAt ? { expiresAt: extra.expiresAt } : {}),
    actor: CLI_ACTOR,
  });
}

export function serviceToken(store: Store, organizationId: string, name = 'okta'): Promise<CreatedToken> {
  return createToken(store, { kind: 'service', organizationId, name, role: 'admin', actor: CLI_ACTOR });
}
