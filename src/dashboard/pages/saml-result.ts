// The pages of a SAML sign-in, for the routes in src/http/routes/saml-routes.ts and
// saml-continue-routes.ts: the form that posts an AuthnRequest to the IdP, "Switch account?", and
// the refusals. Plain pages (no session shell); a refusal tells the person what to do and gives a
// reference, never the technical detail (that is in the audit log).
import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { type SsoFailure, ssoFailureMessage } from '../../auth/saml/sso-failure.ts';
import type { PendingOutcome } from '../../sign-in/held-sign-in.ts';
import type { AuthnRequestDelivery } from '../../sign-in/sso-sign-in.ts';
import { CSRF_FIELD } from '../../web/session.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout } from '../layout.ts';

function samlPage(reply: FastifyReply, status: number, title: string, body: SafeHtml) {
  return reply.code(status).type('text/html; charset=utf-8').send(layout({ title, body }));
}

/** 404: no such organization, or no single sign-on set up there. */
export function ssoUnavailablePage(reply: FastifyReply) {
  return samlPage(
    reply,
    404,
    'Page not found',
    html`<h1>Single sign-on is not available here</h1>
      <p>This organization does not exist or has not set up single sign-on.</p>
      <p><a href="/signin">Back to sign-in</a></p>`,
  );
}

/** The refusal of a sign-in with the failure's status, and `requestId` as the reference to give. */
export function ssoRefusalPage(
  reply: FastifyReply,
  requestId: string,
  failure: SsoFailure,
  organizationName?: string,
) {
  if (failure.reason === 'not_configured') return ssoUnavailablePage(reply);
  return samlPage(
    reply,
    failure.status,
    'Sign-in refused',
    html`<h1>You could not be signed in</h1>
      <div class="error-box" role="alert">${ssoFailureMessage(failure.reason, organizationName)}</div>
      <p>If this keeps happening, give your administrator this reference:
        <span class="mono">${failure.reason}</span> · <span class="mono">${requestId}</span></p>
      <p><a href="/signin">Back to sign-in</a></p>`,
  );
}

/** Any other error of a sign-in: its status and a message for the person. */
export function ssoErrorPage(reply: FastifyReply, status: number, message: string) {
  return samlPage(
    reply,
    status,
    'Sign-in failed',
    html`<h1>You could not be signed in</h1><p>${message}</p><p><a href="/signin">Back to sign-in</a></p>`,
  );
}

/** The HTTP-POST binding: a form the browser posts to the IdP by itself (and a button without JavaScript). */
export function autoPostPage(
  reply: FastifyReply,
  delivery: Extract<AuthnRequestDelivery, { binding: 'post' }>,
) {
  const nonce = randomBytes(16).toString('base64');
  reply.header(
    'content-security-policy',
    `default-src 'none'; script-src 'self' 'nonce-${nonce}'; style-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action ${new URL(delivery.url).origin}`,
  );
  return samlPage(
    reply,
    200,
    'Continuing to your identity provider',
    html`<h1>Continuing to your identity provider…</h1>
      <form method="post" action="${delivery.url}" id="saml-post">
        ${Object.entries(delivery.fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
        <button type="submit">Continue</button>
      </form>
      <script nonce="${nonce}">document.getElementById('saml-post').submit();</script>`,
  );
}

/** "Switch account?": the IdP signed in someone else than this browser's session. */
export function switchAccountPage(
  reply: FastifyReply,
  outcome: Extract<PendingOutcome, { kind: 'confirm' }>,
) {
  const { current, member, organization, token } = outcome;
  return samlPage(
    reply,
    200,
    'Switch account?',
    html`<h1>You are signed in as ${current.email}</h1>
      <p>Your identity provider has just signed in <strong>${member.user_name}</strong> to ${organization.name}.
        Continue as ${member.user_name}? You are then signed out as ${current.email} (${current.organizationName}).</p>
      <p class="hint">If you did not just choose Roster in your identity provider, another site may have sent you here: stay signed in as ${current.email}.</p>
      <form method="post" action="/saml/${organization.slug}/continue" class="actions">
        <input type="hidden" name="${CSRF_FIELD}" value="${current.session.csrf_token}">
        <input type="hidden" name="p" value="${token}">
        <button type="submit" name="choice" value="keep">Stay signed in as ${current.email}</button>
        <button type="submit" name="choice" value="continue" class="button-secondary">Continue as ${member.user_name}</button>
      </form>`,
  );
}

/** 403: an answer to "Switch account?" that did not come from Roster's own page. */
export function foreignAnswerPage(reply: FastifyReply) {
  return samlPage(
    reply,
    403,
    'Not allowed',
    html`<h1>This request was refused</h1>
      <p>It did not come from Roster's own page. Nothing was changed.</p>
      <p><a href="/">Back to Roster</a></p>`,
  );
}
