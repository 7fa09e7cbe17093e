// The organizations API's use cases (the product, with an installation token): create an
// organization with its default workspace and, optionally, an invitation for its first Admin;
// rename; disable and enable. Disabling deletes nothing: the organization's tokens, sessions, SCIM
// and sign-in stop (each checks `disabled_at`), and enabling gives all of it back.
import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { RosterError } from '../errors.ts';
import { organizationResource } from '../events/event-resources.ts';
import { recordEvent } from '../events/record-event.ts';
import { now } from '../store/ids.ts';
import type { OrganizationRecord } from '../store/repos/organizations.ts';
import type { Store } from '../store/store.ts';
import { type CreatedInvitation, insertInvitation } from './invitations.ts';
import { insertOrganization, organizationSlug, slugTaken } from './organizations.ts';

export interface OrganizationView {
  id: string;
  slug: string;
  name: string;
  disabled: boolean;
  disabledAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export function organizationView(row: OrganizationRecord): OrganizationView {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    disabled: row.disabled_at !== null,
    disabledAt: row.disabled_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function checkName(value: unknown): string {
  const name = typeof value === 'string' ? value.trim() : '';
  if (name.length === 0 || name.length > 200) {
    throw new RosterError('invalid_value', 'the organization name must be 1 to 200 characters');
  }
  return name;
}

export interface CreateOrganizationInput {
  name: string;
  slug?: string;
  /** The first Admin, invited by email (the link is returned, and mailed by the caller). */
  adminEmail?: string;
  actor: Actor;
  requestId?: string;
}

export async function createOrganization(
  store: Store,
  input: CreateOrganizationInput,
): Promise<{ organization: OrganizationRecord; invitation: CreatedInvitation | null }> {
  const name = checkName(input.name);
  const slug = organizationSlug(name, input.slug);
  try {
    return await store.transaction(async (tx) => {
      const { organization } = await insertOrganization(tx, {
        slug,
        name,
        at: now(),
        actor: input.actor,
        requestId: input.requestId ?? null,
        auditDetails: { admin: input.adminEmail ?? null },
      });
      const invitation =
        input.adminEmail === undefined
          ? null
          : await insertInvitation(tx, {
              organizationId: organization.id,
              email: input.adminEmail,
              role: 'admin',
              actor: input.actor,
              ...(input.requestId ? { requestId: input.requestId } : {}),
            });
      return { organization, invitation };
    });
  } catch (error) {
    throw slugTaken(error, slug);
  }
}

export interface UpdateOrganizationInput {
  id: string;
  name?: unknown;
  disabled?: unknown;
  actor: Actor;
  requestId?: string;
}

/** Renames, disables or enables; each change its own audit and public event, all in one transaction. */
export async function updateOrganization(
  store: Store,
  input: UpdateOrganizationInput,
): Promise<OrganizationRecord> {
  const name = input.name === undefined ? undefined : checkName(input.name);
  if (input.disabled !== undefined && typeof input.disabled !== 'boolean') {
    throw new RosterError('invalid_value', '"disabled" must be true or false');
  }
  const disabled = input.disabled as boolean | undefined;
  return store.transaction(async (tx) => {
    await tx.organizations.lock(input.id);
    const before = await tx.organizations.getById(input.id);
    if (!before) throw new RosterError('not_found', `no organization with id ${input.id}`);
    let after = before;
    const at = now();
    const target = { type: 'organization', id: before.id, label: before.slug };
    const requestId = input.requestId ?? null;
    if (name !== undefined && name !== before.name) {
      after = { ...after, name, updated_at: at };
      await recordAudit(tx, {
        organizationId: before.id,
        actor: input.actor,
        action: 'organization.renamed',
        target,
        before: { name: before.name },
        after: { name },
        requestId,
      });
    }
    if (disabled !== undefined && disabled !== (before.disabled_at !== null)) {
      after = { ...after, disabled_at: disabled ? at : null, updated_at: at };
      await recordAudit(tx, {
        organizationId: before.id,
        actor: input.actor,
        action: disabled ? 'organization.disabled' : 'organization.enabled',
        target,
        before: { disabledAt: before.disabled_at },
        after: { disabledAt: after.disabled_at },
        requestId,
      });
    }
    if (after === before) return after;
    await tx.organizations.update(before.id, {
      name: after.name,
      disabled_at: after.disabled_at,
      updated_at: at,
    });
    // The public events, beside the audit events: each carries the organization as this request
    // left it (a rename and a disable in one request send both, with the same `data`).
    const data = organizationResource(after);
    const event = { organizationId: before.id, actor: input.actor, data };
    if (after.name !== before.name) {
      await recordEvent(tx, { ...event, type: 'organization.updated', previous: { name: before.name } });
    }
    if (after.disabled_at !== before.disabled_at) {
      const type = after.disabled_at === null ? 'organization.enabled' : 'organization.disabled';
      await recordEvent(tx, { ...event, type });
    }
    return after;
  });
}
