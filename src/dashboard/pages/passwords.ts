// Passwords: change your own (`/settings/account/password`; your other sessions end), ask for a
// reset link by email (`/reset-password`), set a new password with one (`/reset-password/:secret`;
// every session ends), and an Admin's "Send a password reset link" on a member's page.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  changePassword,
  createPasswordReset,
  openPasswordReset,
  resetPassword,
} from '../../accounts/passwords.ts';
import { UNAUTHENTICATED_ACTOR } from '../../audit/record-audit.ts';
import { isRosterError, RosterError } from '../../errors.ts';
import { passwordResetMail } from '../../mail/messages.ts';
import { field } from '../../web/form-field.ts';
import { linkUrl } from '../../web/link-paths.ts';
import { CSRF_FIELD, formToken } from '../../web/session.ts';
import { copyable, errorBox, notice } from '../components.ts';
import { adminViewerOf, type DashboardContext, queryValue, viewerOf } from '../context.ts';
import { sentence } from '../format.ts';
import { html } from '../html.ts';
import { csrfInput, redirect, sendPage } from '../render.ts';

const NEW_PASSWORD_FIELDS = html`<label for="new-password">New password <span class="hint">At least 12 characters, not a common one.</span></label>
  <input type="password" id="new-password" name="newPassword" required minlength="12" autocomplete="new-password">
  <label for="new-password2">Repeat the new password</label>
  <input type="password" id="new-password2" name="newPassword2" required minlength="12" autocomplete="new-password">`;

function repeated(body: unknown): string {
  const password = field(body, 'newPassword');
  if (password !== field(body, 'newPassword2')) {
    throw new RosterError('invalid_value', 'the two passwords are not the same');
  }
  return password;
}

