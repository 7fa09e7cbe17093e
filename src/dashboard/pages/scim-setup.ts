// Settings → Organization → SCIM provisioning: what to paste into Okta, what Roster supports, the
// steps, the "Email changes from the identity provider" setting, and the latest SCIM requests of
// the organization (see web/scim-request-log.ts) with the person each was about, the last day's
// errors at a glance, and a filter to the refused and failed ones (`?outcome=error`).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { setEmailChangePolicy } from '../../accounts/email-change-policy.ts';
import { isRosterError } from '../../errors.ts';
import type { ScimRequestCounts, ScimRequestRecord } from '../../store/repos/scim-requests.ts';
import type { EmailChangePolicy } from '../../store/schema.ts';
import { field } from '../../web/form-field.ts';
import { SCIM_REQUESTS_DAYS, SCIM_REQUESTS_KEPT } from '../../web/scim-request-log.ts';
import { type Cell, errorBox, notice, table, time } from '../components.ts';
import { adminViewerOf, type DashboardContext, queryValue, type Viewer } from '../context.ts';
import { sentence } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfInput, redirect, sendPage } from '../render.ts';

const SCIM_SETUP_PATH = '/settings/organization/scim';

/** The path as a person reads it: `filter=userName eq "…"` rather than its percent-encoding. */
function readablePath(path: string): string {
  try {
    return decodeURIComponent(path.replace(/\+/g, ' '));
  } catch {
    return path;
  }
}

function requestRow(request: ScimRequestRecord): Cell[] {
  const failed = request.status >= 400;
  return [
    time(request.occurred_at),
    html`<span class="mono"><strong>${request.method}</strong> ${readablePath(request.path)}</span>${
      request.detail && html`<br><span class="detail-error">${request.detail}</span>`
    }${request.notice && html`<br><span class="detail-notice">${request.notice}</span>`}`,
    request.user_name
      ? html`<span class="mono">${request.user_name}</span>`
      : { content: '—', className: 'muted' },
    html`<span class="badge ${failed ? 'badge-error' : 'badge-active'}">${request.status}</span>${
      request.notice && html` <span class="badge badge-idp">email change refused</span>`
    }`,
    { content: request.user_agent ?? '', className: 'muted' },
  ];
}

function plural(count: number, word: string): string {
  return `${count.toLocaleString('en-US')} ${word}${count === 1 ? '' : 's'}`;
}

/** The last day at a glance, and the All / Errors only switch (plain links: no script needed). */
function requestsHeader(counts: ScimRequestCounts, errorsOnly: boolean): SafeHtml {
  const link = (outcome: 'all' | 'error', label: string) => {
    const current = (outcome === 'error') === errorsOnly;
    const href = `${SCIM_SETUP_PATH}${outcome === 'error' ? '?outcome=error' : ''}#requests-heading`;
    return html`<a href="${href}" class="button-secondary"${current ? html` aria-current="page"` : html``}>${label}</a>`;
  };
  return html`<p id="requests-last-day" class="${counts.errors > 0 ? 'detail-error' : 'muted'}">
      Last 24 hours: ${plural(counts.requests, 'request')}, <strong>${plural(counts.errors, 'error')}</strong>.</p>
    <nav class="filters" aria-label="Requests shown">
      <div class="filter-actions">${link('all', 'All requests')}${link('error', 'Errors only')}</div>
    </nav>`;
}

function checked(on: boolean): SafeHtml {
  return on ? html` checked` : html``;
}

function emailChangesForm(viewer: Viewer, policy: EmailChangePolicy): SafeHtml {
  return html`<form method="post" action="${SCIM_SETUP_PATH}" class="panel" aria-labelledby="email-changes-heading">
    ${csrfInput(viewer)}
    <h2 id="email-changes-heading">Email changes from the identity provider</h2>
    <p>When your identity provider changes a member's email address or userName:</p>
    <label class="choice"><input type="radio" name="emailChanges" value="refuse"${checked(policy === 'refuse')}>
      <span><strong>Refuse</strong> (default): the email and userName stay as stored; the update is refused (400) and the identity provider shows the error.
      A deactivation is always applied, even when it carries a changed email: the email change is then not stored, and is marked below.</span></label>
    <label class="choice"><input type="radio" name="emailChanges" value="follow"${checked(policy === 'follow')}>
      <span><strong>Follow the identity provider</strong>: the new email and userName replace the ones of this organization's member, unless another member
      of ${viewer.organizationName} already has them (409). The person's Roster account, and their other organizations, keep their email.</span></label>
    <div class="actions"><button type="submit">Save</button></div>
  </form>`;
}

