// Settings → Account → Personal access tokens, and Settings → Organization → Service access tokens:
// generate (name, role, optional expiry; post/redirect/get, the value shown once with a copy button
// on the page the form leads to, see token-reveal.ts), list (name,
// role, created, last used, last four characters) and revoke after a confirmation page.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type CreatedToken,
  createToken,
  listTokens,
  revokeToken,
  type TokenView,
} from '../../accounts/tokens.ts';
import type { TokenKind } from '../../auth/token-format.ts';
import { isRosterError, RosterError } from '../../errors.ts';
import { field } from '../../web/form-field.ts';
import { type Cell, day, errorBox, notice, roleBadge, table } from '../components.ts';
import { adminViewerOf, type DashboardContext, queryValue, type Viewer, viewerOf } from '../context.ts';
import { formatDate, sentence } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfInput, redirect, sendPage } from '../render.ts';
import {
  claimForm,
  holdForReveal,
  isFormNonce,
  newFormNonce,
  releaseForm,
  takeReveal,
} from '../token-reveal.ts';

type Scope = 'account' | 'organization';

const PATHS: Record<Scope, string> = {
  account: '/settings/account/tokens',
  organization: '/settings/organization/tokens',
};

const TITLES: Record<Scope, string> = {
  account: 'Personal access tokens',
  organization: 'Service access tokens',
};

/** `<input type=date>` gives a day; the token works until the end of that day (UTC). */
export function expiryOf(value: string): string | null {
  const day = value.trim();
  if (day === '') return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(day))) {
    throw new RosterError('invalid_value', 'the expiry must be a date such as 2030-12-31');
  }
  return `${day}T23:59:59.999Z`;
}

function tokenState(token: TokenView): SafeHtml {
  if (token.revokedAt) return html`<span class="badge badge-deactivated">Revoked</span>`;
  if (token.expiresAt && Date.parse(token.expiresAt) <= Date.now())
    return html`<span class="badge badge-deactivated">Expired</span>`;
  return html`<span class="badge badge-active">Active</span>${
    token.expiresAt && html`<br><span class="muted">until ${formatDate(token.expiresAt)}</span>`
  }`;
}

function tokenRows(scope: Scope, tokens: readonly TokenView[], owners: Map<string, string>): Cell[][] {
  return tokens.map((token) => [
    html`${token.name}${token.kind === 'personal' && scope === 'organization' ? html`<br><span class="muted">${owners.get(token.membershipId ?? '') ?? ''}</span>` : ''}`,
    roleBadge(token.role),
    day(token.createdAt),
    day(token.lastUsedAt, 'Never'),
    { content: `…${token.lastFour}`, className: 'mono' },
    tokenState(token),
    token.revokedAt
      ? ''
      : html`<a class="button button-secondary button-small" href="${PATHS[scope]}/${token.id}/revoke">Revoke<span class="visually-hidden"> ${token.name}</span></a>`,
  ]);
}

function generateForm(scope: Scope, viewer: Viewer, values: { name: string; role: string; expires: string }) {
  // A new nonce per form shown: its POST mints one token at most (see token-reveal.ts).
  const roleField =
    scope === 'organization'
      ? html`<label for="token-role">Role</label>
        <select id="token-role" name="role"><option value="admin" selected>Admin</option></select>
        <span class="hint">Service access tokens always have the Admin role.</span>`
      : html`<label for="token-role">Role</label>
        <select id="token-role" name="role">
          ${viewer.isAdmin && html`<option value="admin"${values.role === 'admin' ? html` selected` : ''}>Admin</option>`}
          <option value="member"${values.role !== 'admin' ? html` selected` : ''}>Member</option>
        </select>
        <span class="hint">${
          viewer.isAdmin
            ? 'Use Admin for an identity provider (Okta, Entra ID). A token never has more rights than you.'
            : 'Your role is Member, so your tokens have the Member role.'
        }</span>`;
  return html`<form method="post" action="${PATHS[scope]}" class="panel">
    <h2>Generate new token</h2>
    ${csrfInput(viewer)}
    <input type="hidden" name="nonce" value="${newFormNonce()}">
    <label for="token-name">Name <span class="hint">What it is for, e.g. "Okta provisioning".</span></label>
    <input type="text" id="token-name" name="name" required maxlength="100" value="${values.name}">
    ${roleField}
    <label for="token-expires">Expires on <span class="hint">Optional. The token stops working at the end of that day (UTC).</span></label>
    <input type="date" id="token-expires" name="expires" value="${values.expires}">
    <div class="actions"><button type="submit">Generate token</button></div>
  </form>`;
}

