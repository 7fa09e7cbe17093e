// Creating an organization with its default workspace and first Admin (`roster init`, `/setup`), and
// the one way any organization comes into being (`insertOrganization`, which the organizations API
// uses too).

import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { hashPassword } from '../auth/password.ts';
import { RosterError } from '../errors.ts';
import { memberResource, organizationResource } from '../events/event-resources.ts';
import { recordEvent } from '../events/record-event.ts';
import { newMemberRow } from '../membership/member-row.ts';
import { UniqueViolationError } from '../store/errors.ts';
import { newId, now } from '../store/ids.ts';
import type { MemberRow } from '../store/repos/members.ts';
import type { OrganizationRecord } from '../store/repos/organizations.ts';
import type { UserRecord } from '../store/repos/users.ts';
import type { WorkspaceRecord } from '../store/repos/workspaces.ts';
import type { Repositories, Store } from '../store/store.ts';
import { nameAttributes, type PersonName } from './person-name.ts';

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function slugify(name: string): string {
  return (
    name
      .normalize('NFKD')
      // NFKD splits "è" into "e" and a combining accent: drop the accent, or it becomes a dash ("cre-me").
      .replace(/\p{M}+/gu, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 63)
      .replace(/-+$/, '')
  );
}

/** A valid slug, lower case: the given one, or one derived from the name. */
export function organizationSlug(name: string, slug?: string): string {
  const value = (slug ?? slugify(name)).toLowerCase();
  if (!SLUG.test(value)) {
    throw new RosterError(
      'invalid_value',
      `"${value}" is not a valid slug: use lowercase letters, digits and dashes (1 to 63)`,
    );
  }
  return value;
}

export function isEmail(value: string): boolean {
  return value.length <= 320 && EMAIL.test(value);
}

export interface InitOrganizationInput {
  name: string;
  slug?: string;
  adminEmail: string;
  /** The Admin's name (`--admin-name`, `/setup`): Okta's SPEC test reads the first User's name. */
  adminName?: PersonName;
  /**
   * The Admin's password. Optional when the email already has a Roster account: that account joins
   * as Admin and keeps its password unless one is given here.
   */
  adminPassword?: string;
  actor: Actor;
  requestId?: string;
  /**
   * First-run setup from the dashboard: refuse unless this is the installation's first
   * organization, checked inside the creating transaction (see `lockForSetup`).
   */
  onlyIfFirst?: boolean;
}

/** `/setup` after an organization exists (including one created by a concurrent setup). */
export class AlreadySetUpError extends RosterError {
  constructor() {
    super('conflict', 'Roster is already set up: an organization exists');
    this.name = 'AlreadySetUpError';
  }
}

export interface InitializedOrganization {
  organization: OrganizationRecord;
  workspace: WorkspaceRecord;
  user: UserRecord;
  membership: MemberRow;
}

