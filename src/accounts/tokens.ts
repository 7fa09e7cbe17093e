// Personal and service access tokens: create (the value is returned once), list, revoke.

import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { isRole } from '../auth/roles.ts';
import { generateToken, type TokenKind } from '../auth/token-format.ts';
import { RosterError } from '../errors.ts';
import { recordEvent } from '../events/record-event.ts';
import { newId, now } from '../store/ids.ts';
import type { Role } from '../store/schema.ts';
import type { Store } from '../store/store.ts';

/** A token as shown to people: never its hash, never its value. */
export interface TokenView {
  id: string;
  kind: TokenKind;
  name: string;
  role: Role;
  organizationId: string;
  membershipId: string | null;
  lastFour: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreatedToken extends TokenView {
  /** The secret, shown this once. */
  token: string;
}

export interface CreateTokenInput {
  kind: TokenKind;
  organizationId: string;
  /** The owner, for a personal token. */
  membershipId?: string;
  name: string;
  role: Role;
  expiresAt?: string | null;
  actor: Actor;
  requestId?: string;
}

function validate(input: CreateTokenInput): { name: string; expiresAt: string | null } {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 100) {
    throw new RosterError('invalid_value', 'the token name must be 1 to 100 characters');
  }
  if (!isRole(input.role)) throw new RosterError('invalid_value', 'the token role must be admin or member');
  let expiresAt: string | null = null;
  if (input.expiresAt) {
    const time = Date.parse(input.expiresAt);
    if (Number.isNaN(time)) throw new RosterError('invalid_value', `"${input.expiresAt}" is not a date`);
    if (time <= Date.now()) throw new RosterError('invalid_value', 'the expiry must be in the future');
    expiresAt = new Date(time).toISOString();
  }
  return { name, expiresAt };
}

export async function createToken(store: Store, input: CreateTokenInput): Promise<CreatedToken> {
  const { name, expiresAt } = validate(input);
  const generated = generateToken(input.kind);
  return store.transaction(async (tx) => {
    const at = now();
    const base = {
      id: newId(),
      organization_id: input.organizationId,
      name,
      role: input.role,
      token_hash: generated.hash,
      last_four: generated.lastFour,
      created_at: at,
      expires_at: expiresAt,
      last_used_at: null,
      revoked_at: null,
    };
    let membershipId: string | null = null;
    if (input.kind === 'personal') {
      if (!input.membershipId) throw new RosterError('invalid_value', 'a personal token needs an owner');
      const owner = await tx.members.getById(input.organizationId, input.membershipId);
      if (!owner) throw new RosterError('not_found', 'no such member in this organization');
      if (owner.status !== 'active' || owner.role === null) {
        throw new RosterError('forbidden', 'a deactivated member cannot create tokens');
      }
      if (input.role === 'admin' && owner.role !== 'admin') {
        throw new RosterError('forbidden', 'only an Admin can create a token with the Admin role');
      }
      membershipId = owner.id;
      await tx.tokens.insertPersonal({ ...base, membership_id: owner.id });
    } else {
      if (input.role !== 'admin') {
        throw new RosterError('invalid_value', 'service access tokens always have the Admin role');
      }
      await tx.tokens.insertService(base);
    }
    await recordAudit(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'token.created',
      target: { type: `${input.kind}_token`, id: base.id, label: name },
      after: {
        name,
        role: input.role,
        kind: input.kind,
        lastFour: generated.lastFour,
        expiresAt,
        membershipId,
      },
      requestId: input.requestId ?? null,
    });
    await recordEvent(tx, {
      type: 'token.created',
      organizationId: input.organizationId,
      actor: input.actor,
      data: { object: 'token', ...view(input.kind, { ...base, membership_id: membershipId ?? undefined }) },
    });
    return {
      id: base.id,
      kind: input.kind,
      name,
      role: input.role,
      organizationId: input.organizationId,
      membershipId,
      lastFour: generated.lastFour,
      createdAt: at,
      expiresAt,
      lastUsedAt: null,
      revokedAt: null,
      token: generated.value,
    };
  });
}

interface TokenRow {
  id: string;
  organization_id: string;
  name: string;
  role: Role;
  last_four: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  membership_id?: string;
}

function view(kind: TokenKind, row: TokenRow): TokenView {
  return {
    id: row.id,
    kind,
    name: row.name,
    role: row.role,
    organizationId: row.organization_id,
    membershipId: row.membership_id ?? null,
    lastFour: row.last_four,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

export async function listTokens(
  store: Store,
  organizationId: string,
  options: { kind?: TokenKind; membershipId?: string } = {},
): Promise<TokenView[]> {
  const views: TokenView[] = [];
  if (options.kind !== 'service') {
    const rows = await store.tokens.listPersonal(organizationId, options.membershipId);
    views.push(...rows.map((row) => view('personal', row)));
  }
  if (options.kind !== 'personal' && !options.membershipId) {
    views.push(...(await store.tokens.listService(organizationId)).map((row) => view('service', row)));
  }
  return views;
}

export interface RevokeTokenInput {
  id: string;
  /** When set, the token must belong to this organization (HTTP callers); the CLI may omit it. */
  organizationId?: string;
  /** When set, a personal token must belong to this member unless `asAdmin`. */
  membershipId?: string;
  asAdmin?: boolean;
  actor: Actor;
  requestId?: string;
}

export async function revokeToken(store: Store, input: RevokeTokenInput): Promise<TokenView> {
  return store.transaction(async (tx) => {
    const personal = await tx.tokens.getPersonal(input.id);
    const service = personal ? undefined : await tx.tokens.getService(input.id);
    const kind: TokenKind = personal ? 'personal' : 'service';
    const row: TokenRow | undefined = personal ?? service;
    if (!row || (input.organizationId && row.organization_id !== input.organizationId)) {
      throw new RosterError('not_found', `no token with id ${input.id}`);
    }
    if (kind === 'service' && input.membershipId && !input.asAdmin) {
      throw new RosterError('forbidden', 'only an Admin can revoke service access tokens');
    }
    if (
      kind === 'personal' &&
      input.membershipId &&
      !input.asAdmin &&
      row.membership_id !== input.membershipId
    ) {
      throw new RosterError('not_found', `no token with id ${input.id}`);
    }
    const at = now();
    if (row.revoked_at === null) {
      await tx.tokens.revoke(kind, row.id, at);
      await recordAudit(tx, {
        organizationId: row.organization_id,
        actor: input.actor,
        action: 'token.revoked',
        target: { type: `${kind}_token`, id: row.id, label: row.name },
        before: { revokedAt: null },
        after: { revokedAt: at },
        requestId: input.requestId ?? null,
      });
      await recordEvent(tx, {
        type: 'token.revoked',
        organizationId: row.organization_id,
        actor: input.actor,
        data: { object: 'token', ...view(kind, { ...row, revoked_at: at }) },
      });
    }
    return view(kind, { ...row, revoked_at: row.revoked_at ?? at });
  });
}
