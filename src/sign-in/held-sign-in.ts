// SAML sign-in without login CSRF. A cross-site page can post anyone's own valid, unused response to
// the ACS: an unsolicited one (IdP-initiated, an Okta tile), or one answering an AuthnRequest the
// attacker started in their own browser. Had the ACS started a session there, it would have
// replaced the session of whoever's browser it was (an Admin, say) with the attacker's. And the ACS
// cannot tell: a cross-site POST carries no SameSite=Lax cookie. So every verified sign-in, its
// assertion consumed, is held server-side (`saml_pending_sign_ins`: any instance, one-time, five
// minutes) and the ACS sends the browser on with a GET, which does carry the cookies:
// - SP-initiated, and the browser's `roster_saml_login` cookie is the one the AuthnRequest was
//   started with: this browser asked; the sign-in completes, replacing any session it had;
// - otherwise (IdP-initiated, or started in another browser), when the organization refuses
//   IdP-initiated sign-in: refused (`not_this_browser` for an SP-initiated one);
// - otherwise, no session, or a session of the same person: the sign-in completes, as before;
// - a session of another person: a page asks "You are signed in as X. Continue as Y?"; continuing
//   takes a same-origin POST with that session's CSRF token, which a cross-site page cannot read,
//   so it cannot click for the person. Keeping the current session drops the pending sign-in.
import { randomBytes } from 'node:crypto';
import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { SsoFailure } from '../auth/saml/sso-failure.ts';
import { hashToken, sameHash } from '../auth/token-format.ts';
import { memberResource } from '../events/event-resources.ts';
import { recordEvent } from '../events/record-event.ts';
import type { MemberRow } from '../store/repos/members.ts';
import type { OrganizationRecord } from '../store/repos/organizations.ts';
import type { PendingSignInRecord } from '../store/repos/sso.ts';
import type { Repositories, Store } from '../store/store.ts';
import { recordSsoFailure } from './record-sso-failure.ts';
import { type NewSession, type SessionPrincipal, startSession } from './sessions.ts';

export const PENDING_SIGN_IN_TTL_MS = 5 * 60 * 1000;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export type SignInFlow = 'idp_initiated' | 'sp_initiated';

export interface HeldSignIn {
  organizationId: string;
  member: MemberRow;
  returnPath: string;
  nameId: string;
  issuer: string;
  flow: SignInFlow;
  /** SP-initiated: the hash of the `roster_saml_login` cookie the AuthnRequest was started with. */
  browserHash: string | null;
  justInTimeCreated: boolean;
}

/** Keeps a verified sign-in for the browser's next request; returns its one-time token. */
export async function holdSignIn(tx: Repositories, held: HeldSignIn): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const at = new Date();
  await tx.sso.insertPendingSignIn({
    id_hash: hashToken(token),
    organization_id: held.organizationId,
    membership_id: held.member.id,
    session_id_hash: null,
    return_path: held.returnPath || null,
    name_id: held.nameId,
    issuer: held.issuer,
    flow: held.flow,
    browser_hash: held.flow === 'sp_initiated' ? held.browserHash : null,
    just_in_time_created: held.justInTimeCreated ? 1 : 0,
    created_at: at.toISOString(),
    expires_at: new Date(at.getTime() + PENDING_SIGN_IN_TTL_MS).toISOString(),
  });
  return token;
}

export type PendingOutcome =
  | {
      kind: 'signed_in';
      session: NewSession;
      member: MemberRow;
      organization: OrganizationRecord;
      returnPath: string;
    }
  | {
      kind: 'confirm';
      token: string;
      current: SessionPrincipal;
      member: MemberRow;
      organization: OrganizationRecord;
    }
  | { kind: 'kept'; current: SessionPrincipal }
  | { kind: 'refused'; failure: SsoFailure; organization: OrganizationRecord | undefined };

function expired(): SsoFailure {
  return new SsoFailure('pending_expired', 'the pending sign-in is unknown, expired or already used');
}

interface Loaded {
  pending: PendingSignInRecord;
  member: MemberRow;
  organization: OrganizationRecord;
}

async function load(store: Store, slug: string, token: string): Promise<Loaded | SsoFailure> {
  if (!TOKEN.test(token)) return expired();
  const organization = await store.organizations.getBySlug(slug);
  const pending = await store.sso.findPendingSignIn(hashToken(token), new Date().toISOString());
  if (!organization || !pending || pending.organization_id !== organization.id) return expired();
  const member = await store.members.getById(organization.id, pending.membership_id);
  if (member?.status !== 'active' || member.role === null) {
    return new SsoFailure('deactivated', `member ${pending.membership_id} is deactivated`, pending.name_id);
  }
  return { pending, member, organization };
}

/** Whether the browser presenting `cookie` is the one that started this SP-initiated sign-in. */
function startedInThisBrowser(pending: PendingSignInRecord, cookie: string | undefined): boolean {
  if (pending.flow !== 'sp_initiated' || pending.browser_hash === null || cookie === undefined) return false;
  return sameHash(pending.browser_hash, hashToken(cookie));
}

interface Completion {
  /** The browser's session of another person, ended as the new one starts. */
  replaced: SessionPrincipal | undefined;
  /** The person answered "Continue as …?". */
  confirmed: boolean;
  sameBrowser: boolean;
}

