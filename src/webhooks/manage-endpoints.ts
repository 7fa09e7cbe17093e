// Webhook endpoints of an organization, or of the installation (organization null: every
// organization's events, for the product that serves them all): created with a URL and the event types it wants (`["*"]`:
// all), its signing secret shown once; updated, re-enabled, rotated (the old secret keeps signing
// alongside the new one for an overlap, so a receiver can switch without losing a delivery) and
// deleted. Every change is audited.
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { RosterError } from '../errors.ts';
import { INSTALLATION_ONLY_TYPES, isEventType } from '../events/event-types.ts';
import { newId, now } from '../store/ids.ts';
import type { WebhookEndpointRow } from '../store/repos/webhooks.ts';
import type { Repositories, Store } from '../store/store.ts';
import { isPublicAddress } from './outbound-address.ts';

export interface EndpointChange {
  /** The organization, or null for an installation-wide endpoint (every organization's events). */
  organizationId: string | null;
  actor: Actor;
  requestId?: string | null;
  /** WEBHOOK_ALLOW_PRIVATE_NETWORKS: plain http and private addresses are then accepted. */
  allowPrivate: boolean;
}

export interface EndpointView {
  id: string;
  /** Null for an installation-wide endpoint. */
  organizationId: string | null;
  url: string;
  description: string | null;
  types: string[];
  enabled: boolean;
  /** Why Roster turned it off (every attempt of a delivery failed), or null. */
  disabledReason: string | null;
  disabledAt: string | null;
  /** While set, deliveries are signed with the previous secret too. */
  previousSecretExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export const DEFAULT_OVERLAP_SECONDS = 24 * 3600;

export function newSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export function endpointView(row: WebhookEndpointRow): EndpointView {
  return {
    id: row.id,
    organizationId: row.organization_id,
    url: row.url,
    description: row.description,
    types: JSON.parse(row.types) as string[],
    enabled: row.enabled === 1,
    disabledReason: row.disabled_reason,
    disabledAt: row.disabled_at,
    previousSecretExpiresAt: row.previous_secret_expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The secrets a delivery is signed with now: the current one, and the previous during its overlap. */
export function signingSecrets(row: WebhookEndpointRow, at = now()): string[] {
  const overlapping =
    row.previous_secret !== null &&
    row.previous_secret_expires_at !== null &&
    row.previous_secret_expires_at > at;
  return overlapping && row.previous_secret ? [row.secret, row.previous_secret] : [row.secret];
}

export function subscribes(row: WebhookEndpointRow, type: string): boolean {
  const types = JSON.parse(row.types) as string[];
  return types.includes('*') || types.includes(type);
}

export function endpointUrl(value: unknown, allowPrivate: boolean): string {
  if (typeof value !== 'string' || value.length > 2048) {
    throw new RosterError('invalid_value', 'url must be an https URL of at most 2048 characters');
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new RosterError('invalid_value', `url is not a URL: "${value}"`);
  }
  const plainHttpAllowed = allowPrivate && url.protocol === 'http:';
  if (url.protocol !== 'https:' && !plainHttpAllowed) {
    throw new RosterError('invalid_value', 'url must start with https://');
  }
  if (url.username || url.password) {
    throw new RosterError('invalid_value', 'url must not carry a user name or password');
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!allowPrivate && (host === 'localhost' || (isIP(host) !== 0 && !isPublicAddress(host)))) {
    throw new RosterError(
      'invalid_value',
      `url points to ${host}, a loopback, private, link-local or metadata address; webhooks go to public addresses`,
    );
  }
  return url.toString();
}

/** The types asked for; the installation's own types (member.linked) only for an installation-wide endpoint. */
export function eventTypes(value: unknown, installation = false): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 100) {
    throw new RosterError(
      'invalid_value',
      'types must be a non-empty array of event types, or ["*"] for all',
    );
  }
  const types = [...new Set(value)];
  for (const type of types) {
    if (
      typeof type !== 'string' ||
      (type !== '*' && (!isEventType(type) || (!installation && INSTALLATION_ONLY_TYPES.has(type))))
    ) {
      throw new RosterError(
        'invalid_value',
        `unknown event type ${JSON.stringify(type)}: see docs/events.md for the types, or use "*"`,
      );
    }
  }
  return types as string[];
}

function description(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || value.length > 200) {
    throw new RosterError('invalid_value', 'description must be text of at most 200 characters');
  }
  return value;
}

/** An endpoint of the organization, or of the installation (`null`); a 404 for any other's. */
export async function endpointOf(
  tx: Repositories,
  organizationId: string | null,
  id: string,
): Promise<WebhookEndpointRow> {
  const row = await tx.webhooks.getEndpoint(organizationId, id);
  if (!row) {
    const scope = organizationId === null ? 'installation-wide' : 'in this organization';
    throw new RosterError('not_found', `no webhook endpoint with id ${id} ${scope}`);
  }
  return row;
}

