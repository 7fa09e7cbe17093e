// Passwords: a person changes their own (knowing the current one), or sets a new one through a
// one-time reset link (mailed to them, or made by an Admin or the operator). Either way every other
// session of the person ends, in every organization: whoever learnt the old password loses what it
// opened. The session that made the change stays.
import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { hashPassword, verifyPassword } from '../auth/password.ts';
import { checkNewPassword } from '../auth/password-policy.ts';
import { generateLinkSecret, hashToken, isLinkSecret } from '../auth/token-format.ts';
import { RosterError } from '../errors.ts';
import { now } from '../store/ids.ts';
import type { UserRecord } from '../store/repos/users.ts';
import type { Repositories, Store } from '../store/store.ts';

export const RESET_LINK_TTL_MS = 60 * 60 * 1000;
/** Reset links one person may be sent in an hour: a bound on mail anyone can make Roster send. */
export const RESET_LINKS_PER_HOUR = 5;

/** Writes `password.*` into the log of every organization the person belongs to: it concerns each. */
async function auditForPerson(
  tx: Repositories,
  user: UserRecord,
  action: 'password.changed' | 'password.reset' | 'password.reset_link_created',
  actor: Actor,
  after: Record<string, unknown>,
  requestId: string | null,
): Promise<void> {
  for (const member of await tx.members.listForUser(user.id)) {
    await recordAudit(tx, {
      organizationId: member.organization_id,
      actor,
      action,
      target: { type: 'member', id: member.id, label: user.email },
      after,
      requestId,
    });
  }
}

async function setNewPassword(
  tx: Repositories,
  user: UserRecord,
  hash: string,
  keepSessionHash: string | null,
): Promise<number> {
  const at = now();
  await tx.users.setPassword(user.id, hash, at);
  await tx.passwordResets.useAllOf(user.id, at);
  return tx.sessions.deleteForUser(user.id, keepSessionHash);
}

export interface ChangePasswordInput {
  userId: string;
  currentPassword: string;
  newPassword: string;
  /** The session making the change (it stays). */
  sessionHash: string | null;
  actor: Actor;
  requestId?: string;
}

export async function changePassword(
  store: Store,
  input: ChangePasswordInput,
): Promise<{ sessionsEnded: number }> {
  const user = await store.users.getById(input.userId);
  if (!user) throw new RosterError('not_found', 'no such account');
  if (user.password_hash === null || !(await verifyPassword(input.currentPassword, user.password_hash))) {
    throw new RosterError('invalid_value', 'the current password is not correct');
  }
  checkNewPassword(input.newPassword, user.email);
  const hash = await hashPassword(input.newPassword);
  return store.transaction(async (tx) => {
    const sessionsEnded = await setNewPassword(tx, user, hash, input.sessionHash);
    await auditForPerson(
      tx,
      user,
      'password.changed',
      input.actor,
      { sessionsEnded },
      input.requestId ?? null,
    );
    return { sessionsEnded };
  });
}

export interface ResetLink {
  user: UserRecord;
  /** The link's secret: goes into the URL, never stored. */
  secret: string;
  expiresAt: string;
}

/**
 * A reset link for the account with this email, or undefined when there is none (the caller says
 * the same thing either way) or when the person was sent too many within the hour.
 */
export async function createPasswordReset(
  store: Store,
  input: { email?: string; userId?: string; actor: Actor; requestId?: string },
): Promise<ResetLink | undefined> {
  const user = input.userId
    ? await store.users.getById(input.userId)
    : input.email
      ? await store.users.findByEmail(input.email.trim())
      : undefined;
  if (!user) return undefined;
  const secret = generateLinkSecret();
  const at = new Date();
  const expiresAt = new Date(at.getTime() + RESET_LINK_TTL_MS).toISOString();
  return store.transaction(async (tx) => {
    const since = new Date(at.getTime() - 60 * 60 * 1000).toISOString();
    if ((await tx.passwordResets.countRecent(user.id, since)) >= RESET_LINKS_PER_HOUR) return undefined;
    await tx.passwordResets.insert({
      token_hash: secret.hash,
      user_id: user.id,
      created_at: at.toISOString(),
      expires_at: expiresAt,
      used_at: null,
    });
    await auditForPerson(
      tx,
      user,
      'password.reset_link_created',
      input.actor,
      { expiresAt },
      input.requestId ?? null,
    );
    return { user, secret: secret.value, expiresAt };
  });
}

const LINK_INVALID =
  'this reset link is not valid: it expired, was used already, or was replaced by a newer password';

/** The account a reset link is for, while it can still be used (the page shows the email). */
export async function openPasswordReset(store: Store, secret: string): Promise<UserRecord> {
  if (!isLinkSecret(secret)) throw new RosterError('not_found', LINK_INVALID);
  const row = await store.passwordResets.findByHash(hashToken(secret));
  if (!row || row.used_at !== null || Date.parse(row.expires_at) <= Date.now()) {
    throw new RosterError('not_found', LINK_INVALID);
  }
  const user = await store.users.getById(row.user_id);
  if (!user) throw new RosterError('not_found', LINK_INVALID);
  return user;
}

/** Sets the new password of a reset link: once (the link is used in the same transaction). */
export async function resetPassword(
  store: Store,
  input: { secret: string; newPassword: string; requestId?: string },
): Promise<{ user: UserRecord; sessionsEnded: number }> {
  const user = await openPasswordReset(store, input.secret);
  checkNewPassword(input.newPassword, user.email);
  const hash = await hashPassword(input.newPassword);
  const tokenHash = hashToken(input.secret);
  return store.transaction(async (tx) => {
    const row = await tx.passwordResets.findByHash(tokenHash);
    if (
      !row ||
      Date.parse(row.expires_at) <= Date.now() ||
      !(await tx.passwordResets.use(tokenHash, now()))
    ) {
      throw new RosterError('not_found', LINK_INVALID);
    }
    const sessionsEnded = await setNewPassword(tx, user, hash, null);
    const actor: Actor = { type: 'password', id: user.id, label: user.email };
    await auditForPerson(tx, user, 'password.reset', actor, { sessionsEnded }, input.requestId ?? null);
    return { user, sessionsEnded };
  });
}