/**
 * Okta's steps for a custom app integration made with the App Integration Wizard: the flow a
 * customer's own Okta org uses for Roster (not the catalog's "Configure API Integration"). They are
 * docs/okta.md's "Configure Okta" steps, control for control; test/docs.test.ts compares the two.
 */
export const OKTA_STEPS: readonly SafeHtml[] = [
  html`In the Okta Admin Console, open your Roster app integration → <strong>General</strong> → App Settings →
    <strong>Edit</strong>, choose <strong>SCIM</strong> under Provisioning, and <strong>Save</strong>.`,
  html`<strong>Provisioning</strong> tab → <strong>Integration</strong> → <strong>Edit</strong>: set
    <strong>SCIM connector base URL</strong> to the SCIM base URL above, <strong>Unique identifier field for users</strong> to
    <code>userName</code>, <strong>Supported provisioning actions</strong> to <strong>Push New Users</strong>,
    <strong>Push Profile Updates</strong> and <strong>Push Groups</strong>, <strong>Authentication Mode</strong> to <strong>HTTP Header</strong>, and paste your token
    into <strong>Authorization</strong>.`,
  html`Click <strong>Test Connector Configuration</strong>: Okta should find Create Users, Update User Attributes and
    Deactivate Users, and the request appears below. Then <strong>Save</strong>.`,
  html`<strong>Provisioning</strong> tab → <strong>To App</strong> → <strong>Edit</strong>: enable <strong>Create Users</strong>,
    <strong>Update User Attributes</strong> and <strong>Deactivate Users</strong>. Leave <strong>Sync Password</strong> off.
    <strong>Save</strong>.`,
  html`Assign people (or groups of people) on the <strong>Assignments</strong> tab: they appear under
    <a href="/members">Members</a>.`,
];

