// First run: on an installation without any organization, /setup creates the first one with its
// Admin (the same use case as `roster init`) and signs that Admin in. Once an organization exists
// the page is gone (404); the check is repeated inside the creating transaction (`onlyIfFirst`), so
// two people racing through setup cannot both succeed.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AlreadySetUpError, initOrganization } from '../../accounts/organizations.ts';
import { isRosterError, RosterError } from '../../errors.ts';
import { startSession } from '../../sign-in/sessions.ts';
import { field } from '../../web/form-field.ts';
import { CSRF_FIELD, formToken, setSessionCookie } from '../../web/session.ts';
import { errorBox } from '../components.ts';
import type { DashboardContext } from '../context.ts';
import { sentence } from '../format.ts';
import { html } from '../html.ts';
import { redirect, sendPage } from '../render.ts';

interface SetupValues {
  name: string;
  slug: string;
  givenName: string;
  familyName: string;
  email: string;
}

function notFound(): RosterError {
  return new RosterError('not_found', 'Roster is already set up. Sign in instead.');
}

function setupForm(token: string, values: SetupValues, error?: string) {
  return html`<h1>Set up Roster</h1>
    <p class="lead">Create your organization and its first Admin. You can connect your identity provider next.</p>
    ${errorBox(error)}
    <form method="post" action="/setup" novalidate>
      <input type="hidden" name="${CSRF_FIELD}" value="${token}">
      <label for="name">Organization name</label>
      <input type="text" id="name" name="name" required maxlength="200" value="${values.name}" autocomplete="organization">
      <label for="slug">Slug <span class="hint">Optional. Lowercase letters, digits and dashes; derived from the name when empty.</span></label>
      <input type="text" id="slug" name="slug" maxlength="63" pattern="[a-z0-9-]*" value="${values.slug}" autocomplete="off">
      <label for="given-name">Your first name <span class="hint">Shown to your identity provider as the first person of the organization.</span></label>
      <input type="text" id="given-name" name="givenName" required maxlength="200" value="${values.givenName}" autocomplete="given-name">
      <label for="family-name">Your last name</label>
      <input type="text" id="family-name" name="familyName" maxlength="200" value="${values.familyName}" autocomplete="family-name">
      <label for="email">Your email address</label>
      <input type="email" id="email" name="email" required value="${values.email}" autocomplete="username">
      <label for="password">Password <span class="hint">At least 12 characters.</span></label>
      <input type="password" id="password" name="password" required minlength="12" autocomplete="new-password">
      <label for="password2">Repeat the password</label>
      <input type="password" id="password2" name="password2" required minlength="12" autocomplete="new-password">
      <div class="actions"><button type="submit">Create organization</button></div>
    </form>
    <p class="muted">Prefer the command line? <code>npx roster init --org-name "Acme Inc" --admin-name "Ada Lovelace" --admin-email you@example.com</code></p>`;
}

export function setupPages(app: FastifyInstance, ctx: DashboardContext): void {
  const isSetUp = async () => (await ctx.store.organizations.count()) > 0;

  const show = (
    request: FastifyRequest,
    reply: FastifyReply,
    values: SetupValues,
    error?: string,
    status = 200,
  ) =>
    sendPage(ctx, request, reply, {
      title: 'Set up Roster',
      plain: true,
      status,
      body: setupForm(formToken(request, reply, ctx.secure), values, error),
    });

  app.get('/setup', async (request, reply) => {
    if (await isSetUp()) throw notFound();
    return show(request, reply, { name: '', slug: '', givenName: '', familyName: '', email: '' });
  });

  app.post('/setup', { config: { preSession: true } }, async (request, reply) => {
    if (await isSetUp()) throw notFound();
    const values = {
      name: field(request.body, 'name'),
      slug: field(request.body, 'slug').trim(),
      givenName: field(request.body, 'givenName'),
      familyName: field(request.body, 'familyName'),
      email: field(request.body, 'email').trim(),
    };
    const password = field(request.body, 'password');
    if (password !== field(request.body, 'password2')) {
      return show(request, reply, values, 'The two passwords are not the same.', 400);
    }
    try {
      const created = await initOrganization(ctx.store, {
        name: values.name,
        ...(values.slug ? { slug: values.slug } : {}),
        adminEmail: values.email,
        adminName: { givenName: values.givenName, familyName: values.familyName },
        adminPassword: password,
        actor: { type: 'system', id: null, label: 'first-run setup' },
        requestId: request.id,
        onlyIfFirst: true,
      });
      const session = await ctx.store.transaction((tx) => startSession(tx, created.membership));
      setSessionCookie(reply, session.cookie, ctx.secure);
      return redirect(reply, '/settings/organization/scim?welcome=1');
    } catch (error) {
      if (error instanceof AlreadySetUpError) throw notFound();
      if (isRosterError(error, 'invalid_value', 'conflict')) {
        return show(request, reply, values, sentence(error.message), 400);
      }
      throw error;
    }
  });
}
