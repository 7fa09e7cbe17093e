// The public event types: what the events API returns and webhooks deliver. Each is documented with
// an example payload in docs/events.md (test/docs.test.ts checks both ways).

export const EVENT_TYPES = [
  'member.created',
  'member.linked',
  'member.updated',
  'member.deactivated',
  'member.reactivated',
  'member.role_changed',
  'group.created',
  'group.updated',
  'group.members_added',
  'group.members_removed',
  'group.deleted',
  'workspace_access.granted',
  'workspace_access.revoked',
  'token.created',
  'token.revoked',
  'sso.login',
  'sso.settings_changed',
  'organization.created',
  'organization.updated',
  'organization.disabled',
  'organization.enabled',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** Sent by "send test event": never stored as an event, delivered to one endpoint only. */
export const TEST_EVENT_TYPE = 'webhook.test';

/** Types only the installation sees (they would tell an organization about people outside it). */
export const INSTALLATION_ONLY_TYPES: ReadonlySet<string> = new Set<EventType>(['member.linked']);

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}

/** The version of the payload's shape; a change that could break a receiver makes a new one. */
export const EVENT_VERSION = 1;