function audit(
  tx: Repositories,
  change: EndpointChange,
  action: 'webhook.created' | 'webhook.updated' | 'webhook.deleted' | 'webhook.secret_rotated',
  row: WebhookEndpointRow,
  before?: unknown,
) {
  return recordAudit(tx, {
    organizationId: change.organizationId,
    actor: change.actor,
    action,
    target: { type: 'webhook_endpoint', id: row.id, label: row.url },
    ...(before === undefined ? {} : { before }),
    after:
      action === 'webhook.deleted'
        ? undefined
        : { url: row.url, types: JSON.parse(row.types), enabled: row.enabled === 1 },
    requestId: change.requestId ?? null,
  });
}

export async function createEndpoint(
  store: Store,
  change: EndpointChange & { url: unknown; types: unknown; description?: unknown; formNonce?: string },
): Promise<{ endpoint: EndpointView; secret: string }> {
  const at = now();
  const row: WebhookEndpointRow = {
    id: newId(),
    organization_id: change.organizationId,
    url: endpointUrl(change.url, change.allowPrivate),
    description: description(change.description),
    types: JSON.stringify(eventTypes(change.types, change.organizationId === null)),
    secret: newSecret(),
    previous_secret: null,
    previous_secret_expires_at: null,
    enabled: 1,
    disabled_reason: null,
    disabled_at: null,
    created_at: at,
    updated_at: at,
    form_nonce: change.formNonce ?? null,
  };
  await store.transaction(async (tx) => {
    if ((await tx.webhooks.listEndpoints(change.organizationId)).length >= 20) {
      const holder = change.organizationId === null ? 'the installation' : 'an organization';
      throw new RosterError('conflict', `${holder} has at most 20 webhook endpoints`);
    }
    await tx.webhooks.insertEndpoint(row);
    await audit(tx, change, 'webhook.created', row);
  });
  return { endpoint: endpointView(row), secret: row.secret };
}

export async function updateEndpoint(
  store: Store,
  change: EndpointChange & {
    id: string;
    url?: unknown;
    types?: unknown;
    description?: unknown;
    enabled?: unknown;
  },
): Promise<EndpointView> {
  if (change.enabled !== undefined && typeof change.enabled !== 'boolean') {
    throw new RosterError('invalid_value', 'enabled must be true or false');
  }
  return store.transaction(async (tx) => {
    const before = await endpointOf(tx, change.organizationId, change.id);
    const row: WebhookEndpointRow = { ...before, updated_at: now() };
    if (change.url !== undefined) row.url = endpointUrl(change.url, change.allowPrivate);
    if (change.types !== undefined)
      row.types = JSON.stringify(eventTypes(change.types, row.organization_id === null));
    if (change.description !== undefined) row.description = description(change.description);
    if (change.enabled === true) Object.assign(row, { enabled: 1, disabled_reason: null, disabled_at: null });
    if (change.enabled === false)
      Object.assign(row, { enabled: 0, disabled_reason: null, disabled_at: row.updated_at });
    await tx.webhooks.updateEndpoint(row);
    await audit(tx, change, 'webhook.updated', row, {
      url: before.url,
      types: JSON.parse(before.types),
      enabled: before.enabled === 1,
    });
    return endpointView(row);
  });
}

export async function deleteEndpoint(store: Store, change: EndpointChange & { id: string }): Promise<void> {
  await store.transaction(async (tx) => {
    const row = await endpointOf(tx, change.organizationId, change.id);
    await tx.webhooks.deleteEndpoint(change.organizationId, row.id);
    await audit(tx, change, 'webhook.deleted', row, { url: row.url });
  });
}

/** A new secret, shown once; the old one signs too until the overlap ends. */
export async function rotateSecret(
  store: Store,
  change: EndpointChange & { id: string; overlapSeconds?: unknown },
): Promise<{ endpoint: EndpointView; secret: string }> {
  const overlap = change.overlapSeconds ?? DEFAULT_OVERLAP_SECONDS;
  if (typeof overlap !== 'number' || !Number.isInteger(overlap) || overlap < 0 || overlap > 7 * 24 * 3600) {
    throw new RosterError(
      'invalid_value',
      'overlapSeconds must be a whole number of seconds from 0 to 604800',
    );
  }
  return store.transaction(async (tx) => {
    const before = await endpointOf(tx, change.organizationId, change.id);
    const at = new Date();
    const row: WebhookEndpointRow = {
      ...before,
      secret: newSecret(),
      previous_secret: overlap > 0 ? before.secret : null,
      previous_secret_expires_at: overlap > 0 ? new Date(at.getTime() + overlap * 1000).toISOString() : null,
      updated_at: at.toISOString(),
    };
    await tx.webhooks.updateEndpoint(row);
    await audit(tx, change, 'webhook.secret_rotated', row);
    return { endpoint: endpointView(row), secret: row.secret };
  });
}
