// One member: their identity provider's view (read-only when SCIM manages them), their role and
// their workspace access, each with where it comes from (granted in Roster, a group, the identity
// provider); only what was granted in Roster is changed here.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { setWorkspaceAccess } from '../../accounts/manage-workspaces.ts';
import { changeRole, memberNotFoundError } from '../../accounts/members.ts';
import { isRosterError, RosterError } from '../../errors.ts';
import {
  type AccessSource,
  accessOf,
  adminKeptAsLast,
  type KeptAdmin,
  type MemberAccess,
} from '../../membership/effective-access.ts';
import type { MemberRow } from '../../store/repos/members.ts';
import type { WorkspaceRecord } from '../../store/repos/workspaces.ts';
import { field } from '../../web/form-field.ts';
import { errorBox, notice, roleBadge, statusBadge, table, time } from '../components.ts';
import { adminViewerOf, type DashboardContext, queryValue, type Viewer } from '../context.ts';
import { memberName, roleLabel, sentence, sourceLabel } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfInput, redirect, sendPage } from '../render.ts';
import { keptAdminWarning } from './groups.ts';

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

/** One source of a piece of access, in words; what comes from the IdP says it is read-only. */
function sourceText(source: AccessSource): SafeHtml {
  if (source.kind === 'group' && source.group) {
    return html`from group <a href="/groups/${source.group.id}"><em>${source.group.displayName}</em></a>`;
  }
  if (source.kind === 'entitlement') return html`assigned by your identity provider`;
  return html`granted in Roster`;
}

function sourcesText(sources: readonly AccessSource[]): SafeHtml {
  return html`${sources.map((source, i) => html`${i > 0 ? '; ' : ''}${sourceText(source)}`)}`;
}

const fromIdp = (source: AccessSource) => source.kind !== 'direct';

function roleSection(
  member: MemberRow,
  viewer: Viewer,
  access: MemberAccess,
  kept: KeptAdmin | null,
): SafeHtml {
  if (member.status !== 'active' || member.role === null) {
    return html`<section class="panel" aria-labelledby="role-heading">
      <h2 id="role-heading">Role</h2>
      <p>No role: deactivated members have no role and reach no workspace. Their direct role
        (<strong>${roleLabel(member.direct_role)}</strong>), their groups and what the identity provider assigned them stay,
        and give them their role and workspaces back when they are reactivated.</p>
    </section>`;
  }
  const idpAdmin = access.role.sources.filter(fromIdp);
  return html`<section class="panel" aria-labelledby="role-heading">
    <h2 id="role-heading">Role</h2>
    <p data-role-sources>${roleBadge(member.role)} — ${member.role === 'admin' ? sourcesText(access.role.sources) : 'granted in Roster'}</p>
    ${keptAdminWarning(kept)}
    <form method="post" action="/members/${member.id}/role">
      ${csrfInput(viewer)}
      <label for="member-role">Role granted in Roster</label>
      <select id="member-role" name="role">
        <option value="admin"${member.direct_role === 'admin' ? html` selected` : ''}>Admin</option>
        <option value="member"${member.direct_role === 'member' ? html` selected` : ''}>Member</option>
      </select>
      <span class="hint">Admins manage the organization and reach every workspace. The last active Admin cannot be changed to Member.
        ${
          idpAdmin.length > 0 &&
          html`The Admin role ${sourcesText(idpAdmin)} is read-only here: it stays while the identity provider gives it,
            whatever the role granted in Roster.`
        }</span>
      <div class="actions"><button type="submit">Change role</button></div>
    </form>
  </section>`;
}

function accessSection(
  member: MemberRow,
  viewer: Viewer,
  workspaces: readonly WorkspaceRecord[],
  access: MemberAccess,
) {
  const sourcesOf = new Map(access.workspaces.map((w) => [w.id, w.sources]));
  const rows = workspaces.map((workspace) => {
    const sources = sourcesOf.get(workspace.id) ?? [];
    const direct = sources.some((source) => source.kind === 'direct');
    const reached =
      sources.length > 0
        ? html`Yes — ${sourcesText(sources)}${member.status === 'active' ? '' : ' (restored on reactivation)'}`
        : html`No access`;
    const cellText =
      member.role === 'admin'
        ? html`Yes, as Admin${sources.length > 0 ? html`; also ${sourcesText(sources)}` : ''}`
        : reached;
    return [
      workspace.name,
      html`<span data-workspace-access="${workspace.name}">${cellText}</span>`,
      html`<form method="post" action="/members/${member.id}/workspaces" class="inline-form">
        ${csrfInput(viewer)}
        <input type="hidden" name="workspaceId" value="${workspace.id}">
        <input type="hidden" name="access" value="${direct ? 'revoke' : 'grant'}">
        <button type="submit" class="button-secondary button-small">${direct ? 'Revoke direct grant' : 'Grant'}<span class="visually-hidden"> access to ${workspace.name}</span></button>
      </form>`,
    ];
  });
  return html`<section aria-labelledby="access-heading">
    <h2 id="access-heading">Workspace access</h2>
    <p class="muted">Admins reach every workspace. Access comes from a grant in Roster (which you can revoke here), from
      a group (change the group's mapping, or its members in your identity provider) or from your identity
      provider; all of it survives deactivation.</p>
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
    const [emails, workspaces, access, groups, kept] = await Promise.all([
      ctx.store.members.emails(member.id),
      ctx.store.workspaces.list(viewer.organizationId),
      accessOf(ctx.store, member),
      ctx.store.groups.groupsOf([member.id]),
      adminKeptAsLast(ctx.store, viewer.organizationId, member.id),
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
        ${roleSection(member, viewer, access, kept)}
        ${accessSection(member, viewer, workspaces, access)}
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