export async function initOrganization(
  store: Store,
  input: InitOrganizationInput,
): Promise<InitializedOrganization> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 200) {
    throw new RosterError('invalid_value', 'the organization name must be 1 to 200 characters');
  }
  const slug = (input.slug ?? slugify(name)).toLowerCase();
  if (!SLUG.test(slug)) {
    throw new RosterError(
      'invalid_value',
      `"${slug}" is not a valid slug: use lowercase letters, digits and dashes (1 to 63)`,
    );
  }
  const email = input.adminEmail.trim();
  if (!isEmail(email)) throw new RosterError('invalid_value', `"${email}" is not an email address`);
  if (input.adminPassword !== undefined && input.adminPassword.length < 12) {
    throw new RosterError('invalid_value', 'the admin password must be at least 12 characters');
  }
  const named = input.adminName ? nameAttributes(input.adminName) : {};
  const passwordHash =
    input.adminPassword === undefined ? undefined : await hashPassword(input.adminPassword);

  try {
    return await store.transaction(async (tx) => {
      if (input.onlyIfFirst) {
        await tx.organizations.lockForSetup();
        if ((await tx.organizations.count()) > 0) throw new AlreadySetUpError();
      }
      const at = now();
      const { organization, workspace } = await insertOrganization(tx, {
        slug,
        name,
        at,
        actor: input.actor,
        requestId: input.requestId ?? null,
        auditDetails: {
          admin: email,
          ...(named.displayName ? { adminName: named.displayName } : {}),
        },
      });

      let user = await tx.users.findByEmail(email);
      if (user) {
        if (passwordHash !== undefined) {
          await tx.users.setPassword(user.id, passwordHash, at);
          user = { ...user, password_hash: passwordHash, updated_at: at };
        }
      } else {
        if (passwordHash === undefined) {
          throw new RosterError('invalid_value', 'a password is required for a new Admin');
        }
        user = {
          id: newId(),
          email,
          display_name: named.displayName ?? null,
          password_hash: passwordHash,
          created_at: at,
          updated_at: at,
        };
        await tx.users.insert(user);
      }

      const {
        row: membership,
        emails,
        profile,
      } = newMemberRow({
        organizationId: organization.id,
        userId: user.id,
        seq: await tx.organizations.nextMemberSeq(organization.id),
        document: { userName: email, ...named, emails: [{ value: email, type: 'work', primary: true }] },
        source: 'cli',
        role: 'admin',
        at,
      });
      await tx.members.insert(membership, emails);
      // The first Admin is a member like any other, and the product hears of them as of any other.
      await recordEvent(tx, {
        type: 'member.created',
        organizationId: organization.id,
        actor: input.actor,
        data: memberResource(membership, profile),
      });

      return { organization: { ...organization, member_seq: membership.seq }, workspace, user, membership };
    });
  } catch (error) {
    throw slugTaken(error, slug);
  }
}

export interface NewOrganization {
  slug: string;
  name: string;
  at: string;
  actor: Actor;
  requestId: string | null;
  /** What the audit event adds to the slug, the name and the workspace (the first Admin). */
  auditDetails: Record<string, unknown>;
}

/**
 * A new organization with its Default workspace, audited and announced (`organization.created`), in
 * the caller's transaction: every way an organization is made (`roster init`, `/setup`, the
 * organizations API) goes through here. A taken slug is the store's `UniqueViolationError`: the
 * caller turns it into a 409 with `slugTaken` once the transaction has rolled back.
 */
export async function insertOrganization(
  tx: Repositories,
  input: NewOrganization,
): Promise<{ organization: OrganizationRecord; workspace: WorkspaceRecord }> {
  const organization: OrganizationRecord = {
    id: newId(),
    slug: input.slug,
    name: input.name,
    default_role: 'member',
    email_changes: 'refuse',
    member_seq: 0,
    created_at: input.at,
    updated_at: input.at,
    disabled_at: null,
  };
  await tx.organizations.insert(organization);
  const workspace: WorkspaceRecord = {
    id: newId(),
    organization_id: organization.id,
    name: 'Default',
    is_default: 1,
    created_at: input.at,
    updated_at: input.at,
  };
  await tx.workspaces.insert(workspace);
  await recordAudit(tx, {
    organizationId: organization.id,
    actor: input.actor,
    action: 'organization.created',
    target: { type: 'organization', id: organization.id, label: input.slug },
    after: { slug: input.slug, name: input.name, workspace: workspace.name, ...input.auditDetails },
    requestId: input.requestId,
  });
  await recordEvent(tx, {
    type: 'organization.created',
    organizationId: organization.id,
    actor: input.actor,
    data: organizationResource(organization),
  });
  return { organization, workspace };
}

/** The error to throw for `error`: a 409 when it is the slug's unique index, else `error` itself. */
export function slugTaken(error: unknown, slug: string): unknown {
  if (error instanceof UniqueViolationError && /slug/.test(error.constraint)) {
    return new RosterError('conflict', `an organization with the slug "${slug}" already exists`);
  }
  return error;
}
