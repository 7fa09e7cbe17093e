// Members: the organization's directory with search, status and role filters and keyset pages.
import type { FastifyInstance } from 'fastify';
import { listDirectory } from '../../accounts/member-directory.ts';
import type { MemberListing } from '../../store/repos/member-directory.ts';
import { type Cell, roleBadge, statusBadge, table, time } from '../components.ts';
import { adminViewerOf, type DashboardContext, queryValue } from '../context.ts';
import { memberName, sourceLabel } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { sendPage } from '../render.ts';

interface Filters {
  q: string;
  status: string;
  role: string;
}

function option(value: string, label: string, selected: string): SafeHtml {
  return html`<option value="${value}"${value === selected ? html` selected` : ''}>${label}</option>`;
}

function filterForm(filters: Filters): SafeHtml {
  return html`<form method="get" action="/members" class="filters" role="search" aria-label="Members">
    <div class="grow">
      <label for="q">Search</label>
      <input type="search" id="q" name="q" value="${filters.q}" placeholder="Start of a name, email or userName">
    </div>
    <div>
      <label for="status">Status</label>
      <select id="status" name="status">
        ${option('', 'All', filters.status)}${option('active', 'Active', filters.status)}${option('deactivated', 'Deactivated', filters.status)}
      </select>
    </div>
    <div>
      <label for="role">Role</label>
      <select id="role" name="role">
        ${option('', 'All', filters.role)}${option('admin', 'Admin', filters.role)}${option('member', 'Member', filters.role)}
      </select>
    </div>
    <div class="filter-actions">
      <button type="submit">Apply</button>
      <a class="button button-secondary" href="/members">Clear</a>
    </div>
  </form>`;
}

/** An email that may wrap before its `@` (and only there) in a narrow column. */
function emailWithBreak(email: string): SafeHtml {
  const at = email.lastIndexOf('@');
  return at <= 0 ? html`${email}` : html`${email.slice(0, at)}<wbr>${email.slice(at)}`;
}

function memberRow(row: MemberListing): Cell[] {
  const name = memberName(row);
  // The userName under the name only when it says something the email column does not.
  const userName = row.user_name !== name && row.user_name.toLowerCase() !== (row.email ?? '').toLowerCase();
  return [
    html`<a href="/members/${row.id}">${name}</a>${userName ? html`<br><span class="muted">${row.user_name}</span>` : ''}`,
    emailWithBreak(row.email ?? ''),
    roleBadge(row.role),
    statusBadge(row.status),
    sourceLabel(row.source),
    time(row.updated_at),
  ];
}

function pageLink(filters: Filters, cursor: { after?: string; before?: string }): string {
  const params = new URLSearchParams();
  if (filters.q) params.set('q', filters.q);
  if (filters.status) params.set('status', filters.status);
  if (filters.role) params.set('role', filters.role);
  if (cursor.after) params.set('after', cursor.after);
  if (cursor.before) params.set('before', cursor.before);
  const query = params.toString();
  return `/members${query ? `?${query}` : ''}`;
}

export function memberPages(app: FastifyInstance, ctx: DashboardContext): void {
  app.get('/members', async (request, reply) => {
    const viewer = adminViewerOf(request);
    const filters: Filters = {
      q: queryValue(request, 'q'),
      status: queryValue(request, 'status'),
      role: queryValue(request, 'role'),
    };
    const after = queryValue(request, 'after');
    const before = queryValue(request, 'before');
    const page = await listDirectory(ctx.store, viewer.organizationId, {
      text: filters.q,
      status: filters.status,
      role: filters.role,
      ...(after ? { after } : {}),
      ...(before ? { before } : {}),
    });
    const filtered = filters.q !== '' || filters.status !== '' || filters.role !== '';
    const noun = page.total === 1 ? 'member' : 'members';
    const verb = filtered ? (page.total === 1 ? ' matches' : ' match') : '';
    const summary = `${page.total.toLocaleString('en-US')} ${noun}${verb}`;
    return sendPage(ctx, request, reply, {
      title: 'Members',
      currentPath: '/members',
      body: html`<h1>Members</h1>
        <p class="lead">Everyone in ${viewer.organizationName}. Members created by your identity provider (source SCIM) are managed there: their name, email and status follow it.</p>
        ${filterForm(filters)}
        <p role="status">${summary}</p>
        ${table(
          'Members',
          ['Name', 'Email', 'Role', 'Status', 'Source', 'Last change'],
          page.rows.map(memberRow),
          filtered ? 'No member matches these filters.' : 'No members yet.',
        )}
        <nav class="pagination" aria-label="Pages">
          ${(page.previousCursor || after || before) && html`<a href="${pageLink(filters, {})}">First page</a>`}
          ${page.previousCursor && html`<a class="button button-secondary" href="${pageLink(filters, { before: page.previousCursor })}">Previous page</a>`}
          ${page.nextCursor && html`<a class="button button-secondary" href="${pageLink(filters, { after: page.nextCursor })}">Next page</a>`}
        </nav>`,
    });
  });
}
