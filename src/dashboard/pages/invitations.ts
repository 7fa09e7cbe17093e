// Invitations: Admins invite a person by email with a role and workspaces (`/invitations`), see the
// pending ones and revoke them; the invitee opens the one-time link (`/invitations/:secret`) and
// sets a password, proves the one of their existing account, or is sent to SSO when the
// organization requires it for their domain. The link is shown to the Admin once, and mailed when
// SMTP_URL is set.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  acceptInvitation,
  createInvitation,
  invitationView,
  openInvitation,
  revokeInvitation,
} from '../../accounts/invitations.ts';
import { isRole } from '../../auth/roles.ts';
import { hashToken } from '../../auth/token-format.ts';
import { isRosterError } from '../../errors.ts';
import { replaceSession } from '../../sign-in/sessions.ts';
import { field, fields } from '../../web/form-field.ts';
import { sendInvitation } from '../../web/send-invitation.ts';
import { CSRF_FIELD, formToken, sessionCookieOf, setSessionCookie } from '../../web/session.ts';
import { type Cell, copyable, day, errorBox, table } from '../components.ts';
import { adminViewerOf, type DashboardContext } from '../context.ts';
import { roleLabel, sentence } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { homePath } from '../navigation.ts';
import { csrfInput, redirect, sendPage } from '../render.ts';

const DELIVERY: Record<string, string> = {
  sent: 'We emailed it to them as well.',
  not_configured: 'Roster sends no mail on this server (no SMTP_URL): send them the link yourself.',
  failed: 'The mail could not be sent (the server log says why): send them the link yourself.',
};

