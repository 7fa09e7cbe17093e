// Groups: what the organization's identity provider pushed over SCIM (Okta Group Push, Entra
// groups), each with its member count, and a group's members. Read-only: the IdP owns groups.
import type { FastifyInstance } from 'fastify';
import { RosterError } from '../../errors.ts';
import { type Cell, table, time } from '../components.ts';
import { adminViewerOf, type DashboardContext } from '../context.ts';
import { html } from '../html.ts';
import { sendPage } from '../render.ts';

/** Groups on the list page, and members on a group's page, shown at most. */
const SHOWN = 200;

export function groupPages(app: FastifyInstance, ctx: DashboardContext): void {
  app.get('/groups', async (request, reply) => {
    const viewer = adminViewerOf(request);
    const [groups, total] = await Promise.all([
      ctx.store.groups.list(viewer.organizationId, {}, 0, SHOWN),
      ctx.store.groups.count(viewer.organizationId, {}),
    ]);
    const rows: Cell[][] = groups.map((group) => [
      html`<a href="/groups/${group.id}">${group.display_name}</a>`,
      String(group.member_count),
      group.external_id ?? '',
      time(group.updated_at),
    ]);
    return sendPage(ctx, request, reply, {
      title: 'Groups',
      currentPath: '/groups',
      body: html`<h1>Groups</h1>
        <p class="lead">The groups your identity provider pushes over SCIM (Okta Group Push, Microsoft Entra ID
          groups), with their members. They change only through the identity provider.</p>
        ${total > SHOWN ? html`<p class="muted">Showing the first ${SHOWN} of ${total}.</p>` : ''}
        ${table('Groups', ['Group', 'Members', 'External id', 'Last changed'], rows, 'No group has been pushed yet. Turn on Push Groups in Okta, or group provisioning in Entra ID (see the SCIM page).')}`,
    });
  });

  app.get<{ Params: { id: string } }>('/groups/:id', async (request, reply) => {
    const viewer = adminViewerOf(request);
    const group = await ctx.store.groups.getById(viewer.organizationId, request.params.id);
    if (!group) throw new RosterError('not_found', 'There is no such group in this organization.');
    const members = await ctx.store.groups.members(group.id, SHOWN);
    const rows: Cell[][] = members.map((member) => [
      html`<a href="/members/${member.membershipId}">${member.display}</a>`,
    ]);
    return sendPage(ctx, request, reply, {
      title: group.display_name,
      currentPath: '/groups',
      body: html`<p><a href="/groups">← Groups</a></p>
        <h1>${group.display_name}</h1>
        <p class="muted">${group.external_id ? html`External id <code>${group.external_id}</code> · ` : ''}created ${time(group.created_at)} · last changed ${time(group.updated_at)}</p>
        <h2>Members <span class="muted">(${group.member_count})</span></h2>
        ${group.member_count > SHOWN ? html`<p class="muted">Showing the first ${SHOWN}.</p>` : ''}
        ${table('Members', ['Member'], rows, 'The group has no members.')}`,
    });
  });
}
