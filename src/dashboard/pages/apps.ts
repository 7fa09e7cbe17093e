// Settings → Apps: the products that sign their users in with Roster (OpenID Connect clients). Apps
// belong to the installation: the Admins of its first organization (the operator's own) register
// and revoke them here; other Admins are told who does. A new app's client secret is shown once, on
// the answer to the form (no-store), and only its hash is kept.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type AppView,
  createApp,
  isOperatorOrganization,
  issuerOf,
  listApps,
  revokeApp,
} from '../../accounts/apps.ts';
import { isRosterError } from '../../errors.ts';
import { field } from '../../web/form-field.ts';
import { type Cell, day, errorBox, notice, table } from '../components.ts';
import { adminViewerOf, type DashboardContext, queryValue, type Viewer } from '../context.ts';
import { sentence } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfInput, redirect, sendPage } from '../render.ts';

export const APPS_PATH = '/settings/installation/apps';

interface AppForm {
  name: string;
  redirectUris: string;
  postLogoutRedirectUris: string;
  backchannelLogoutUri: string;
}

const EMPTY: AppForm = { name: '', redirectUris: '', postLogoutRedirectUris: '', backchannelLogoutUri: '' };

function lines(value: string): string[] {
  return value
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

function appRows(viewer: Viewer, apps: readonly AppView[]): Cell[][] {
  return apps.map((app) => [
    app.name,
    html`<code>${app.clientId}</code>`,
    html`${app.redirectUris.map((uri) => html`<div>${uri}</div>`)}`,
    app.backchannelLogoutUri ?? html`<span class="muted">none</span>`,
    day(app.createdAt),
    app.revokedAt
      ? html`<span class="badge badge-deactivated">Revoked</span>`
      : html`<details><summary>Revoke…</summary>
          <form method="post" action="${APPS_PATH}/${app.clientId}/revoke">
            ${csrfInput(viewer)}
            <p>${app.name} will sign nobody in any more, and every token it holds stops working now.</p>
            <button type="submit" class="button-danger">Revoke ${app.name}</button>
          </form></details>`,
  ]);
}

function createForm(viewer: Viewer, form: AppForm): SafeHtml {
  return html`<form method="post" action="${APPS_PATH}" class="panel">
    <h2>Register an app</h2>
    ${csrfInput(viewer)}
    <label for="app-name">Name</label>
    <input type="text" id="app-name" name="name" required maxlength="100" value="${form.name}">
    <label for="app-redirect">Redirect URIs <span class="muted">(one per line)</span></label>
    <textarea id="app-redirect" name="redirect_uris" required rows="2">${form.redirectUris}</textarea>
    <label for="app-logout">Post-logout redirect URIs <span class="muted">(optional, one per line)</span></label>
    <textarea id="app-logout" name="post_logout_redirect_uris" rows="2">${form.postLogoutRedirectUris}</textarea>
    <label for="app-backchannel">Back-channel logout URI <span class="muted">(optional: told when a person's access ends)</span></label>
    <input type="text" inputmode="url" id="app-backchannel" name="backchannel_logout_uri" value="${form.backchannelLogoutUri}">
    <div class="actions"><button type="submit">Register app</button></div>
  </form>`;
}

export function appPages(app: FastifyInstance, ctx: DashboardContext): void {
  const issuer = issuerOf(ctx.config.publicUrl);

  async function show(
    request: FastifyRequest,
    reply: FastifyReply,
    input: {
      error?: string;
      form?: AppForm;
      status?: number;
      created?: { clientId: string; clientSecret: string; name: string };
    } = {},
  ) {
    const viewer = adminViewerOf(request);
    const operator = await isOperatorOrganization(ctx.store, viewer.organizationId);
    const intro = html`<h1>Apps</h1>
      <p class="lead">Products that sign their users in with Roster over OpenID Connect, and read each
      person's organization, role and workspaces from the token. Issuer: <code>${issuer}</code>.</p>`;
    if (!operator) {
      return sendPage(ctx, request, reply, {
        title: 'Apps',
        currentPath: APPS_PATH,
        body: html`${intro}<p class="panel">Apps belong to the whole installation: the Admins of its first
          organization register them, or its operator with <code>roster apps create</code>.</p>`,
      });
    }
    const apps = await listApps(ctx.store);
    const revoked = queryValue(request, 'revoked')
      ? 'The app was revoked: its sign-ins and tokens have ended.'
      : undefined;
    if (input.created) reply.header('cache-control', 'no-store');
    return sendPage(ctx, request, reply, {
      title: 'Apps',
      currentPath: APPS_PATH,
      status: input.status ?? 200,
      body: html`${intro}
        ${notice(revoked)}
        ${
          input.created &&
          html`<div class="panel" role="status">
            <h2>${input.created.name} is registered</h2>
            <p>Client ID: <code id="client-id">${input.created.clientId}</code></p>
            <p>Client secret — copy it now, it is not shown again:</p>
            <p><code id="client-secret">${input.created.clientSecret}</code></p>
          </div>`
        }
        ${errorBox(input.error)}
        ${table('Apps', ['Name', 'Client ID', 'Redirect URIs', 'Back-channel logout', 'Registered', ''], appRows(viewer, apps), 'No app signs in with Roster yet.')}
        ${createForm(viewer, input.form ?? EMPTY)}`,
    });
  }

  app.get(APPS_PATH, (request, reply) => show(request, reply));

  app.post(APPS_PATH, async (request, reply) => {
    const viewer = adminViewerOf(request);
    const form: AppForm = {
      name: field(request.body, 'name'),
      redirectUris: field(request.body, 'redirect_uris'),
      postLogoutRedirectUris: field(request.body, 'post_logout_redirect_uris'),
      backchannelLogoutUri: field(request.body, 'backchannel_logout_uri').trim(),
    };
    if (!(await isOperatorOrganization(ctx.store, viewer.organizationId))) return show(request, reply);
    try {
      const created = await createApp(ctx.store, {
        name: form.name,
        redirectUris: lines(form.redirectUris),
        postLogoutRedirectUris: lines(form.postLogoutRedirectUris),
        backchannelLogoutUri: form.backchannelLogoutUri || null,
      });
      return show(request, reply, { created });
    } catch (error) {
      if (isRosterError(error, 'invalid_value')) {
        return show(request, reply, { error: sentence(error.message), form, status: error.status });
      }
      throw error;
    }
  });

  app.post<{ Params: { id: string } }>(`${APPS_PATH}/:id/revoke`, async (request, reply) => {
    const viewer = adminViewerOf(request);
    if (!(await isOperatorOrganization(ctx.store, viewer.organizationId))) return show(request, reply);
    await revokeApp(ctx.store, request.params.id);
    return redirect(reply, `${APPS_PATH}?revoked=1`);
  });
}