function shownOnce(created: Pick<CreatedToken, 'name' | 'token'>): SafeHtml {
  return html`<section class="warning" aria-labelledby="new-token-heading">
    <h2 id="new-token-heading">Your new token "${created.name}"</h2>
    <p><strong>Copy it now: you will not be able to see it again.</strong> Roster keeps only a hash of it.</p>
    <div class="secret">
      <label for="new-token" class="visually-hidden">New token value</label>
      <input type="text" id="new-token" readonly value="${created.token}" autocomplete="off" spellcheck="false">
      <button type="button" data-copy-target="new-token" data-copy-status="copy-status">Copy</button>
      <span id="copy-status" class="copy-status" role="status" aria-live="polite"></span>
    </div>
  </section>`;
}

export function tokenPages(app: FastifyInstance, ctx: DashboardContext): void {
  const viewerFor = (scope: Scope, request: FastifyRequest) =>
    scope === 'organization' ? adminViewerOf(request) : viewerOf(request);

  async function tokensOf(scope: Scope, viewer: Viewer): Promise<TokenView[]> {
    if (scope === 'account') {
      if (!viewer.membershipId) return [];
      return listTokens(ctx.store, viewer.organizationId, {
        kind: 'personal',
        membershipId: viewer.membershipId,
      });
    }
    const all = await listTokens(ctx.store, viewer.organizationId);
    return [...all.filter((t) => t.kind === 'service'), ...all.filter((t) => t.kind === 'personal')];
  }

  async function ownerNames(
    tokens: readonly TokenView[],
    organizationId: string,
  ): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    for (const id of new Set(tokens.map((t) => t.membershipId).filter((id): id is string => id !== null))) {
      const member = await ctx.store.members.getById(organizationId, id);
      if (member) names.set(id, member.user_name);
    }
    return names;
  }

  async function showList(
    scope: Scope,
    request: FastifyRequest,
    reply: FastifyReply,
    extra: {
      error?: string;
      values?: { name: string; role: string; expires: string };
      status?: number;
    },
  ) {
    const viewer = viewerFor(scope, request);
    const tokens = await tokensOf(scope, viewer);
    const revoked = tokens.find((t) => t.id === queryValue(request, 'revoked'));
    // Post/redirect/get: the page the "Generate token" POST leads to shows the value, once.
    const created = tokens.find((t) => t.id === queryValue(request, 'created'));
    const value = created ? await takeReveal(ctx.store, request, viewer, created.id) : undefined;
    const resent = queryValue(request, 'resent') === '1';
    const head = ['Name', 'Role', 'Created', 'Last used', 'Ends with', 'Status', 'Actions'];
    const owners = scope === 'organization' ? await ownerNames(tokens, viewer.organizationId) : new Map();
    const service = tokens.filter((t) => t.kind === 'service');
    const personal = tokens.filter((t) => t.kind === 'personal');
    const lists =
      scope === 'account'
        ? table(
            'Your personal access tokens',
            head,
            tokenRows(scope, personal, owners),
            'You have no personal access tokens yet.',
          )
        : html`${table('Service access tokens', head, tokenRows(scope, service, owners), 'No service access tokens yet.')}
          <h2>Members' personal access tokens</h2>
          <p class="muted">Every personal access token of the organization. Revoke one here if it leaked or its owner left.</p>
          ${table("Members' personal access tokens", head, tokenRows(scope, personal, owners), 'No member has a personal access token.')}`;
    const intro =
      scope === 'account'
        ? html`<p class="lead">Tokens that act as you in <strong>${viewer.organizationName}</strong>, for the REST API and SCIM. A token's effective role is the lower of its own role and yours, and it stops working if you are deactivated.</p>`
        : html`<p class="lead">Organization-level tokens with the Admin role, not tied to a person: use one for Okta or Entra ID provisioning so that it keeps working when the admin who set it up leaves.</p>`;
    return sendPage(ctx, request, reply, {
      title: TITLES[scope],
      currentPath: PATHS[scope],
      status: extra.status ?? 200,
      body: html`<h1>${TITLES[scope]}</h1>
        ${intro}
        ${revoked && notice(`The token "${revoked.name}" was revoked. Requests using it are now refused.`)}
        ${created && value && shownOnce({ name: created.name, token: value })}
        ${created && !value && notice(`The token "${created.name}" was generated. Its value was shown once and cannot be shown again.`)}
        ${resent && notice("This form was already sent: no other token was generated. A token's value is shown once only.")}
        ${errorBox(extra.error)}
        ${lists}
        ${generateForm(scope, viewer, extra.values ?? { name: '', role: scope === 'organization' ? 'admin' : 'member', expires: '' })}`,
    });
  }

  for (const scope of ['account', 'organization'] as const) {
    const kind: TokenKind = scope === 'account' ? 'personal' : 'service';

    app.get(PATHS[scope], (request, reply) => showList(scope, request, reply, {}));

    app.post(PATHS[scope], async (request, reply) => {
      const viewer = viewerFor(scope, request);
      const values = {
        name: field(request.body, 'name'),
        role: field(request.body, 'role'),
        expires: field(request.body, 'expires'),
      };
      // A form without a nonce (a script of its own) still gets post/redirect/get.
      const sent = field(request.body, 'nonce');
      const nonce = isFormNonce(sent) ? sent : newFormNonce();
      if (!(await claimForm(ctx.store, viewer, nonce))) return redirect(reply, `${PATHS[scope]}?resent=1`);
      try {
        const created = await createToken(ctx.store, {
          kind,
          organizationId: viewer.organizationId,
          ...(kind === 'personal' && viewer.membershipId ? { membershipId: viewer.membershipId } : {}),
          name: values.name,
          role: values.role as 'admin' | 'member',
          expiresAt: expiryOf(values.expires),
          actor: viewer.actor,
          requestId: request.id,
        });
        await holdForReveal(ctx.store, request, viewer, nonce, { id: created.id, value: created.token });
        return redirect(reply, `${PATHS[scope]}?created=${encodeURIComponent(created.id)}`);
      } catch (error) {
        // Nothing was minted: the same form may be corrected and sent again.
        await releaseForm(ctx.store, viewer, nonce);
        if (isRosterError(error, 'invalid_value', 'forbidden')) {
          const status = error.status;
          return showList(scope, request, reply, { error: sentence(error.message), values, status });
        }
        throw error;
      }
    });

    app.get<{ Params: { id: string } }>(`${PATHS[scope]}/:id/revoke`, async (request, reply) => {
      const viewer = viewerFor(scope, request);
      const token = (await tokensOf(scope, viewer)).find((t) => t.id === request.params.id);
      if (!token) throw new RosterError('not_found', 'There is no such token.');
      const what = token.kind === 'service' ? 'service access token' : 'personal access token';
      return sendPage(ctx, request, reply, {
        title: `Revoke ${token.name}`,
        currentPath: PATHS[scope],
        body: html`<h1>Revoke the token "${token.name}"?</h1>
          <p>This ${what} (role ${token.role === 'admin' ? 'Admin' : 'Member'}, ending in <span class="mono">…${token.lastFour}</span>)
          stops working at once: anything using it, such as an identity provider, gets 401 errors. This cannot be undone.</p>
          ${token.revokedAt ? html`<p class="notice">It is already revoked.</p>` : ''}
          <form method="post" action="${PATHS[scope]}/${token.id}/revoke" class="actions">
            ${csrfInput(viewer)}
            <button type="submit" class="button-danger">Revoke token</button>
            <a class="button button-secondary" href="${PATHS[scope]}">Cancel</a>
          </form>`,
      });
    });

    app.post<{ Params: { id: string } }>(`${PATHS[scope]}/:id/revoke`, async (request, reply) => {
      const viewer = viewerFor(scope, request);
      await revokeToken(ctx.store, {
        id: request.params.id,
        organizationId: viewer.organizationId,
        ...(viewer.membershipId ? { membershipId: viewer.membershipId } : {}),
        asAdmin: scope === 'organization',
        actor: viewer.actor,
        requestId: request.id,
      });
      return redirect(reply, `${PATHS[scope]}?revoked=${encodeURIComponent(request.params.id)}`);
    });
  }
}
