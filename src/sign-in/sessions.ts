// Dashboard sessions: a random cookie value whose SHA-256 is the server-side session id, so a
// stolen database cannot be replayed as cookies; revocable by deleting the row (sign-out,
// deactivation). Each session belongs to one membership: one person in one organization.
import { randomBytes } from 'node:crypto';
import { type AuditEntry, recordAudit } from '../audit/record-audit.ts';
import type { Principal } from '../auth/principal.ts';
import { hashToken } from '../auth/token-format.ts';
import type { MemberRow } from '../store/repos/members.ts';
import type { SessionRecord } from '../store/repos/sessions.ts';
import type { SignInMethod } from '../store/schema.ts';
import type { Repositories, Store } from '../store/store.ts';

export const SESSION_COOKIE = 'roster_session';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export interface NewSession {
  /** The cookie value: given to the browser, never stored. */
  cookie: string;
  record: SessionRecord;
}

/** Starts a session for an active member (after password or SAML sign-in). */
export async function startSession(
  tx: Repositories,
  member: MemberRow,
  at = new Date(),
  method: SignInMethod = 'password',
): Promise<NewSession> {
  const cookie = randomBytes(32).toString('base64url');
  const record: SessionRecord = {
    id_hash: hashToken(cookie),
    user_id: member.user_id,
    organization_id: member.organization_id,
    membership_id: member.id,
    csrf_token: randomBytes(24).toString('base64url'),
    created_at: at.toISOString(),
    expires_at: new Date(at.getTime() + SESSION_TTL_MS).toISOString(),
    last_seen_at: at.toISOString(),
    sign_in_method: method,
  };
  await tx.sessions.insert(record);
  return { cookie, record };
}

export interface SessionPrincipal extends Principal {
  session: SessionRecord;
  email: string;
  organizationName: string;
}

/** The principal of a session cookie, or undefined when the session is unknown, expired or its member inactive. */
export async function authenticateSession(
  store: Store,
  cookie: string | undefined,
): Promise<SessionPrincipal | undefined> {
  if (!cookie || cookie.length > 100) return undefined;
  const session = await store.sessions.findByHash(hashToken(cookie));
  if (!session || Date.parse(session.expires_at) <= Date.now()) return undefined;
  const member = await store.members.getById(session.organization_id, session.membership_id);
  if (member?.status !== 'active' || member.role === null) return undefined;
  const organization = await store.organizations.getById(session.organization_id);
  const user = await store.users.getById(session.user_id);
  // A disabled organization's sessions stop, and work again (unexpired) once it is re-enabled.
  if (!organization || organization.disabled_at !== null || !user) return undefined;
  return {
    kind: 'session',
    organizationId: organization.id,
    organizationSlug: organization.slug,
    role: member.role,
    tokenId: null,
    tokenName: null,
    tokenRole: null,
    membershipId: member.id,
    userId: user.id,
    actor: { type: 'session', id: member.id, label: user.email },
    session,
    email: user.email,
    organizationName: organization.name,
  };
}

/**
 * Ends the session of a cookie (sign-out): its row is deleted, so the cookie is worthless
 * everywhere; `audit` is recorded in the same transaction.
 */
export async function endSession(
  store: Store,
  cookie: string | undefined,
  audit?: AuditEntry,
): Promise<void> {
  if (!cookie || cookie.length > 100) return;
  await store.transaction(async (tx) => {
    await tx.sessions.delete(hashToken(cookie));
    if (audit) await recordAudit(tx, audit);
  });
}

/**
 * Replaces a session by one for another membership of the same person (the organization switcher),
 * in one transaction: the old cookie stops working as the new one starts.
 */
export async function replaceSession(
  store: Store,
  oldIdHash: string | null,
  member: MemberRow,
  audit?: AuditEntry,
): Promise<NewSession> {
  return store.transaction(async (tx) => {
    if (oldIdHash) await tx.sessions.delete(oldIdHash);
    await tx.sessions.deleteExpired(new Date().toISOString());
    const session = await startSession(tx, member);
    if (audit) await recordAudit(tx, audit);
    return session;
  });
}