export function invitationPages(app: FastifyInstance, ctx: DashboardContext): void {
  async function showList(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { error?: string; created?: SafeHtml; status?: number } = {},
  ) {
    const viewer = adminViewerOf(request);
    const invitations = (await ctx.store.invitations.list(viewer.organizationId)).map(invitationView);
    const workspaces = await ctx.store.workspaces.list(viewer.organizationId);
    const rows: Cell[][] = invitations.map((i) => [
      i.email,
      roleLabel(i.role),
      i.status,
      day(i.expiresAt),
      i.status === 'pending'
        ? html`<form method="post" action="/invitations/${i.id}/revoke" class="inline-form">${csrfInput(viewer)}<button type="submit" class="button-secondary">Revoke</button></form>`
        : '',
    ]);
    return sendPage(ctx, request, reply, {
      title: 'Invitations',
      currentPath: '/invitations',
      status: extra.status ?? 200,
      body: html`<h1>Invitations</h1>
        <p class="lead">Invite a person by email. The link works once, for seven days; a new person sets a password with it
          (or signs in with SSO when your organization requires it for their domain).</p>
        ${errorBox(extra.error)}
        ${extra.created ?? ''}
        <form method="post" action="/invitations" class="panel">
          <h2>Invite someone</h2>
          ${csrfInput(viewer)}
          <label for="invite-email">Email address</label>
          <input type="email" id="invite-email" name="email" required maxlength="320">
          <label for="invite-role">Role</label>
          <select id="invite-role" name="role">
            <option value="member">Member</option>
            <option value="admin">Admin</option>
          </select>
          <fieldset>
            <legend>Workspaces <span class="hint">Admins reach every workspace.</span></legend>
            ${workspaces.map(
              (w) =>
                html`<label class="checkbox"><input type="checkbox" name="workspaces" value="${w.id}"> ${w.name}</label>`,
            )}
          </fieldset>
          <div class="actions"><button type="submit">Create invitation</button></div>
        </form>
        <h2>Sent</h2>
        ${table('Invitations', ['Email', 'Role', 'Status', 'Expires', ''], rows, 'No invitations yet.')}`,
    });
  }

  app.get('/invitations', (request, reply) => showList(request, reply));

  app.post('/invitations', async (request, reply) => {
    const viewer = adminViewerOf(request);
    const role = field(request.body, 'role');
    try {
      const created = await createInvitation(ctx.store, {
        organizationId: viewer.organizationId,
        email: field(request.body, 'email'),
        role: isRole(role) ? role : 'member',
        workspaceIds: fields(request.body, 'workspaces'),
        actor: viewer.actor,
        requestId: request.id,
      });
      const sent = await sendInvitation(ctx.mailer, ctx.config.publicUrl, created, viewer.organizationName);
      // Shown in the answer to the POST, never stored: reloading the list does not show it again.
      return showList(request, reply, {
        status: 201,
        created: html`<section class="panel" aria-labelledby="created-heading">
          <h2 id="created-heading">Invitation for ${sent.email}</h2>
          ${copyable('invitation-link', 'Invitation link (shown once)', sent.url)}
          <p>${DELIVERY[sent.delivery]}</p>
        </section>`,
      });
    } catch (error) {
      if (isRosterError(error, 'invalid_value', 'conflict')) {
        return showList(request, reply, { error: sentence(error.message), status: error.status });
      }
      throw error;
    }
  });

  app.post<{ Params: { id: string } }>('/invitations/:id/revoke', async (request, reply) => {
    const viewer = adminViewerOf(request);
    await revokeInvitation(ctx.store, {
      organizationId: viewer.organizationId,
      id: request.params.id,
      actor: viewer.actor,
      requestId: request.id,
    });
    return redirect(reply, '/invitations');
  });

  async function showAccept(
    request: FastifyRequest<{ Params: { secret: string } }>,
    reply: FastifyReply,
    error?: string,
    status = 200,
  ) {
    const { invitation, organization, user, ssoRequired } = await openInvitation(
      ctx.store,
      request.params.secret,
    );
    const token = formToken(request, reply, ctx.secure);
    const action = `/invitations/${request.params.secret}`;
    const fields = ssoRequired
      ? html`<p>${organization.name} signs its people in with single sign-on: accept, then sign in with your identity provider.</p>`
      : user?.password_hash
        ? html`<p>You already have a Roster account. Enter its password to join ${organization.name}.</p>
          <label for="current-password">Password</label>
          <input type="password" id="current-password" name="currentPassword" required autocomplete="current-password">`
        : html`<label for="password">Choose a password <span class="hint">At least 12 characters, not a common one.</span></label>
          <input type="password" id="password" name="password" required minlength="12" autocomplete="new-password">
          <label for="password2">Repeat the password</label>
          <input type="password" id="password2" name="password2" required minlength="12" autocomplete="new-password">`;
    return sendPage(ctx, request, reply, {
      title: 'Accept your invitation',
      plain: true,
      status,
      body: html`<h1>Join ${organization.name}</h1>
        <p class="lead">${invitation.invited_by ? `${invitation.invited_by} invited` : 'You are invited as'} <strong>${invitation.email}</strong>
          ${invitation.invited_by ? ' as ' : ''}${roleLabel(invitation.role)}.</p>
        ${errorBox(error)}
        <form method="post" action="${action}">
          <input type="hidden" name="${CSRF_FIELD}" value="${token}">
          <input type="email" name="email" value="${invitation.email}" autocomplete="username" hidden readonly>
          ${fields}
          <div class="actions"><button type="submit">Accept invitation</button></div>
        </form>`,
    });
  }

  app.get<{ Params: { secret: string } }>('/invitations/:secret', (request, reply) =>
    showAccept(request, reply),
  );

  app.post<{ Params: { secret: string } }>(
    '/invitations/:secret',
    { config: { preSession: true } },
    async (request, reply) => {
      const password = field(request.body, 'password');
      if (password !== '' && password !== field(request.body, 'password2')) {
        return showAccept(request, reply, 'The two passwords are not the same.', 400);
      }
      try {
        const accepted = await acceptInvitation(ctx.store, {
          secret: request.params.secret,
          ...(password !== '' ? { newPassword: password } : {}),
          currentPassword: field(request.body, 'currentPassword'),
          requestId: request.id,
        });
        if (accepted.ssoRequired) {
          return redirect(reply, `/saml/${encodeURIComponent(accepted.organization.slug)}/login`);
        }
        const old = sessionCookieOf(request);
        const session = await replaceSession(ctx.store, old ? hashToken(old) : null, accepted.member);
        setSessionCookie(reply, session.cookie, ctx.secure);
        return redirect(reply, `${homePath({ isAdmin: accepted.member.role === 'admin' })}?welcome=1`);
      } catch (error) {
        if (isRosterError(error, 'invalid_value', 'conflict')) {
          return showAccept(request, reply, sentence(error.message), error.status);
        }
        throw error;
      }
    },
  );
}
