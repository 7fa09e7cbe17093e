// The audit log: filters (actor, action, target, time range), every event with a compact diff of its
// before/after, older pages by id cursor, and CSV / NDJSON exports of the same filters, streamed.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AUDIT_ACTIONS } from '../../audit/actions.ts';
import {
  type AuditFilters,
  auditEventView,
  auditFilters,
  CSV_HEADER,
  csvLine,
  csvRow,
  walkAuditEvents,
} from '../../audit/audit-log.ts';
import { isRosterError } from '../../errors.ts';
import type { AuditEventRecord } from '../../store/repos/audit.ts';
import { type Cell, errorBox, table, time } from '../components.ts';
import { adminViewerOf, type DashboardContext, queryValue } from '../context.ts';
import { sentence } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { diffJson } from '../json-diff.ts';
import { sendPage } from '../render.ts';

const PAGE = 50;
const FILTER_NAMES = ['actor', 'action', 'target', 'since', 'until'] as const;

type FilterValues = Record<(typeof FILTER_NAMES)[number], string>;

function filterValues(request: FastifyRequest): FilterValues {
  return Object.fromEntries(FILTER_NAMES.map((name) => [name, queryValue(request, name)])) as FilterValues;
}

function query(values: FilterValues, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const name of FILTER_NAMES) if (values[name]) params.set(name, values[name]);
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function changes(event: AuditEventRecord): SafeHtml {
  const lines = diffJson(parseJson(event.before), parseJson(event.after));
  if (lines.length === 0) return html`<span class="muted">—</span>`;
  return html`<details class="changes">
    <summary>${lines.length} ${lines.length === 1 ? 'change' : 'changes'}</summary>
    <table class="diff">
      <thead><tr><th scope="col">Field</th><th scope="col">Before</th><th scope="col">After</th></tr></thead>
      <tbody>${lines.map(
        (line) =>
          html`<tr><td class="mono">${line.path}</td><td class="before">${line.before ?? ''}</td><td class="after">${line.after ?? ''}</td></tr>`,
      )}</tbody>
    </table>
  </details>`;
}

const ACTOR_TYPES: Record<string, string> = {
  session: 'dashboard',
  personal_token: 'personal access token',
  service_token: 'service access token',
  cli: 'command line',
  system: 'system',
  saml: 'single sign-on',
  password: 'password sign-in',
  unauthenticated: 'unauthenticated',
};

/**
 * Counted failures of unauthenticated requests (see recordUnauthenticatedFailure): marked as such,
 * with how many there were in that minute. Nothing of the requests' text is stored to show.
 */
function unauthenticatedNote(event: AuditEventRecord): SafeHtml {
  if (event.actor_type !== 'unauthenticated') return html``;
  const after = parseJson(event.after) as { count?: unknown; reason?: unknown } | null;
  const count = typeof after?.count === 'number' ? after.count : 1;
  return html`<span class="event-line"><span class="badge badge-deactivated">Unauthenticated</span>
    ${count} ${count === 1 ? 'attempt' : 'attempts'} in this minute${typeof after?.reason === 'string' ? html` · <span class="mono">${after.reason}</span>` : ''}</span>`;
}

function eventRow(event: AuditEventRecord): Cell[] {
  const target =
    event.target_type === 'member' && event.target_id
      ? html`<a href="/members/${event.target_id}">${event.target_label ?? event.target_id}</a>`
      : html`${event.target_label ?? event.target_id ?? ''}`;
  const actor = event.actor_id
    ? html`<a href="/audit?actor=${encodeURIComponent(event.actor_id)}">${event.actor_label ?? event.actor_id}</a>`
    : html`${event.actor_label ?? ''}`;
  return [
    time(event.occurred_at),
    html`<code class="action">${event.action}</code>
      <span class="event-line">${event.target_type.replace('_', ' ')} ${target}</span>
      ${
        event.actor_type === 'unauthenticated'
          ? unauthenticatedNote(event)
          : html`<span class="event-line muted">by ${actor} (${ACTOR_TYPES[event.actor_type] ?? event.actor_type})</span>`
      }`,
    changes(event),
  ];
}