/** Takes the pending sign-in (one-time) and starts its session, ending `replaced` if given. */
async function complete(
  store: Store,
  loaded: Loaded,
  token: string,
  how: Completion,
  requestId: string | null,
): Promise<PendingOutcome> {
  const { member, organization, pending } = loaded;
  const session = await store.transaction(async (tx) => {
    const taken = await tx.sso.takePendingSignIn(hashToken(token), new Date().toISOString());
    if (!taken) return undefined;
    if (how.replaced) await tx.sessions.delete(how.replaced.session.id_hash);
    await tx.sessions.deleteExpired(new Date().toISOString());
    const started = await startSession(tx, member, new Date(), 'sso');
    const actor: Actor = { type: 'saml', id: member.id, label: pending.name_id };
    await recordAudit(tx, {
      organizationId: organization.id,
      actor,
      action: 'sso.login',
      target: { type: 'member', id: member.id, label: member.user_name },
      after: {
        nameId: pending.name_id,
        issuer: pending.issuer,
        flow: pending.flow,
        justInTimeCreated: pending.just_in_time_created === 1,
        // SP-initiated: whether this browser started it (otherwise handled as unsolicited).
        ...(pending.flow === 'sp_initiated' ? { startedInThisBrowser: how.sameBrowser } : {}),
        // Whether the browser was signed in as someone else and the person chose to switch.
        confirmedSwitch: how.confirmed,
      },
      requestId,
    });
    await recordEvent(tx, {
      type: 'sso.login',
      organizationId: organization.id,
      actor,
      data: {
        object: 'sso_login',
        id: member.id,
        member: memberResource(member),
        flow: pending.flow,
        justInTimeCreated: pending.just_in_time_created === 1,
      },
    });
    return started;
  });
  if (!session) return { kind: 'refused', failure: expired(), organization };
  return { kind: 'signed_in', session, member, organization, returnPath: pending.return_path ?? '' };
}

/** An SP-initiated sign-in another browser started, in an organization refusing unsolicited ones. */
async function refuseNotThisBrowser(
  store: Store,
  loaded: Loaded,
  token: string,
  requestId: string | null,
): Promise<PendingOutcome> {
  const { organization, pending } = loaded;
  if (!(await store.sso.takePendingSignIn(hashToken(token), new Date().toISOString()))) {
    return { kind: 'refused', failure: expired(), organization };
  }
  const failure = new SsoFailure(
    'not_this_browser',
    'the response answers a sign-in started in another browser, and the organization refuses IdP-initiated sign-in',
    pending.name_id,
  );
  await recordSsoFailure(store, organization, failure, requestId);
  return { kind: 'refused', failure, organization };
}

/**
 * The GET the ACS sends the browser to, with the browser's session (`current`) and its
 * `roster_saml_login` cookie. A sign-in started in another browser is refused where unsolicited
 * ones are. Then it completes in a browser with no session or one of the same person; a browser
 * signed in as someone else is asked, wherever the sign-in started.
 */
export async function resumeHeldSignIn(
  store: Store,
  slug: string,
  token: string,
  browser: { current: SessionPrincipal | undefined; loginCookie: string | undefined },
  requestId: string | null,
): Promise<PendingOutcome> {
  const loaded = await load(store, slug, token);
  if (loaded instanceof SsoFailure) return { kind: 'refused', failure: loaded, organization: undefined };
  const { current } = browser;
  const samePerson = current !== undefined && current.userId === loaded.member.user_id;
  const sameBrowser = startedInThisBrowser(loaded.pending, browser.loginCookie);
  if (!sameBrowser && loaded.pending.flow === 'sp_initiated') {
    // Started in another browser: as unsolicited as an IdP-initiated response.
    const settings = await store.sso.getSettings(loaded.organization.id);
    if (settings?.idp_initiated !== 1) return refuseNotThisBrowser(store, loaded, token, requestId);
  }
  if (!current || samePerson) {
    return complete(store, loaded, token, { replaced: undefined, confirmed: false, sameBrowser }, requestId);
  }
  // Another person is signed in here: ask, even when this browser started the sign-in. A cross-site
  // page can start one with a top-level GET of /saml/<org>/login, for an organization whose IdP the
  // attacker runs, and that IdP can answer with the attacker's own assertion.
  const bound = await store.sso.bindPendingSignIn(hashToken(token), current.session.id_hash);
  if (!bound) return { kind: 'refused', failure: expired(), organization: loaded.organization };
  return { kind: 'confirm', token, current, member: loaded.member, organization: loaded.organization };
}

/**
 * The answer to "Continue as …?", already checked by the caller to be a same-origin POST carrying
 * `current`'s CSRF token. Only the session the question was asked in may answer it.
 */
export async function answerHeldSignIn(
  store: Store,
  slug: string,
  token: string,
  current: SessionPrincipal,
  choice: 'continue' | 'keep',
  requestId: string | null,
): Promise<PendingOutcome> {
  const loaded = await load(store, slug, token);
  if (loaded instanceof SsoFailure) return { kind: 'refused', failure: loaded, organization: undefined };
  if (loaded.pending.session_id_hash !== current.session.id_hash) {
    return { kind: 'refused', failure: expired(), organization: loaded.organization };
  }
  if (choice === 'keep') {
    await store.sso.takePendingSignIn(hashToken(token), new Date().toISOString());
    return { kind: 'kept', current };
  }
  return complete(
    store,
    loaded,
    token,
    { replaced: current, confirmed: true, sameBrowser: false },
    requestId,
  );
}
