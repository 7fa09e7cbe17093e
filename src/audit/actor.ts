// Who did something: written on every audit event.

/**
 * `installation_token`: the product, through its installation token (organizations API).
 * `setup_link`: a customer's IT admin in a setup link's browser (SSO and SCIM set-up only).
 * `saml`: a person signing in with SAML SSO (their identity provider vouches for them).
 * `password`: a person signing in with their password. `unauthenticated`: anyone (a request that
 * proved nothing: a SAML response that did not verify, a wrong password), counted, never quoted.
 */
export type ActorType =
  | 'cli'
  | 'personal_token'
  | 'service_token'
  | 'installation_token'
  | 'setup_link'
  | 'session'
  | 'system'
  | 'saml'
  | 'password'
  | 'unauthenticated';

export interface Actor {
  type: ActorType;
  id: string | null;
  label: string | null;
}

export const CLI_ACTOR: Actor = { type: 'cli', id: null, label: 'roster CLI' };
