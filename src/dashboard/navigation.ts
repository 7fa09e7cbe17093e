// The dashboard's navigation. SSO's entry appears by itself once its settings page is registered
// (another engineer adds it): no flag to flip here.
import type { Viewer } from './context.ts';

export const SSO_SETTINGS_PATH = '/settings/organization/sso';

export interface NavigationItem {
  label: string;
  href: string;
  section: 'Organization' | 'Settings';
  adminOnly: boolean;
  /** Shown only when a GET route for `href` exists. */
  whenRouteExists?: boolean;
}

export const NAVIGATION: readonly NavigationItem[] = [
  { label: 'Members', href: '/members', section: 'Organization', adminOnly: true },
  { label: 'Invitations', href: '/invitations', section: 'Organization', adminOnly: true },
  { label: 'Workspaces', href: '/workspaces', section: 'Organization', adminOnly: false },
  { label: 'Groups', href: '/groups', section: 'Organization', adminOnly: true },
  { label: 'Audit log', href: '/audit', section: 'Organization', adminOnly: true },
  { label: 'Account tokens', href: '/settings/account/tokens', section: 'Settings', adminOnly: false },
  { label: 'Password', href: '/settings/account/password', section: 'Settings', adminOnly: false },
  {
    label: 'Organization tokens',
    href: '/settings/organization/tokens',
    section: 'Settings',
    adminOnly: true,
  },
  { label: 'SCIM provisioning', href: '/settings/organization/scim', section: 'Settings', adminOnly: true },
  { label: 'Webhooks', href: '/settings/organization/webhooks', section: 'Settings', adminOnly: true },
  { label: 'SSO', href: SSO_SETTINGS_PATH, section: 'Settings', adminOnly: true, whenRouteExists: true },
  { label: 'Apps', href: '/settings/installation/apps', section: 'Settings', adminOnly: true },
];

export function navigationFor(viewer: Viewer, routeExists: (path: string) => boolean): NavigationItem[] {
  return NAVIGATION.filter(
    (item) => (viewer.isAdmin || !item.adminOnly) && (!item.whenRouteExists || routeExists(item.href)),
  );
}

/** Where a signed-in person lands: the directory for Admins, their tokens for Members. */
export function homePath(viewer: Pick<Viewer, 'isAdmin'>): string {
  return viewer.isAdmin ? '/members' : '/settings/account/tokens';
}