export function scimSetupPages(app: FastifyInstance, ctx: DashboardContext): void {
  async function show(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { error?: string; status?: number } = {},
  ) {
    const viewer = adminViewerOf(request);
    const baseUrl = `${ctx.config.publicUrl}/scim/v2`;
    const organization = await ctx.store.organizations.getById(viewer.organizationId);
    const policy = organization?.email_changes ?? 'refuse';
    const errorsOnly = queryValue(request, 'outcome') === 'error';
    const [recent, lastDay] = await Promise.all([
      ctx.scimRequestLog.recent(viewer.organizationId, { outcome: errorsOnly ? 'error' : 'all' }),
      ctx.scimRequestLog.lastDay(viewer.organizationId),
    ]);
    const welcome = queryValue(request, 'welcome') === '1';
    const saved = queryValue(request, 'saved') === '1';
    return sendPage(ctx, request, reply, {
      title: 'SCIM provisioning',
      currentPath: SCIM_SETUP_PATH,
      status: extra.status ?? 200,
      body: html`<h1>SCIM provisioning</h1>
        ${welcome && notice(`${viewer.organizationName} is ready. Next, connect your identity provider so that your people arrive here by themselves.`)}
        ${saved && notice('The setting was saved.')}
        ${errorBox(extra.error)}
        <p class="lead">Your identity provider (Okta, Microsoft Entra ID) creates, updates and deactivates the members of
          <strong>${viewer.organizationName}</strong> through Roster's SCIM 2.0 endpoint.</p>

        <section class="panel" aria-labelledby="connection-heading">
          <h2 id="connection-heading">Connection</h2>
          <label for="scim-base-url">SCIM base URL</label>
          <div class="secret">
            <input type="text" id="scim-base-url" readonly value="${baseUrl}">
            <button type="button" class="button-secondary" data-copy-target="scim-base-url" data-copy-status="base-url-status">Copy</button>
            <span id="base-url-status" class="copy-status" role="status" aria-live="polite"></span>
          </div>
          <p><strong>API token:</strong> generate a <a href="/settings/organization/tokens">service access token</a> (recommended: it keeps
            working when you leave), or a <a href="/settings/account/tokens">personal access token</a> with the <strong>Admin</strong> role.
            A token without the Admin role makes provisioning fail with 403.</p>
        </section>

        <section class="features" aria-label="Supported features">
          <div class="panel">
            <h2>Supported</h2>
            <ul>
              <li><strong>Create users</strong>: assigning the app creates the member, or links the person's existing Roster account.</li>
              <li><strong>Update user attributes</strong>: name and display name follow your identity provider. A changed email or userName is
                ${policy === 'follow' ? 'followed' : 'refused'} (see <a href="#email-changes-heading">Email changes</a> below).</li>
              <li><strong>Deactivate users</strong>: unassigning or deactivating the person deactivates the member; reassigning reactivates them.</li>
              <li><strong>Push groups</strong>: pushed groups, their names and their members are kept (Okta Group Push, Entra groups).</li>
              <li><strong>Entitlements</strong> (Okta Identity Governance): Okta discovers the Admin role and your workspaces and assigns them to people;
                turn on <strong>Governance Engine</strong> (<strong>Entitlement Management</strong>) on the app's General tab.</li>
            </ul>
          </div>
          <div class="panel">
            <h2>Not supported</h2>
            <ul>
              <li><strong>Import users</strong> and <strong>Import groups</strong></li>
              <li><strong>Remove users</strong>: Roster never deletes people. Deactivation revokes their role and workspace access at once and keeps their history; with SSO they cannot sign in anyway.</li>
              <li><strong>Password sync</strong>: passwords are never sent to Roster.</li>
            </ul>
          </div>
        </section>

        <section class="panel" aria-labelledby="okta-heading">
          <h2 id="okta-heading">Set up Okta</h2>
          <p>Roster is a custom app integration, made with Okta's App Integration Wizard (<strong>Applications → Create App Integration</strong>),
            not a catalog app. In its settings:</p>
          <ol class="steps">${OKTA_STEPS.map((step) => html`<li>${step}</li>`)}</ol>
          <p class="muted">Microsoft Entra ID: use the same base URL as the <strong>Tenant URL</strong> and the token as the <strong>Secret Token</strong>,
            and untick <strong>Delete</strong> under the target object actions.</p>
        </section>

        ${emailChangesForm(viewer, policy)}

        <h2 id="requests-heading">Recent requests from your identity provider</h2>
        <p class="muted">The latest ${recent.length === 0 ? '' : `${recent.length} `}${errorsOnly ? 'refused or failed' : 'authenticated'} SCIM
          requests for this organization, newest first. Roster keeps the newest ${SCIM_REQUESTS_KEPT.toLocaleString('en-US')} of the last
          ${SCIM_REQUESTS_DAYS} days; <code>GET /api/v1/scim-requests?outcome=error</code> returns the same.</p>
        ${requestsHeader(lastDay, errorsOnly)}
        ${table(
          errorsOnly ? 'Refused or failed SCIM requests' : 'Recent SCIM requests',
          ['Time', 'Request', 'Person', 'Status', 'User-Agent'],
          recent.map(requestRow),
          errorsOnly
            ? 'No refused or failed SCIM request is kept.'
            : 'No SCIM request yet. Click Test Connector Configuration in Okta, then reload this page.',
        )}`,
    });
  }

  app.get(SCIM_SETUP_PATH, (request, reply) => show(request, reply));

  app.post(SCIM_SETUP_PATH, async (request, reply) => {
    const viewer = adminViewerOf(request);
    try {
      await setEmailChangePolicy(ctx.store, {
        organizationId: viewer.organizationId,
        policy: field(request.body, 'emailChanges'),
        actor: viewer.actor,
        requestId: request.id,
      });
    } catch (error) {
      if (isRosterError(error, 'invalid_value')) {
        return show(request, reply, { error: sentence(error.message), status: 400 });
      }
      throw error;
    }
    return redirect(reply, `${SCIM_SETUP_PATH}?saved=1#email-changes-heading`);
  });
}
