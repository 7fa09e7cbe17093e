// Email + password → the memberships the person may open a session for. Every attempt runs scrypt,
// against a dummy hash when the email is unknown or has no password, so that response time does
// not tell which emails have accounts. Membership states are revealed only after the password
// matched.
import { type AuditEntry, recordUnauthenticatedFailure } from '../audit/record-audit.ts';
import { hashPassword, verifyPassword } from '../auth/password.ts';
import type { MemberRow } from '../store/repos/members.ts';
import type { OrganizationRecord } from '../store/repos/organizations.ts';
import type { UserRecord } from '../store/repos/users.ts';
import type { Store } from '../store/store.ts';
import { passwordSignInAllowed } from './sign-in-policy.ts';

let dummyHash: Promise<string> | undefined;
function dummy(): Promise<string> {
  dummyHash ??= hashPassword('not a password: equalizes the time of failed sign-ins');
  return dummyHash;
}

export interface SignInChoice {
  member: MemberRow;
  organization: OrganizationRecord;
}

export type PasswordSignInResult =
  | { ok: true; user: UserRecord; choices: SignInChoice[] }
  | {
      ok: false;
      reason: 'invalid' | 'deactivated' | 'not_allowed' | 'no_membership';
      message: string;
      /**
       * The memberships the attempt concerns, for their organizations' audit logs (never shown):
       * every membership of the account a wrong password was tried for, else those that refused.
       */
      concerned: MemberRow[];
    };

export const INVALID_CREDENTIALS = 'Incorrect email or password.';

export async function signInWithPassword(
  store: Store,
  email: string,
  password: string,
): Promise<PasswordSignInResult> {
  const user = email.trim() === '' ? undefined : await store.users.findByEmail(email.trim());
  const stored = user?.password_hash ?? (await dummy());
  const matches = await verifyPassword(password, stored);
  if (!user || user.password_hash === null || !matches) {
    const concerned = user ? await store.members.listForUser(user.id) : [];
    return { ok: false, reason: 'invalid', message: INVALID_CREDENTIALS, concerned };
  }

  const choices: SignInChoice[] = [];
  const deactivatedIn: string[] = [];
  const deactivated: MemberRow[] = [];
  const refusals: string[] = [];
  const refused: MemberRow[] = [];
  for (const member of await store.members.listForUser(user.id)) {
    const organization = await store.organizations.getById(member.organization_id);
    if (!organization) continue;
    if (member.status !== 'active' || member.role === null) {
      deactivatedIn.push(organization.name);
      deactivated.push(member);
      continue;
    }
    const decision = await passwordSignInAllowed(store, member);
    if (decision.allowed) choices.push({ member, organization });
    else {
      refusals.push(decision.reason);
      refused.push(member);
    }
  }
  if (choices.length > 0) {
    // The first is where the session starts: the membership the person has had longest. Sorting by
    // name would let any organization that provisions the person (SCIM, SSO) choose where their own
    // password sign-in lands, by calling itself "Aaa".
    choices.sort(
      (a, b) =>
        a.member.created_at.localeCompare(b.member.created_at) || a.member.id.localeCompare(b.member.id),
    );
    return { ok: true, user, choices };
  }
  if (refusals.length > 0)
    return { ok: false, reason: 'not_allowed', message: refusals.join(' '), concerned: refused };
  if (deactivatedIn.length > 0) {
    return {
      ok: false,
      reason: 'deactivated',
      message: `Your access to ${deactivatedIn.join(', ')} has been deactivated. Ask an administrator of your organization to restore it.`,
      concerned: deactivated,
    };
  }
  return {
    ok: false,
    reason: 'no_membership',
    message: 'This account is not a member of any organization.',
    concerned: [],
  };
}

/**
 * A refused password sign-in in the audit log of each organization it concerns (the account's own
 * memberships: nothing reaches an organization the person does not belong to, and an unknown email
 * reaches none), counted per member, reason and minute: nothing the request said is kept.
 */
export async function auditPasswordFailure(
  store: Store,
  result: Extract<PasswordSignInResult, { ok: false }>,
  requestId: string | null,
): Promise<void> {
  for (const member of result.concerned) {
    await recordUnauthenticatedFailure(store, {
      organizationId: member.organization_id,
      action: 'password.login_failed',
      reason: result.reason === 'invalid' ? 'wrong_password' : result.reason,
      target: { type: 'member', id: member.id, label: member.user_name },
      requestId,
    });
  }
}

/** The audit event of a password sign-in, for the transaction that starts its session. */
export function passwordSignInAudit(
  user: UserRecord,
  member: MemberRow,
  requestId: string | null,
): AuditEntry {
  return {
    organizationId: member.organization_id,
    actor: { type: 'password', id: member.id, label: user.email },
    action: 'password.login',
    target: { type: 'member', id: member.id, label: member.user_name },
    requestId,
  };
}
