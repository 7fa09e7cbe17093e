// Workspaces: the list (Members see the ones they reach), create and rename (Admins), and who has
// access: every active Admin implicitly, plus the members granted access.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createWorkspace, renameWorkspace } from '../../accounts/manage-workspaces.ts';
import { reachableWorkspaces } from '../../accounts/workspaces.ts';
import { isRosterError, RosterError } from '../../errors.ts';
import type { MemberRow } from '../../store/repos/members.ts';
import { field } from '../../web/form-field.ts';
import { type Cell, errorBox, notice, statusBadge, table, time } from '../components.ts';
import { adminViewerOf, type DashboardContext, queryValue, viewerOf } from '../context.ts';
import { memberName, sentence } from '../format.ts';
import { html } from '../html.ts';
import { csrfInput, redirect, sendPage } from '../render.ts';

const SHOWN = 200;

function memberList(members: readonly MemberRow[]): Cell[][] {
  return members.map((m) => [
    html`<a href="/members/${m.id}">${memberName(m)}</a>`,
    m.user_name,
    statusBadge(m.status),
  ]);
}

export function workspacePages(app: FastifyInstance, ctx: DashboardContext): void {
  async function showList(
    request: FastifyRequest,
    reply: FastifyReply,
    error?: string,
    name = '',
    status = 200,
  ) {
    const viewer = viewerOf(request);
    const workspaces = await reachableWorkspaces(
      ctx.store,
      viewer.organizationId,
      viewer.membershipId,
      viewer.role,
    );
    const admins = viewer.isAdmin ? await ctx.store.members.countActiveAdmins(viewer.organizationId) : 0;
    const rows: Cell[][] = [];
    for (const workspace of workspaces) {
      const granted = viewer.isAdmin ? await ctx.store.workspaceGrants.countHolders(workspace.id) : 0;
      const name = html`${viewer.isAdmin ? html`<a href="/workspaces/${workspace.id}">${workspace.name}</a>` : workspace.name}${
        workspace.is_default === 1 && html` <span class="badge badge-member">Default</span>`
      }`;
      const access = `${admins} ${admins === 1 ? 'Admin' : 'Admins'} + ${granted} with access`;
      rows.push(
        viewer.isAdmin ? [name, access, time(workspace.created_at)] : [name, time(workspace.created_at)],
      );
    }
    const head = viewer.isAdmin ? ['Workspace', 'Who has access', 'Created'] : ['Workspace', 'Created'];
    return sendPage(ctx, request, reply, {
      title: 'Workspaces',
      currentPath: '/workspaces',
      status,
      body: html`<h1>Workspaces</h1>
        <p class="lead">${
          viewer.isAdmin
            ? 'Units of access in your organization. Admins reach every workspace; Members reach the ones they are granted.'
            : 'The workspaces you can reach.'
        }</p>
        ${errorBox(error)}
        ${table('Workspaces', head, rows, 'You have no access to any workspace yet. Ask an Admin to grant it.')}
        ${
          viewer.isAdmin &&
          html`<form method="post" action="/workspaces" class="panel">
            <h2>Create a workspace</h2>
            ${csrfInput(viewer)}
            <label for="workspace-name">Name</label>
            <input type="text" id="workspace-name" name="name" required maxlength="100" value="${name}">
            <div class="actions"><button type="submit">Create workspace</button></div>
          </form>`
        }`,
    });
  }

  app.get('/workspaces', (request, reply) => showList(request, reply));

  app.post('/workspaces', async (request, reply) => {
    const viewer = adminViewerOf(request);
    const name = field(request.body, 'name');
    try {
      const workspace = await createWorkspace(ctx.store, {
        organizationId: viewer.organizationId,
        name,
        actor: viewer.actor,
        requestId: request.id,
      });
      return redirect(reply, `/workspaces/${workspace.id}?created=1`);
    } catch (error) {
      if (isRosterError(error, 'conflict', 'invalid_value')) {
        return showList(request, reply, sentence(error.message), name, error.status);
      }
      throw error;
    }
  });

  async function showOne(
    request: FastifyRequest<{ Params: { id: string } }>,
    reply: FastifyReply,
    error?: string,
    status = 200,
  ) {
    const viewer = adminViewerOf(request);
    const workspace = await ctx.store.workspaces.getById(viewer.organizationId, request.params.id);
    if (!workspace) throw new RosterError('not_found', 'There is no such workspace in this organization.');
    const [admins, granted, grantedCount] = await Promise.all([
      ctx.store.memberDirectory.listActiveAdmins(viewer.organizationId, SHOWN),
      ctx.store.workspaceGrants.listHolders(workspace.id, SHOWN),
      ctx.store.workspaceGrants.countHolders(workspace.id),
    ]);
    const message = queryValue(request, 'created')
      ? 'The workspace was created.'
      : queryValue(request, 'renamed')
        ? 'The workspace was renamed.'
        : undefined;
    return sendPage(ctx, request, reply, {
      title: workspace.name,
      currentPath: '/workspaces',
      status,
      body: html`<p><a href="/workspaces">← Workspaces</a></p>
        <h1>${workspace.name}</h1>
        ${notice(message)}
        ${errorBox(error)}
        <form method="post" action="/workspaces/${workspace.id}" class="panel">
          <h2>Rename</h2>
          ${csrfInput(viewer)}
          <label for="workspace-name">Name</label>
          <input type="text" id="workspace-name" name="name" required maxlength="100" value="${workspace.name}">
          <div class="actions"><button type="submit">Rename workspace</button></div>
        </form>
        <h2>Admins <span class="muted">(access through their role)</span></h2>
        ${table('Admins', ['Name', 'userName', 'Status'], memberList(admins), 'No active Admin.')}
        <h2>Members with access <span class="muted">(${grantedCount}: granted in Roster, from a group or from the identity provider)</span></h2>
        ${grantedCount > SHOWN ? html`<p class="muted">Showing the first ${SHOWN}.</p>` : ''}
        ${table('Members with access', ['Name', 'userName', 'Status'], memberList(granted), "No member has access. Grant it from a member's page, or map a group to this workspace on the Groups page.")}`,
    });
  }

  app.get<{ Params: { id: string } }>('/workspaces/:id', (request, reply) => showOne(request, reply));

  app.post<{ Params: { id: string } }>('/workspaces/:id', async (request, reply) => {
    const viewer = adminViewerOf(request);
    try {
      await renameWorkspace(ctx.store, {
        organizationId: viewer.organizationId,
        workspaceId: request.params.id,
        name: field(request.body, 'name'),
        actor: viewer.actor,
        requestId: request.id,
      });
    } catch (error) {
      if (isRosterError(error, 'conflict', 'invalid_value')) {
        return showOne(request, reply, sentence(error.message), error.status);
      }
      throw error;
    }
    return redirect(reply, `/workspaces/${encodeURIComponent(request.params.id)}?renamed=1`);
  });
}