export function passwordPages(app: FastifyInstance, ctx: DashboardContext): void {
  function showChange(request: FastifyRequest, reply: FastifyReply, error?: string, status = 200) {
    const viewer = viewerOf(request);
    const changed = queryValue(request, 'changed') === '1';
    return sendPage(ctx, request, reply, {
      title: 'Password',
      currentPath: '/settings/account/password',
      status,
      body: html`<h1>Password</h1>
        ${notice(changed ? 'Your password is changed. Your other sessions have ended.' : undefined)}
        ${errorBox(error)}
        <form method="post" action="/settings/account/password" class="panel">
          ${csrfInput(viewer)}
          <input type="email" name="email" value="${viewer.email}" autocomplete="username" hidden readonly>
          <label for="current-password">Current password</label>
          <input type="password" id="current-password" name="currentPassword" required autocomplete="current-password">
          ${NEW_PASSWORD_FIELDS}
          <p class="hint">Changing it signs you out everywhere else, in every organization.</p>
          <div class="actions"><button type="submit">Change password</button></div>
        </form>`,
    });
  }

  app.get('/settings/account/password', (request, reply) => showChange(request, reply));

  app.post('/settings/account/password', async (request, reply) => {
    const viewer = viewerOf(request);
    try {
      await changePassword(ctx.store, {
        userId: viewer.userId ?? '',
        currentPassword: field(request.body, 'currentPassword'),
        newPassword: repeated(request.body),
        sessionHash: viewer.session.id_hash,
        actor: viewer.actor,
        requestId: request.id,
      });
      return redirect(reply, '/settings/account/password?changed=1');
    } catch (error) {
      if (isRosterError(error, 'invalid_value'))
        return showChange(request, reply, sentence(error.message), 400);
      throw error;
    }
  });

  function showRequest(request: FastifyRequest, reply: FastifyReply, sent = false) {
    return sendPage(ctx, request, reply, {
      title: 'Reset your password',
      plain: true,
      body: html`<h1>Reset your password</h1>
        ${
          sent
            ? notice(
                'If an account has this email address, a link to choose a new password is on its way. It works once, for an hour.',
              )
            : ctx.mailer.configured
              ? html`<p class="lead">Enter your email address: we send you a link to choose a new password.</p>`
              : html`<p class="lead">This Roster server sends no mail. Ask an Admin of your organization for a reset link.</p>`
        }
        ${
          ctx.mailer.configured &&
          !sent &&
          html`<form method="post" action="/reset-password">
            <input type="hidden" name="${CSRF_FIELD}" value="${formToken(request, reply, ctx.secure)}">
            <label for="email">Email address</label>
            <input type="email" id="email" name="email" required autocomplete="username">
            <div class="actions"><button type="submit">Send the link</button></div>
          </form>`
        }
        <p><a href="/signin">Back to sign-in</a></p>`,
    });
  }

  app.get('/reset-password', (request, reply) => showRequest(request, reply));

  app.post('/reset-password', { config: { preSession: true } }, async (request, reply) => {
    if (!ctx.mailer.configured) return showRequest(request, reply);
    // The same answer whether or not the account exists, and whether or not this hour's links ran out.
    const reset = await createPasswordReset(ctx.store, {
      email: field(request.body, 'email'),
      actor: UNAUTHENTICATED_ACTOR,
      requestId: request.id,
    });
    if (reset) {
      const url = linkUrl(ctx.config.publicUrl, 'passwordReset', reset.secret);
      await ctx.mailer.send(passwordResetMail({ to: reset.user.email, url, expiresAt: reset.expiresAt }));
    }
    return showRequest(request, reply, true);
  });

  async function showReset(
    request: FastifyRequest<{ Params: { secret: string } }>,
    reply: FastifyReply,
    error?: string,
    status = 200,
  ) {
    const user = await openPasswordReset(ctx.store, request.params.secret);
    return sendPage(ctx, request, reply, {
      title: 'Choose a new password',
      plain: true,
      status,
      body: html`<h1>Choose a new password</h1>
        <p class="lead">For <strong>${user.email}</strong>. Every session of yours ends when it is set.</p>
        ${errorBox(error)}
        <form method="post" action="/reset-password/${request.params.secret}">
          <input type="hidden" name="${CSRF_FIELD}" value="${formToken(request, reply, ctx.secure)}">
          <input type="email" name="email" value="${user.email}" autocomplete="username" hidden readonly>
          ${NEW_PASSWORD_FIELDS}
          <div class="actions"><button type="submit">Set the new password</button></div>
        </form>`,
    });
  }

  app.get<{ Params: { secret: string } }>('/reset-password/:secret', (request, reply) =>
    showReset(request, reply),
  );

  app.post<{ Params: { secret: string } }>(
    '/reset-password/:secret',
    { config: { preSession: true } },
    async (request, reply) => {
      try {
        await resetPassword(ctx.store, {
          secret: request.params.secret,
          newPassword: repeated(request.body),
          requestId: request.id,
        });
        return redirect(reply, '/signin?reset=1');
      } catch (error) {
        if (isRosterError(error, 'invalid_value'))
          return showReset(request, reply, sentence(error.message), 400);
        throw error;
      }
    },
  );

  app.post<{ Params: { id: string } }>('/members/:id/password-reset', async (request, reply) => {
    const viewer = adminViewerOf(request);
    const member = await ctx.store.members.getById(viewer.organizationId, request.params.id);
    if (!member) throw new RosterError('not_found', 'no such member in this organization');
    const reset = await createPasswordReset(ctx.store, {
      userId: member.user_id,
      actor: viewer.actor,
      requestId: request.id,
    });
    if (!reset) {
      throw new RosterError(
        'conflict',
        'this person was sent five reset links in the last hour: wait, then try again',
      );
    }
    const url = linkUrl(ctx.config.publicUrl, 'passwordReset', reset.secret);
    const delivery = await ctx.mailer.send(
      passwordResetMail({ to: reset.user.email, url, expiresAt: reset.expiresAt }),
    );
    return sendPage(ctx, request, reply, {
      title: 'Password reset link',
      currentPath: '/members',
      status: 201,
      body: html`<h1>Password reset link for ${reset.user.email}</h1>
        ${copyable('reset-link', 'Reset link (shown once; it works once, for an hour)', url)}
        <p>${delivery === 'sent' ? 'We emailed it to them as well.' : 'Roster could not mail it: send it to them yourself.'}</p>
        <p><a href="/members/${member.id}">Back to the member</a></p>`,
    });
  });
}
