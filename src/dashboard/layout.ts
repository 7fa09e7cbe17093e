// The one page shell: header with the organization and the signed-in person, navigation, content.
// Pages without a session (sign-in, setup, some errors) get a narrow centred card instead.
import { CSRF_FIELD } from '../web/session.ts';
import { SCRIPT_URL, STYLESHEET_URL } from './assets.ts';
import type { Viewer } from './context.ts';
import { html, type SafeHtml } from './html.ts';
import type { NavigationItem } from './navigation.ts';

export interface LayoutInput {
  title: string;
  body: SafeHtml;
  viewer?: Viewer;
  /** The viewer belongs to several organizations: offer the switcher. */
  canSwitchOrganization?: boolean;
  navigation?: readonly NavigationItem[];
  /** The navigation entry to mark as current. */
  currentPath?: string;
}

function navigation(items: readonly NavigationItem[], currentPath: string | undefined): SafeHtml {
  const sections = [...new Set(items.map((item) => item.section))];
  return html`<nav class="sidebar" aria-label="Main">
    ${sections.map(
      (section) => html`<p class="nav-heading" id="nav-${section.toLowerCase()}">${section}</p>
        <ul aria-labelledby="nav-${section.toLowerCase()}">
          ${items
            .filter((item) => item.section === section)
            .map(
              (item) =>
                html`<li><a href="${item.href}"${item.href === currentPath ? html` aria-current="page"` : ''}>${item.label}</a></li>`,
            )}
        </ul>`,
    )}
  </nav>`;
}

function header(viewer: Viewer, canSwitch: boolean): SafeHtml {
  return html`<header class="site-header">
    <a class="brand" href="/">Roster</a>
    <div class="who">
      <span class="org" title="Organization">${viewer.organizationName}</span>
      <span>${viewer.email}</span>
      ${canSwitch && html`<a href="/organizations">Switch organization</a>`}
      <form method="post" action="/signout" class="inline-form">
        <input type="hidden" name="${CSRF_FIELD}" value="${viewer.csrfToken}">
        <button type="submit" class="link-button">Sign out</button>
      </form>
    </div>
  </header>`;
}

export function layout(input: LayoutInput): string {
  const { viewer } = input;
  const signedIn = viewer !== undefined && input.navigation !== undefined;
  const document = html`<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${input.title} · Roster</title>
  <link rel="stylesheet" href="${STYLESHEET_URL}">
  ${viewer && html`<meta name="csrf-token" content="${viewer.csrfToken}">`}
  <script src="${SCRIPT_URL}" defer></script>
</head>
<body class="${signedIn ? 'page-app' : 'page-plain'}">
  <a class="skip-link" href="#content">Skip to content</a>
  ${
    signedIn
      ? html`${header(viewer, input.canSwitchOrganization === true)}
  <div class="shell">
    ${navigation(input.navigation ?? [], input.currentPath)}
    <main id="content" tabindex="-1">${input.body}</main>
  </div>`
      : html`<main id="content" tabindex="-1">${input.body}</main>`
  }
</body>
</html>
`;
  return document.value;
}