function filterForm(values: FilterValues): SafeHtml {
  const input = (name: keyof FilterValues, label: string, type: string, extra: SafeHtml = html``) =>
    html`<div><label for="audit-${name}">${label}</label><input type="${type}" id="audit-${name}" name="${name}" value="${values[name]}"${extra}></div>`;
  return html`<form method="get" action="/audit" class="filters" role="search" aria-label="Audit log">
    ${input('actor', 'Actor', 'text', html` placeholder="Email or token name"`)}
    ${input('action', 'Action', 'text', html` list="audit-actions" placeholder="member.updated"`)}
    <datalist id="audit-actions">${AUDIT_ACTIONS.map((action) => html`<option value="${action}"></option>`)}</datalist>
    ${input('target', 'Target', 'text', html` placeholder="userName or name"`)}
    ${input('since', 'From (UTC)', 'date')}
    ${input('until', 'To (UTC)', 'date')}
    <div class="filter-actions">
      <button type="submit">Apply</button>
      <a class="button button-secondary" href="/audit">Clear</a>
    </div>
  </form>`;
}

export function auditPages(app: FastifyInstance, ctx: DashboardContext): void {
  app.get('/audit', async (request, reply) => {
    const viewer = adminViewerOf(request);
    const values = filterValues(request);
    let filters: AuditFilters = {};
    let error: string | undefined;
    try {
      filters = auditFilters(values);
    } catch (caught) {
      if (!isRosterError(caught, 'invalid_value')) throw caught;
      error = sentence(caught.message);
    }
    const beforeText = queryValue(request, 'before');
    const before = /^\d{1,15}$/.test(beforeText) ? Number(beforeText) : undefined;
    const events = error
      ? []
      : await ctx.store.audit.search({
          organizationId: viewer.organizationId,
          ...filters,
          limit: PAGE + 1,
          ...(before !== undefined ? { before } : {}),
        });
    const more = events.length > PAGE;
    const shown = events.slice(0, PAGE);
    const last = shown[shown.length - 1];
    return sendPage(ctx, request, reply, {
      title: 'Audit log',
      currentPath: '/audit',
      status: error ? 400 : 200,
      body: html`<h1>Audit log</h1>
        <p class="lead">Every change to ${viewer.organizationName}, from the dashboard, the API, the CLI and your identity provider, newest first.</p>
        ${filterForm(values)}
        ${errorBox(error)}
        <p class="actions">
          <a class="button button-secondary button-small" href="/audit/export.csv${query(values)}">Export CSV</a>
          <a class="button button-secondary button-small" href="/audit/export.ndjson${query(values)}">Export NDJSON</a>
        </p>
        ${table('Audit events', ['Time', 'Event', 'Changes'], shown.map(eventRow), 'No event matches these filters.', 'audit-table')}
        <nav class="pagination" aria-label="Pages">
          ${before !== undefined && html`<a href="/audit${query(values)}">Newest events</a>`}
          ${more && last && html`<a class="button button-secondary" href="/audit${query(values, { before: String(last.id) })}">Older events</a>`}
        </nav>`,
    });
  });

  for (const format of ['csv', 'ndjson'] as const) {
    app.get(`/audit/export.${format}`, async (request, reply) => {
      const viewer = adminViewerOf(request);
      const filters = auditFilters(filterValues(request));
      const events = walkAuditEvents(ctx.store, viewer.organizationId, filters);
      async function* lines() {
        if (format === 'csv') yield csvLine(CSV_HEADER);
        for await (const event of events) {
          yield format === 'csv' ? csvRow(event) : `${JSON.stringify(auditEventView(event))}\n`;
        }
      }
      const day = new Date().toISOString().slice(0, 10);
      return reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="roster-audit-${viewer.organizationSlug}-${day}.${format}"`,
        )
        .send(Readable.from(lines()));
    });
  }
}
