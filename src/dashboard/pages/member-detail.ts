// One member: their identity provider's view (read-only when SCIM manages them), their role, and
// their workspace access.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { setWorkspaceAccess } from '../../accounts/manage-workspaces.ts';
import { changeRole, memberNotFoundError } from '../../accounts/members.ts';
import { isRosterError, RosterError } from '../../errors.ts';
import type { MemberRow } from '../../store/repos/members.ts';
import type { WorkspaceRecord } from '../../store/repos/workspaces.ts';
import { field } from '../../web/form-field.ts';
import { errorBox, notice, roleBadge, statusBadge, table, time } from '../components.ts';
import { adminViewerOf, type DashboardContext, queryValue, type Viewer } from '../context.ts';
import { memberName, roleLabel, sentence, sourceLabel } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfInput, redirect, sendPage } from '../render.ts';

const NOTICES: Record<string, string> = {
  role: 'The role was changed.',
  granted: 'Workspace access was granted.',
  revoked: 'Workspace access was revoked.',
};

function profile(member: MemberRow, emails: readonly { value: string; primary: boolean }[]): SafeHtml {
  const managed = member.source === 'scim';
  return html`<section class="panel" aria-labelledby="profile-heading">
    <h2 id="profile-heading">Profile</h2>
    ${
      managed &&
      html`<p class="warning"><strong>Managed by your identity provider.</strong> Name, email, userName and status come from
        your identity provider over SCIM and are read-only here: change them there, and the change arrives with the next sync.</p>`
    }
    <dl class="facts">
      <dt>userName</dt><dd>${member.user_name}</dd>
      <dt>Display name</dt><dd>${member.display_name ?? ''}</dd>
      <dt>Given name</dt><dd>${member.given_name ?? ''}</dd>
      <dt>Family name</dt><dd>${member.family_name ?? ''}</dd>
      <dt>Emails</dt><dd>${emails.map((e, i) => html`${i > 0 ? ', ' : ''}${e.value}${e.primary ? ' (primary)' : ''}`)}</dd>
      <dt>External id</dt><dd>${member.external_id ?? ''}</dd>
      <dt>Status</dt><dd>${statusBadge(member.status)}${member.deactivated_at ? html` since ${time(member.deactivated_at)}` : ''}</dd>
      <dt>Source</dt><dd>${sourceLabel(member.source)}</dd>
      <dt>Created</dt><dd>${time(member.created_at)}</dd>
      <dt>Last change</dt><dd>${time(member.updated_at)}</dd>
    </dl>
  </section>`;
}

function roleSection(member: MemberRow, viewer: Viewer): SafeHtml {
  if (member.status !== 'active' || member.role === null) {
    return html`<section class="panel" aria-labelledby="role-heading">
      <h2 id="role-heading">Role</h2>
      <p>No role: deactivated members have no role and reach no workspace. When they are reactivated they get back
        their previous role${member.previous_role ? html` (<strong>${roleLabel(member.previous_role)}</strong>)` : ''}.</p>
    </section>`;
  }
  return html`<section class="panel" aria-labelledby="role-heading">
    <h2 id="role-heading">Role</h2>
    <form method="post" action="/members/${member.id}/role">
      ${csrfInput(viewer)}
      <label for="member-role">Role</label>
      <select id="member-role" name="role">
        <option value="admin"${member.role === 'admin' ? html` selected` : ''}>Admin</option>
        <option value="member"${member.role === 'member' ? html` selected` : ''}>Member</option>
      </select>
      <span class="hint">Admins manage the organization and reach every workspace. The last active Admin cannot be changed to Member.</span>
      <div class="actions"><button type="submit">Change role</button></div>
    </form>
  </section>`;
}

function accessSection(
  member: MemberRow,
  viewer: Viewer,
  workspaces: readonly WorkspaceRecord[],
  granted: ReadonlySet<string>,
) {
  const rows = workspaces.map((workspace) => {
    const has = granted.has(workspace.id);
    const access =
      member.role === 'admin'
        ? 'Yes, as Admin'
        : has
          ? member.status === 'active'
            ? 'Granted'
            : 'Granted (restored on reactivation)'
          : 'No access';
    return [
      workspace.name,
      access,
      html`<form method="post" action="/members/${member.id}/workspaces" class="inline-form">
        ${csrfInput(viewer)}
        <input type="hidden" name="workspaceId" value="${workspace.id}">
        <input type="hidden" name="access" value="${has ? 'revoke' : 'grant'}">
        <button type="submit" class="button-secondary button-small">${has ? 'Revoke' : 'Grant'}<span class="visually-hidden"> access to ${workspace.name}</span></button>
      </form>`,
    ];
  });
  return html`<section aria-labelledby="access-heading">
    <h2 id="access-heading">Workspace access</h2>
    <p class="muted">Admins reach every workspace. Grants matter for Members, and survive deactivation.</p>
    ${table('Workspace access', ['Workspace', 'Access', 'Change'], rows, 'This organization has no workspaces.')}
  </section>`;
}

