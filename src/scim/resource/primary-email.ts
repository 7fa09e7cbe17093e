// The one email address Roster links a person by: the `primary` one (RFC 7643 §2.4), else the
// `work` one (what Entra maps the sign-in address to), else the first.
import type { ScimMultiValue } from './scim-user.ts';

type Email = Pick<ScimMultiValue, 'value' | 'type' | 'primary'>;

export function primaryEmail(emails: readonly Email[] | null | undefined): string | undefined {
  const withValue = (emails ?? []).filter(
    (email): email is Email & { value: string } => typeof email.value === 'string' && email.value !== '',
  );
  const chosen =
    withValue.find((email) => email.primary === true) ??
    withValue.find((email) => email.type?.toLowerCase() === 'work') ??
    withValue[0];
  return chosen?.value;
}
