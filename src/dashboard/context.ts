// What every dashboard page handler works with, and the signed-in viewer of a request.
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import { RosterError } from '../errors.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { SessionPrincipal } from '../sign-in/sessions.ts';
import type { SignInThrottle } from '../sign-in/sign-in-throttle.ts';
import type { Store } from '../store/store.ts';
import { field } from '../web/form-field.ts';
import type { ScimRequestLog } from '../web/scim-request-log.ts';

export interface DashboardContext {
  store: Store;
  config: Config;
  /** Whether cookies get the Secure attribute and pages HSTS: PUBLIC_URL is https. */
  secure: boolean;
  scimRequestLog: ScimRequestLog;
  throttle: SignInThrottle;
  /** Invitations and reset links by mail, when SMTP_URL is set (the pages show every link anyway). */
  mailer: Mailer;
  /** Whether a GET route exists (the navigation shows SSO once its page is registered). */
  routeExists(path: string): boolean;
}

export interface Viewer extends SessionPrincipal {
  isAdmin: boolean;
  csrfToken: string;
}

/** Thrown by a page that needs a session when there is none: the error handler redirects to /signin. */
export class SignInRequired extends Error {
  constructor() {
    super('sign in to continue');
    this.name = 'SignInRequired';
  }
}

export function viewerOf(request: FastifyRequest): Viewer {
  const principal = request.sessionPrincipal;
  if (!principal) throw new SignInRequired();
  return { ...principal, isAdmin: principal.role === 'admin', csrfToken: principal.session.csrf_token };
}

export function adminViewerOf(request: FastifyRequest): Viewer {
  const viewer = viewerOf(request);
  if (!viewer.isAdmin) throw new RosterError('forbidden', 'This page is for Admins of the organization.');
  return viewer;
}

/** A query parameter's value, like a form field's (web/form-field.ts). */
export function queryValue(request: FastifyRequest, name: string): string {
  return field(request.query, name);
}
