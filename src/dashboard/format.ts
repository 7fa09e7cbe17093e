// How stored values read on the pages: times in UTC, roles, statuses and sources in words.
import type { MemberSource, MemberStatus, Role } from '../store/schema.ts';

/** `2025-03-01 14:05 UTC`: absolute, unambiguous, the same for every viewer. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function formatDate(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 10) : '';
}

export function roleLabel(role: Role | null): string {
  if (role === null) return 'No role';
  return role === 'admin' ? 'Admin' : 'Member';
}

export function statusLabel(status: MemberStatus): string {
  return status === 'active' ? 'Active' : 'Deactivated';
}

const SOURCES: Record<MemberSource, string> = { scim: 'SCIM', invite: 'Invite', cli: 'CLI', sso: 'SSO' };

export function sourceLabel(source: MemberSource): string {
  return SOURCES[source] ?? source;
}

/** What to call a member: their display name, else their name parts, else their userName. */
export function memberName(row: {
  display_name: string | null;
  given_name: string | null;
  family_name: string | null;
  user_name: string;
}): string {
  const parts = [row.given_name, row.family_name].filter((part) => part).join(' ');
  return row.display_name || parts || row.user_name;
}

/** Use-case messages are lower-case clauses; pages show sentences. */
export function sentence(message: string): string {
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
