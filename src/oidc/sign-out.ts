// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): an app sends the person to
// /oidc/session/end. Roster asks, in its own words, whether to sign out of Roster too: "Yes" ends
// the provider's session and Roster's own (the `roster_session` of the dashboard, the sign-in every
// app's authorization goes through), audited as `session.signed_out`; "No" ends the app's grant only.
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { authenticateSession, endSession, SESSION_COOKIE } from '../sign-in/sessions.ts';
import type { Store } from '../store/store.ts';

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} · Roster</title></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

/** The question oidc-provider shows before ending a session; `form` is its form (with its token). */
export async function logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  const app = ctx.oidc.client?.clientName ?? 'the app';
  ctx.type = 'html';
  ctx.body = page(
    'Sign out of Roster?',
    `<p>You signed out of ${escapeHtml(app)}. Also sign out of Roster on this browser? The next app you open will ask you to sign in again.</p>
${form}
<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign out of Roster</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>`,
  );
}

export async function postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
  ctx.type = 'html';
  ctx.body = page('You are signed out', '<p>You can close this window.</p>');
}

/** After "Yes, sign out of Roster": Roster's own session ends too, with its audit event. */
export function endRosterSessionOnLogout(provider: Provider, store: Store): void {
  provider.use(async (ctx, next) => {
    await next();
    const oidc = (ctx as unknown as Partial<KoaContextWithOIDC>).oidc;
    if (ctx.method !== 'POST' || ctx.path !== '/session/end/confirm' || !oidc?.params?.logout) return;
    if (ctx.status !== 303) return;
    const cookie = ctx.cookies.get(SESSION_COOKIE, { signed: false });
    const principal = await authenticateSession(store, cookie);
    if (!principal?.membershipId) return;
    await endSession(store, cookie, {
      organizationId: principal.organizationId,
      actor: principal.actor,
      action: 'session.signed_out',
      target: { type: 'member', id: principal.membershipId, label: principal.email },
      after: { signInMethod: principal.session.sign_in_method, from: 'app' },
      requestId: null,
    });
    ctx.cookies.set(SESSION_COOKIE, null, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      overwrite: true,
      signed: false,
    });
  });
}
