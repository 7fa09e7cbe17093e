// Sign-in with email and password, the organization chooser, and sign-out. A person with active
// memberships in several organizations gets a session for the one they joined first (never one
// that merely sorts first, which any organization provisioning them could arrange) and is sent to
// the chooser, which lists their own organizations; the header's "Switch organization" link leads
// back to it. Sessions belong to one membership, so switching replaces the session. A session
// opened by an organization's SSO lists and reaches that organization only.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RosterError } from '../../errors.ts';
import {
  auditPasswordFailure,
  passwordSignInAudit,
  signInWithPassword,
} from '../../sign-in/password-sign-in.ts';
import { endSession, replaceSession } from '../../sign-in/sessions.ts';
import { organizationSwitchAllowed, switchableMemberships } from '../../sign-in/sign-in-policy.ts';
import { SignInThrottle } from '../../sign-in/sign-in-throttle.ts';
import { ssoOrganizationForEmail } from '../../sign-in/sso-sign-in.ts';
import { field } from '../../web/form-field.ts';
import {
  CSRF_FIELD,
  clearSessionCookie,
  formToken,
  sessionCookieOf,
  setSessionCookie,
} from '../../web/session.ts';
import { errorBox, notice } from '../components.ts';
import { type DashboardContext, queryValue, viewerOf } from '../context.ts';
import { html } from '../html.ts';
import { homePath } from '../navigation.ts';
import { csrfInput, redirect, safeNext, sendPage } from '../render.ts';

interface SignInForm {
  email: string;
  next: string;
  error?: string;
  notice?: string;
}

function signInForm(token: string, form: SignInForm) {
  return html`<h1>Sign in to Roster</h1>
    ${notice(form.notice)}
    ${errorBox(form.error)}
    <form method="post" action="/signin">
      <input type="hidden" name="${CSRF_FIELD}" value="${token}">
      <input type="hidden" name="next" value="${form.next}">
      <label for="email">Email address</label>
      <input type="email" id="email" name="email" required autocomplete="username" value="${form.email}" autofocus>
      <label for="password">Password</label>
      <input type="password" id="password" name="password" required autocomplete="current-password">
      <div class="actions">
        <button type="submit">Sign in</button>
        <button type="submit" class="button-secondary" formaction="/signin/sso" formnovalidate>Continue with SSO</button>
      </div>
      <p class="hint">Single sign-on: enter your work email, then choose <strong>Continue with SSO</strong>.</p>
    </form>
    <p><a href="/reset-password">Forgot your password?</a></p>`;
}

/**
 * The step between the sign-in form and the IdP. A page that moves on by itself rather than a
 * redirect: the form's CSP (`form-action 'self'`) would block a redirect to the IdP's origin.
 */
function ssoInterstitial(organizationName: string, url: string) {
  return html`<meta http-equiv="refresh" content="0; url=${url}">
    <h1>Continuing to single sign-on…</h1>
    <p>${organizationName} signs you in with its identity provider.</p>
    <p><a class="button" href="${url}" id="continue-sso">Continue</a></p>`;
}

