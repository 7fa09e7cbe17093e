// What every dashboard page handler works with, and the signed-in viewer of a request.
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import { RosterError } from '../errors.ts';
import type { SessionPrincipal } from '../sign-in/sessions.ts';
import type { SignInThrottle } from '../sign-in/sign-in-throttle.ts';
import type { Store } from '../store/store.ts';
import type { ScimRequestLog } from '../web/scim-request-log.ts';

export interface DashboardContext {
  store: Store;
  config: Config;
  /** Whether cookies get the Secure attribute and pages HSTS: PUBLIC_URL is https. */
  secure: boolean;
  scimRequestLog: ScimRequestLog;
  throttle: SignInThrottle;
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

/** A form field's value: the first when a name is repeated, '' when absent. */
export function field(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | null | undefined)?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : '';
}

/** A query parameter's value, like `field`. */
export function queryValue(request: FastifyRequest, name: string): string {
  return field(request.query, name);
}
