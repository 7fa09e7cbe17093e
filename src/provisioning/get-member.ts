// GET /Users/{id}: one member of the caller's organization, or 404.
import { type LoadedMember, loadMember } from '../membership/loaded-member.ts';
import type { Store } from '../store/store.ts';
import { memberNotFound } from './errors.ts';

export async function getMember(store: Store, organizationId: string, id: string): Promise<LoadedMember> {
  const row = await store.members.getById(organizationId, id);
  if (!row) throw memberNotFound(id);
  return loadMember(row);
}
