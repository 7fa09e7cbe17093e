// Groups: what the organization's identity provider pushed over SCIM (Okta Group Push, Entra
// groups), each with its member count and what it gives its members, and a group's page with its
// members and its mapping. The IdP owns a group's name and members; an Admin maps it to the Admin
// role and/or workspaces here, and every member of the group is settled (docs/scim.md).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { groupNotFoundError, mapGroup, parseGroupMapping } from '../../accounts/group-mapping.ts';
import { isRosterError } from '../../errors.ts';
import { adminKeptAsLast, type KeptAdmin } from '../../membership/effective-access.ts';
import { field, fields } from '../../web/form-field.ts';
import { type Cell, errorBox, notice, table, time } from '../components.ts';
import { adminViewerOf, type DashboardContext, queryValue } from '../context.ts';
import { memberName, sentence } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfInput, redirect, sendPage } from '../render.ts';

/** Groups on the list page, and members on a group's page, shown at most. */
const SHOWN = 200;

/** What a group gives, in words: "Admin · Docs, Billing", or "Nothing". */
function gives(role: string | null, workspaces: readonly { name: string }[]): SafeHtml {
  const parts: SafeHtml[] = [];
  if (role === 'admin') parts.push(html`<span class="badge badge-admin">Admin</span>`);
  if (workspaces.length > 0) parts.push(html`${workspaces.map((w) => w.name).join(', ')}`);
  return parts.length === 0
    ? html`<span class="muted">Nothing</span>`
    : html`${parts.map((part, i) => html`${i > 0 ? ' · ' : ''}${part}`)}`;
}

