// Setup links: the product (installation token) or an organization's Admin makes a one-time,
// expiring link for the customer's IT admin. The first browser to open it gets a setup session (a
// cookie whose SHA-256 is kept on the link) and may, until the link expires or is revoked, do three
// things in that organization: save its SAML SSO settings, verify its domains, and create a SCIM
// service token. Nothing else: the setup session is no member, no token, no dashboard session.
import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { generateLinkSecret, hashToken, isLinkSecret } from '../auth/token-format.ts';
import { RosterError } from '../errors.ts';
import { newId, now } from '../store/ids.ts';
import type { OrganizationRecord } from '../store/repos/organizations.ts';
import type { SetupLinkRecord } from '../store/repos/setup-links.ts';
import type { Store } from '../store/store.ts';

export const SETUP_LINK_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export interface SetupLinkView {
  id: string;
  organizationId: string;
  createdBy: string | null;
  createdAt: string;
  expiresAt: string;
  openedAt: string | null;
  revokedAt: string | null;
  status: 'unopened' | 'opened' | 'revoked' | 'expired';
}

export function setupLinkView(row: SetupLinkRecord): SetupLinkView {
  const status = row.revoked_at
    ? 'revoked'
    : Date.parse(row.expires_at) <= Date.now()
      ? 'expired'
      : row.opened_at
        ? 'opened'
        : 'unopened';
  return {
    id: row.id,
    organizationId: row.organization_id,
    createdBy: row.created_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    openedAt: row.opened_at,
    revokedAt: row.revoked_at,
    status,
  };
}

export async function createSetupLink(
  store: Store,
  input: { organizationId: string; actor: Actor; requestId?: string },
): Promise<{ link: SetupLinkView; secret: string }> {
  const secret = generateLinkSecret();
  return store.transaction(async (tx) => {
    const organization = await tx.organizations.getById(input.organizationId);
    if (!organization) throw new RosterError('not_found', `no organization with id ${input.organizationId}`);
    if (organization.disabled_at !== null) {
      throw new RosterError(
        'conflict',
        'the organization is disabled: enable it before sending a setup link',
      );
    }
    const at = new Date();
    const row: SetupLinkRecord = {
      id: newId(),
      organization_id: organization.id,
      token_hash: secret.hash,
      session_hash: null,
      created_by: input.actor.label,
      created_at: at.toISOString(),
      expires_at: new Date(at.getTime() + SETUP_LINK_TTL_MS).toISOString(),
      opened_at: null,
      revoked_at: null,
    };
    await tx.setupLinks.insert(row);
    await recordAudit(tx, {
      organizationId: organization.id,
      actor: input.actor,
      action: 'setup_link.created',
      target: { type: 'setup_link', id: row.id, label: organization.slug },
      after: { expiresAt: row.expires_at },
      requestId: input.requestId ?? null,
    });
    return { link: setupLinkView(row), secret: secret.value };
  });
}

export async function revokeSetupLink(
  store: Store,
  input: { organizationId: string; id: string; actor: Actor; requestId?: string },
): Promise<SetupLinkView> {
  return store.transaction(async (tx) => {
    const row = await tx.setupLinks.getById(input.organizationId, input.id);
    if (!row) throw new RosterError('not_found', `no setup link with id ${input.id}`);
    const at = now();
    if (!(await tx.setupLinks.revoke(row.id, at))) return setupLinkView(row);
    await recordAudit(tx, {
      organizationId: row.organization_id,
      actor: input.actor,
      action: 'setup_link.revoked',
      target: { type: 'setup_link', id: row.id },
      before: { revokedAt: null },
      after: { revokedAt: at },
      requestId: input.requestId ?? null,
    });
    return setupLinkView({ ...row, revoked_at: at });
  });
}

const LINK_INVALID =
  'this setup link is not valid: it was opened already, expired, or was revoked. Ask for a new one.';

function usable(row: SetupLinkRecord | undefined, organization: OrganizationRecord | undefined): boolean {
  return (
    row !== undefined &&
    row.revoked_at === null &&
    Date.parse(row.expires_at) > Date.now() &&
    organization !== undefined &&
    organization.disabled_at === null
  );
}

/**
 * Opens a link for the browser holding `cookie` (random, made by the caller): once. The link's
 * secret is spent in the transaction; from then on only the cookie works.
 */
export async function openSetupLink(
  store: Store,
  input: { secret: string; cookie: string; requestId?: string },
): Promise<SetupLinkRecord> {
  if (!isLinkSecret(input.secret)) throw new RosterError('not_found', LINK_INVALID);
  return store.transaction(async (tx) => {
    const row = await tx.setupLinks.findByHash(hashToken(input.secret));
    const organization = row && (await tx.organizations.getById(row.organization_id));
    if (!row || !usable(row, organization)) throw new RosterError('not_found', LINK_INVALID);
    const at = now();
    if (!(await tx.setupLinks.open(row.id, hashToken(input.cookie), at))) {
      throw new RosterError('not_found', LINK_INVALID);
    }
    await recordAudit(tx, {
      organizationId: row.organization_id,
      actor: setupLinkActor(row),
      action: 'setup_link.opened',
      target: { type: 'setup_link', id: row.id },
      requestId: input.requestId ?? null,
    });
    return { ...row, opened_at: at, session_hash: hashToken(input.cookie) };
  });
}

export interface SetupSession {
  link: SetupLinkRecord;
  organization: OrganizationRecord;
  actor: Actor;
}

/** The setup session of a cookie, or undefined once the link expired, was revoked, or its organization disabled. */
export async function authenticateSetupSession(
  store: Store,
  cookie: string | undefined,
): Promise<SetupSession | undefined> {
  if (!cookie || !isLinkSecret(cookie)) return undefined;
  const link = await store.setupLinks.findBySession(hashToken(cookie));
  const organization = link && (await store.organizations.getById(link.organization_id));
  if (!link || !organization || !usable(link, organization)) return undefined;
  return { link, organization, actor: setupLinkActor(link) };
}

export function setupLinkActor(link: SetupLinkRecord): Actor {
  return { type: 'setup_link', id: link.id, label: `setup link from ${link.created_by ?? 'an Admin'}` };
}
