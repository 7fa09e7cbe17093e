// The one-time links Roster hands out carry their secret in the path: made here, and cut out of
// anything that logs a URL (the request log, http/request-log.ts), so that a secret
// reaches nobody but the person the link was given to.

export const LINK_PREFIXES = {
  invitation: '/invitations/',
  passwordReset: '/reset-password/',
  setupLink: '/setup-links/',
} as const;

export type LinkKind = keyof typeof LINK_PREFIXES;

export function linkUrl(publicUrl: string, kind: LinkKind, secret: string): string {
  return `${publicUrl}${LINK_PREFIXES[kind]}${secret}`;
}

const SECRET_IN_PATH = new RegExp(
  `(${Object.values(LINK_PREFIXES)
    .map((prefix) => prefix.replace(/[/]/g, '\\/'))
    .join('|')})[^/?#]+`,
  'gi',
);

/** The URL with every link secret replaced, for logs. */
export function redactLinkSecrets(url: string): string {
  return url.replace(SECRET_IN_PATH, '$1[redacted]');
}
