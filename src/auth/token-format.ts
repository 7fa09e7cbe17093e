// Access tokens: a recognisable prefix (so secret scanners and people can tell what leaked) followed
// by 256 bits of randomness. Only the SHA-256 of the whole value and its last four characters are kept.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type TokenKind = 'personal' | 'service';
/** Every credential with a prefix: an organization's tokens, and the installation's (the product's). */
export type PrefixedKind = TokenKind | 'installation';

const PREFIX: Record<PrefixedKind, string> = {
  personal: 'rst_pat_',
  service: 'rst_sat_',
  installation: 'rst_iat_',
};
const BODY = /^[A-Za-z0-9_-]{43}$/;

export interface GeneratedToken {
  value: string;
  hash: string;
  lastFour: string;
}

export function generateToken(kind: PrefixedKind): GeneratedToken {
  const value = PREFIX[kind] + randomBytes(32).toString('base64url');
  return { value, hash: hashToken(value), lastFour: value.slice(-4) };
}

export function hashToken(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** The kind a presented value claims to be, or undefined when it is not shaped like a Roster token. */
export function tokenKind(value: string): TokenKind | undefined {
  for (const kind of ['personal', 'service'] as const) {
    if (value.startsWith(PREFIX[kind]) && BODY.test(value.slice(PREFIX[kind].length))) return kind;
  }
  return undefined;
}

/** True when a presented value is shaped like an installation token (`rst_iat_…`). */
export function isInstallationToken(value: string): boolean {
  return value.startsWith(PREFIX.installation) && BODY.test(value.slice(PREFIX.installation.length));
}

export interface LinkSecret {
  /** Goes into the link, never stored or logged. */
  value: string;
  hash: string;
}

/** The secret of a one-time link (invitation, password reset, setup link): 256 random bits. */
export function generateLinkSecret(): LinkSecret {
  const value = randomBytes(32).toString('base64url');
  return { value, hash: hashToken(value) };
}

/** True when a value from a link could be one of ours (so that junk is refused before any query). */
export function isLinkSecret(value: string): boolean {
  return BODY.test(value);
}

/** Compares two hex digests without leaking where they differ. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
