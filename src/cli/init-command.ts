import { initOrganization } from '../accounts/organizations.ts';
import { parseFullName } from '../accounts/person-name.ts';
import { CLI_ACTOR } from '../audit/actor.ts';
import { generatePassword } from '../auth/password.ts';
import type { Config } from '../config.ts';
import { type Output, UsageError } from './output.ts';
import { withStore } from './store-commands.ts';

interface InitOptions {
  'org-name'?: string;
  'org-slug'?: string;
  'admin-email'?: string;
  'admin-name'?: string;
  'admin-password'?: string;
}

export async function initCommand(config: Config, options: InitOptions, out: Output): Promise<number> {
  const name = options['org-name'];
  const email = options['admin-email'];
  if (!name || !email) throw new UsageError('init needs --org-name and --admin-email');
  const adminName = options['admin-name'];
  return withStore(config, async (store) => {
    // A person who already has a Roster account keeps their password; a new one gets a generated
    // password unless --admin-password is given.
    const existing = await store.users.findByEmail(email.trim());
    const generated = options['admin-password'] === undefined && !existing?.password_hash;
    const password = options['admin-password'] ?? (generated ? generatePassword() : undefined);
    const result = await initOrganization(store, {
      name,
      ...(options['org-slug'] ? { slug: options['org-slug'] } : {}),
      adminEmail: email,
      ...(adminName !== undefined ? { adminName: parseFullName(adminName) } : {}),
      ...(password !== undefined ? { adminPassword: password } : {}),
      actor: CLI_ACTOR,
    });
    const data = {
      organization: {
        id: result.organization.id,
        slug: result.organization.slug,
        name: result.organization.name,
      },
      workspace: { id: result.workspace.id, name: result.workspace.name },
      admin: {
        userId: result.user.id,
        membershipId: result.membership.id,
        email: result.user.email,
        name: result.membership.display_name,
      },
      ...(generated ? { password } : {}),
    };
    out.print(
      [
        `Created organization "${result.organization.name}" (slug ${result.organization.slug}) with workspace "${result.workspace.name}".`,
        `Admin: ${result.membership.display_name ? `${result.membership.display_name} <${result.user.email}>` : result.user.email}`,
        ...(generated ? [`Generated password (shown once): ${password}`] : []),
        // Okta's SCIM 2.0 SPEC test reads the first User's name: the Admin's, on a new organization.
        ...(result.membership.display_name
          ? []
          : ['The Admin has no name: Okta\'s SCIM test expects one (--admin-name "Given Family").']),
        '',
        `Next: npx roster tokens create --org ${result.organization.slug} --name okta --role admin --service`,
      ].join('\n'),
      data,
    );
    return 0;
  });
}