/** The warning both pages show while a member holds Admin only because they were the last one. */
export function keptAdminWarning(kept: KeptAdmin | null): SafeHtml {
  if (!kept) return html``;
  const name = memberName(kept.member);
  return html`<div class="warning" role="status" data-warning="last-admin">
    <p><strong><a href="/members/${kept.member.id}">${name}</a> is this organization's last active Admin and kept the role.</strong>
      ${kept.groupName ? html`The identity provider's change to group <em>${kept.groupName}</em>` : 'The identity provider’s change'}
      would have left the organization without an active Admin (${time(kept.at)}), so Roster kept ${name} Admin as a direct grant.
      Make another member Admin (or map a group to Admin), then change ${name}'s role if they should not be Admin.</p>
  </div>`;
}

export function groupPages(app: FastifyInstance, ctx: DashboardContext): void {
  app.get('/groups', async (request, reply) => {
    const viewer = adminViewerOf(request);
    const [groups, total, kept] = await Promise.all([
      ctx.store.groups.list(viewer.organizationId, {}, 0, SHOWN),
      ctx.store.groups.count(viewer.organizationId, {}),
      adminKeptAsLast(ctx.store, viewer.organizationId),
    ]);
    const mapped = await ctx.store.groups.workspacesOfGroups(groups.map((g) => g.id));
    const rows: Cell[][] = groups.map((group) => [
      html`<a href="/groups/${group.id}">${group.display_name}</a>`,
      String(group.member_count),
      gives(
        group.role,
        mapped.filter((w) => w.groupId === group.id),
      ),
      group.external_id ?? '',
      time(group.updated_at),
    ]);
    return sendPage(ctx, request, reply, {
      title: 'Groups',
      currentPath: '/groups',
      body: html`<h1>Groups</h1>
        <p class="lead">The groups your identity provider pushes over SCIM (Okta Group Push, Microsoft Entra ID
          groups). Their names and members change only through the identity provider; what a group gives its
          members (the Admin role, workspaces) you map here, on the group's page.</p>
        ${keptAdminWarning(kept)}
        ${total > SHOWN ? html`<p class="muted">Showing the first ${SHOWN} of ${total}.</p>` : ''}
        ${table('Groups', ['Group', 'Members', 'Gives', 'External id', 'Last changed'], rows, 'No group has been pushed yet. Turn on Push Groups in Okta, or group provisioning in Entra ID (see the SCIM page).')}`,
    });
  });

  async function show(
    request: FastifyRequest<{ Params: { id: string } }>,
    reply: FastifyReply,
    extra: { error?: string; status?: number } = {},
  ) {
    const viewer = adminViewerOf(request);
    const group = await ctx.store.groups.getById(viewer.organizationId, request.params.id);
    if (!group) throw groupNotFoundError(request.params.id);
    const [members, mapped, workspaces, kept] = await Promise.all([
      ctx.store.groups.members(group.id, SHOWN),
      ctx.store.groups.workspacesOf(group.id),
      ctx.store.workspaces.list(viewer.organizationId),
      adminKeptAsLast(ctx.store, viewer.organizationId),
    ]);
    const given = new Set(mapped.map((w) => w.id));
    const rows: Cell[][] = members.map((member) => [
      html`<a href="/members/${member.membershipId}">${member.display}</a>`,
    ]);
    const updated =
      queryValue(request, 'updated') === 'mapping'
        ? 'The mapping was saved; every member of the group was updated.'
        : undefined;
    return sendPage(ctx, request, reply, {
      title: group.display_name,
      currentPath: '/groups',
      status: extra.status ?? 200,
      body: html`<p><a href="/groups">← Groups</a></p>
        <h1>${group.display_name}</h1>
        <p class="muted">${group.external_id ? html`External id <code>${group.external_id}</code> · ` : ''}created ${time(group.created_at)} · last changed ${time(group.updated_at)}</p>
        ${notice(updated)}
        ${errorBox(extra.error)}
        ${keptAdminWarning(kept)}
        <form method="post" action="/groups/${group.id}/mapping" class="panel" aria-labelledby="mapping-heading">
          <h2 id="mapping-heading">What this group gives its members</h2>
          ${csrfInput(viewer)}
          <p class="hint">Now: ${gives(group.role, mapped)}. Members get this while they are in the group, on top of
            what is granted to them directly; it is read-only on their page. Saving updates all
            ${group.member_count} members.</p>
          <label for="group-role">Organization role</label>
          <select id="group-role" name="role">
            <option value="none"${group.role === null ? html` selected` : ''}>No role (Members stay Members)</option>
            <option value="admin"${group.role === 'admin' ? html` selected` : ''}>Admin</option>
          </select>
          <fieldset>
            <legend>Workspaces <span class="hint">Admins reach every workspace.</span></legend>
            ${workspaces.map(
              (w) =>
                html`<label class="checkbox"><input type="checkbox" name="workspaces" value="${w.id}"${given.has(w.id) ? html` checked` : ''}> ${w.name}</label>`,
            )}
          </fieldset>
          <div class="actions"><button type="submit">Save mapping</button></div>
        </form>
        <h2>Members <span class="muted">(${group.member_count})</span></h2>
        <p class="muted">The identity provider decides who is in the group (read-only).</p>
        ${group.member_count > SHOWN ? html`<p class="muted">Showing the first ${SHOWN}.</p>` : ''}
        ${table('Members', ['Member'], rows, 'The group has no members.')}
        <p><a href="/audit?target=${group.id}">Audit log for this group</a></p>`,
    });
  }

  app.get<{ Params: { id: string } }>('/groups/:id', (request, reply) => show(request, reply));

  app.post<{ Params: { id: string } }>('/groups/:id/mapping', async (request, reply) => {
    const viewer = adminViewerOf(request);
    try {
      await mapGroup(ctx.store, {
        organizationId: viewer.organizationId,
        groupId: request.params.id,
        mapping: parseGroupMapping(field(request.body, 'role'), fields(request.body, 'workspaces')),
        actor: viewer.actor,
        requestId: request.id,
      });
    } catch (error) {
      if (isRosterError(error, 'invalid_value', 'conflict')) {
        return show(request, reply, { error: sentence(error.message), status: error.status });
      }
      throw error;
    }
    return redirect(reply, `/groups/${encodeURIComponent(request.params.id)}?updated=mapping`);
  });
}
