import type { Role } from '../store/schema.ts';

const RANK: Record<Role, number> = { member: 1, admin: 2 };

export function isRole(value: unknown): value is Role {
  return value === 'admin' || value === 'member';
}

/** The lower of two roles; no role (a deactivated member) beats any. */
export function lowerRole(a: Role | null, b: Role | null): Role | null {
  if (a === null || b === null) return null;
  return RANK[a] <= RANK[b] ? a : b;
}

export function atLeast(role: Role | null, required: Role): boolean {
  return role !== null && RANK[role] >= RANK[required];
}