export function memberDetailPages(app: FastifyInstance, ctx: DashboardContext): void {
  async function show(
    request: FastifyRequest<{ Params: { id: string } }>,
    reply: FastifyReply,
    error?: string,
    status = 200,
  ) {
    const viewer = adminViewerOf(request);
    const member = await ctx.store.members.getById(viewer.organizationId, request.params.id);
    if (!member) throw memberNotFoundError(request.params.id);
    const [emails, workspaces, granted, groups] = await Promise.all([
      ctx.store.members.emails(member.id),
      ctx.store.workspaces.list(viewer.organizationId),
      ctx.store.workspaceGrants.workspaceIdsOf(member.id),
      ctx.store.groups.groupsOf([member.id]),
    ]);
    const name = memberName(member);
    return sendPage(ctx, request, reply, {
      title: name,
      currentPath: '/members',
      status,
      body: html`<p><a href="/members">← Members</a></p>
        <h1>${name}</h1>
        <p>${statusBadge(member.status)} ${roleBadge(member.role)}
          ${member.source === 'scim' && html`<span class="badge badge-idp">Managed by your identity provider</span>`}</p>
        ${notice(NOTICES[queryValue(request, 'updated')])}
        ${errorBox(error)}
        ${profile(member, emails)}
        ${roleSection(member, viewer)}
        ${accessSection(member, viewer, workspaces, new Set(granted))}
        <section aria-labelledby="groups-heading">
          <h2 id="groups-heading">Groups</h2>
          <p class="muted">The groups your identity provider put this member in (read-only).</p>
          ${table(
            'Groups',
            ['Group'],
            groups.map((group) => [html`<a href="/groups/${group.groupId}">${group.displayName}</a>`]),
            'Not in any group.',
          )}
        </section>
        <section class="panel" aria-labelledby="password-heading">
          <h2 id="password-heading">Password</h2>
          <form method="post" action="/members/${member.id}/password-reset">
            ${csrfInput(viewer)}
            <p class="hint">A one-time link to choose a new password, valid for an hour: shown to you, and mailed when Roster sends mail.</p>
            <div class="actions"><button type="submit" class="button-secondary">Send a password reset link</button></div>
          </form>
        </section>
        <p><a href="/audit?target=${member.id}">Audit log for this member</a></p>`,
    });
  }

  app.get<{ Params: { id: string } }>('/members/:id', (request, reply) => show(request, reply));

  const refusal = async (
    request: FastifyRequest<{ Params: { id: string } }>,
    reply: FastifyReply,
    error: unknown,
  ) => {
    if (isRosterError(error, 'conflict', 'invalid_value')) {
      return show(request, reply, sentence(error.message), error.status);
    }
    throw error;
  };

  app.post<{ Params: { id: string } }>('/members/:id/role', async (request, reply) => {
    const viewer = adminViewerOf(request);
    try {
      await changeRole(ctx.store, {
        organizationId: viewer.organizationId,
        membershipId: request.params.id,
        role: field(request.body, 'role'),
        actor: viewer.actor,
        requestId: request.id,
      });
    } catch (error) {
      return refusal(request, reply, error);
    }
    return redirect(reply, `/members/${encodeURIComponent(request.params.id)}?updated=role`);
  });

  app.post<{ Params: { id: string } }>('/members/:id/workspaces', async (request, reply) => {
    const viewer = adminViewerOf(request);
    const access = field(request.body, 'access');
    try {
      if (access !== 'grant' && access !== 'revoke') {
        throw new RosterError('invalid_value', 'access must be grant or revoke');
      }
      await setWorkspaceAccess(ctx.store, {
        organizationId: viewer.organizationId,
        membershipId: request.params.id,
        workspaceId: field(request.body, 'workspaceId'),
        granted: access === 'grant',
        actor: viewer.actor,
        requestId: request.id,
      });
    } catch (error) {
      return refusal(request, reply, error);
    }
    return redirect(
      reply,
      `/members/${encodeURIComponent(request.params.id)}?updated=${access === 'grant' ? 'granted' : 'revoked'}`,
    );
  });
}
