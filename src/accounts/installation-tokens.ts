// Installation tokens (`rst_iat_…`): the product's credential. They manage organizations (create,
// rename, disable, setup links), never an organization's people: the member, token and SCIM routes
// refuse them (http/authenticate.ts). Created on the server (`roster installation-tokens create`),
// shown once, stored as a SHA-256 like every other token.
import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { generateToken } from '../auth/token-format.ts';
import { RosterError } from '../errors.ts';
import { newId, now } from '../store/ids.ts';
import type { InstallationTokenRecord } from '../store/repos/installation-tokens.ts';
import type { Store } from '../store/store.ts';

export interface InstallationTokenView {
  id: string;
  name: string;
  lastFour: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

function view(row: InstallationTokenRecord): InstallationTokenView {
  return {
    id: row.id,
    name: row.name,
    lastFour: row.last_four,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

export async function createInstallationToken(
  store: Store,
  input: { name: string; actor: Actor },
): Promise<InstallationTokenView & { token: string }> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 100) {
    throw new RosterError('invalid_value', 'the token name must be 1 to 100 characters');
  }
  const generated = generateToken('installation');
  const row: InstallationTokenRecord = {
    id: newId(),
    name,
    token_hash: generated.hash,
    last_four: generated.lastFour,
    created_at: now(),
    last_used_at: null,
    revoked_at: null,
  };
  await store.transaction(async (tx) => {
    await tx.installationTokens.insert(row);
    await recordAudit(tx, {
      organizationId: null,
      actor: input.actor,
      action: 'installation_token.created',
      target: { type: 'installation_token', id: row.id, label: name },
      after: { name, lastFour: row.last_four },
    });
  });
  return { ...view(row), token: generated.value };
}

export async function listInstallationTokens(store: Store): Promise<InstallationTokenView[]> {
  return (await store.installationTokens.list()).map(view);
}

export async function revokeInstallationToken(
  store: Store,
  input: { id: string; actor: Actor },
): Promise<InstallationTokenView> {
  return store.transaction(async (tx) => {
    const row = await tx.installationTokens.getById(input.id);
    if (!row) throw new RosterError('not_found', `no installation token with id ${input.id}`);
    if (row.revoked_at !== null) return view(row);
    const at = now();
    await tx.installationTokens.revoke(row.id, at);
    await recordAudit(tx, {
      organizationId: null,
      actor: input.actor,
      action: 'installation_token.revoked',
      target: { type: 'installation_token', id: row.id, label: row.name },
      before: { revokedAt: null },
      after: { revokedAt: at },
    });
    return view({ ...row, revoked_at: at });
  });
}