export function signInPages(app: FastifyInstance, ctx: DashboardContext): void {
  const show = (request: FastifyRequest, reply: FastifyReply, form: SignInForm, status = 200) =>
    sendPage(ctx, request, reply, {
      title: 'Sign in',
      plain: true,
      status,
      body: signInForm(formToken(request, reply, ctx.secure), form),
    });

  app.get('/signin', async (request, reply) => {
    const next = safeNext(queryValue(request, 'next'));
    const principal = request.sessionPrincipal;
    if (principal) return redirect(reply, next || homePath({ isAdmin: principal.role === 'admin' }));
    if ((await ctx.store.organizations.count()) === 0) return redirect(reply, '/setup');
    const signedOut = queryValue(request, 'signed_out') === '1';
    const reset = queryValue(request, 'reset') === '1';
    const message = signedOut
      ? 'You are signed out.'
      : reset
        ? 'Your password is set. Sign in with it.'
        : undefined;
    // An app signing a person in may pass the email it knows (`login_hint`, src/oidc/).
    const email = queryValue(request, 'email').slice(0, 320);
    return show(request, reply, { email, next, ...(message ? { notice: message } : {}) });
  });

  app.post('/signin', { config: { preSession: true } }, async (request, reply) => {
    const email = field(request.body, 'email').trim();
    const next = safeNext(field(request.body, 'next'));
    const key = SignInThrottle.key(email, request.ip);
    const wait = ctx.throttle.retryAfter(key);
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      const minutes = Math.ceil(wait / 60);
      const error = `Too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
      return show(request, reply, { email, next, error }, 429);
    }
    const result = await signInWithPassword(ctx.store, email, field(request.body, 'password'));
    if (!result.ok) {
      if (result.reason === 'invalid') ctx.throttle.recordFailure(key);
      await auditPasswordFailure(ctx.store, result, request.id);
      return show(
        request,
        reply,
        { email, next, error: result.message },
        result.reason === 'invalid' ? 401 : 403,
      );
    }
    ctx.throttle.reset(key);
    const [first] = result.choices;
    if (!first) throw new RosterError('forbidden', 'no organization to sign in to');
    const session = await replaceSession(
      ctx.store,
      request.sessionPrincipal?.session.id_hash ?? null,
      first.member,
      passwordSignInAudit(result.user, first.member, request.id),
    );
    setSessionCookie(reply, session.cookie, ctx.secure);
    if (result.choices.length > 1) {
      return redirect(reply, `/organizations${next ? `?next=${encodeURIComponent(next)}` : ''}`);
    }
    return redirect(reply, next || homePath({ isAdmin: first.member.role === 'admin' }));
  });

  // Email-first SSO: the email's domain names the organization, whose IdP signs the person in.
  app.post('/signin/sso', { config: { preSession: true } }, async (request, reply) => {
    const email = field(request.body, 'email').trim();
    const next = safeNext(field(request.body, 'next'));
    const organization = email ? await ssoOrganizationForEmail(ctx.store, email) : undefined;
    if (!organization) {
      const error = email
        ? `Single sign-on is not set up for ${email.slice(email.lastIndexOf('@') + 1)}. Sign in with your password.`
        : 'Enter your work email address to continue with single sign-on.';
      return show(request, reply, { email, next, error }, 400);
    }
    const url = `/saml/${encodeURIComponent(organization.slug)}/login${next ? `?next=${encodeURIComponent(next)}` : ''}`;
    return sendPage(ctx, request, reply, {
      title: 'Single sign-on',
      plain: true,
      body: ssoInterstitial(organization.name, url),
    });
  });

  app.get('/organizations', async (request, reply) => {
    const viewer = viewerOf(request);
    const next = safeNext(queryValue(request, 'next'));
    const memberships = await switchableMemberships(ctx.store, viewer.session);
    const rows = [];
    for (const member of memberships) {
      const organization = await ctx.store.organizations.getById(member.organization_id);
      if (organization) rows.push({ member, organization });
    }
    rows.sort((a, b) => a.organization.name.localeCompare(b.organization.name));
    return sendPage(ctx, request, reply, {
      title: 'Choose an organization',
      body: html`<h1>Choose an organization</h1>
        ${
          viewer.session.sign_in_method === 'sso'
            ? html`<p class="lead">You signed in with the single sign-on of ${viewer.organizationName}, which vouches for you there only. To open another organization, sign out and sign in to it.</p>`
            : html`<p class="lead">You are a member of several organizations. Each has its own members, tokens and settings.</p>`
        }
        <ul class="panel">
          ${rows.map(
            ({ member, organization }) => html`<li>
              <form method="post" action="/organizations/switch" class="inline-form">
                ${csrfInput(viewer)}
                <input type="hidden" name="organizationId" value="${organization.id}">
                <input type="hidden" name="next" value="${next}">
                <button type="submit" class="button-secondary"${member.id === viewer.membershipId ? html` aria-current="true"` : ''}>
                  ${organization.name}${member.id === viewer.membershipId ? ' (current)' : ''}
                </button>
                <span class="muted">${member.role === 'admin' ? 'Admin' : 'Member'} · ${organization.slug}</span>
              </form>
            </li>`,
          )}
        </ul>`,
    });
  });

  app.post('/organizations/switch', async (request, reply) => {
    const viewer = viewerOf(request);
    const organizationId = field(request.body, 'organizationId');
    const memberships = await ctx.store.members.listForUser(viewer.userId ?? '');
    const target = memberships.find((m) => m.organization_id === organizationId && m.status === 'active');
    if (!target || target.role === null) {
      throw new RosterError('forbidden', 'You are not an active member of that organization.');
    }
    const decision = await organizationSwitchAllowed(ctx.store, viewer.session, target);
    if (!decision.allowed) throw new RosterError('forbidden', decision.reason);
    const session = await replaceSession(ctx.store, viewer.session.id_hash, target);
    setSessionCookie(reply, session.cookie, ctx.secure);
    const next = safeNext(field(request.body, 'next'));
    return redirect(reply, next || homePath({ isAdmin: target.role === 'admin' }));
  });

  app.post('/signout', async (request, reply) => {
    const viewer = viewerOf(request);
    await endSession(ctx.store, sessionCookieOf(request), {
      organizationId: viewer.organizationId,
      actor: viewer.actor,
      action: 'session.signed_out',
      target: { type: 'member', id: viewer.membershipId, label: viewer.email },
      after: { signInMethod: viewer.session.sign_in_method },
      requestId: request.id,
    });
    clearSessionCookie(reply, ctx.secure);
    return redirect(reply, '/signin?signed_out=1');
  });
}
