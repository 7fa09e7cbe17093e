// Small pieces of markup shared by the pages.
import type { MemberStatus, Role } from '../store/schema.ts';
import { formatTime, roleLabel, statusLabel } from './format.ts';
import { type HtmlValue, html, type SafeHtml } from './html.ts';

export function statusBadge(status: MemberStatus): SafeHtml {
  return html`<span class="badge badge-${status}">${statusLabel(status)}</span>`;
}

export function roleBadge(role: Role | null): SafeHtml {
  if (role === null) return html`<span class="muted">No role</span>`;
  return html`<span class="badge badge-${role}">${roleLabel(role)}</span>`;
}

export function time(iso: string | null | undefined, fallback = ''): SafeHtml {
  if (!iso) return html`<span class="muted">${fallback}</span>`;
  return html`<time datetime="${iso}">${formatTime(iso)}</time>`;
}

/** A day, with the exact time on hover: for dense tables. */
export function day(iso: string | null | undefined, fallback = ''): SafeHtml {
  if (!iso) return html`<span class="muted">${fallback}</span>`;
  return html`<time datetime="${iso}" title="${formatTime(iso)}">${iso.slice(0, 10)}</time>`;
}

/** A value shown once (a link with a secret) with its copy button (the dashboard's one script). */
export function copyable(id: string, label: string, value: string): SafeHtml {
  return html`<label for="${id}">${label}</label>
    <div class="secret">
      <input type="text" id="${id}" readonly value="${value}">
      <button type="button" class="button-secondary" data-copy-target="${id}" data-copy-status="${id}-status">Copy</button>
      <span id="${id}-status" class="copy-status" role="status" aria-live="polite"></span>
    </div>`;
}

export function errorBox(message: string | undefined): SafeHtml {
  return message ? html`<div class="error-box" role="alert">${message}</div>` : html``;
}

export function notice(message: string | undefined): SafeHtml {
  return message ? html`<div class="notice" role="status">${message}</div>` : html``;
}

export type Cell = HtmlValue | { content: HtmlValue; className: string };

function cell(label: string, value: Cell): SafeHtml {
  if (value !== null && typeof value === 'object' && 'className' in value) {
    return html`<td data-label="${label}"><div class="${value.className}">${value.content}</div></td>`;
  }
  return html`<td data-label="${label}"><div>${value}</div></td>`;
}

/**
 * A table in a labelled region. Wide screens scroll it sideways if they must; below 640px each row
 * becomes a card whose cells carry their column name (`data-label`), so nothing hides off-screen.
 */
export function table(
  caption: string,
  head: readonly string[],
  rows: readonly (readonly Cell[])[],
  empty: string,
  className = '',
): SafeHtml {
  if (rows.length === 0) return html`<p class="panel muted">${empty}</p>`;
  return html`<div class="table-wrap" role="region" aria-label="${caption}" tabindex="0">
    <table class="stack ${className}">
      <caption class="visually-hidden">${caption}</caption>
      <thead><tr>${head.map((name) => html`<th scope="col">${name}</th>`)}</tr></thead>
      <tbody>${rows.map((cells) => html`<tr>${cells.map((value, i) => cell(head[i] ?? '', value))}</tr>`)}</tbody>
    </table>
  </div>`;
}
