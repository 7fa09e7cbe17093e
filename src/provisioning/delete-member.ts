// DELETE /Users/{id}: refused. Roster never deletes people: with SSO, removing the person in the IdP
// already stops sign-in, and deactivation (active: false) revokes their access while keeping their
// history. An unknown id is still a 404, as for every other method.
import { RosterError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import { memberNotFound } from './errors.ts';

export async function deleteMember(store: Store, organizationId: string, id: string): Promise<never> {
  if (!(await store.members.getById(organizationId, id))) throw memberNotFound(id);
  throw new RosterError(
    'method_not_allowed',
    'Roster does not delete users. Deactivate instead: PATCH {"op":"replace","path":"active","value":false}. In Entra ID, untick "Delete" under the target object actions.',
    { allow: ['GET', 'PUT', 'PATCH'] },
  );
}
