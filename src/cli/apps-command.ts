// `roster apps …`: the apps that sign people in with Roster (OpenID Connect clients), and
// `roster keys rotate`: a new signing key for the provider (src/oidc/signing-keys.ts).
import { createApp, issuerOf, listApps, revokeApp } from '../accounts/apps.ts';
import type { Config } from '../config.ts';
import { rotateProviderKeys } from '../oidc/signing-keys.ts';
import { type Output, UsageError } from './output.ts';
import { withStore } from './store-commands.ts';

interface AppOptions {
  name?: string;
  'redirect-uri'?: string[];
  'post-logout-redirect-uri'?: string[];
  'backchannel-logout-uri'?: string;
}

export async function appsCommand(
  config: Config,
  args: string[],
  options: AppOptions,
  out: Output,
): Promise<number> {
  const [action, id] = args;
  return withStore(config, async (store) => {
    switch (action) {
      case 'create': {
        if (!options.name) throw new UsageError('--name is required');
        if (!options['redirect-uri']?.length)
          throw new UsageError('--redirect-uri URL is required (repeat it for more)');
        const app = await createApp(store, {
          name: options.name,
          redirectUris: options['redirect-uri'],
          postLogoutRedirectUris: options['post-logout-redirect-uri'] ?? [],
          backchannelLogoutUri: options['backchannel-logout-uri'] ?? null,
        });
        out.print(
          [
            `Created app "${app.name}".`,
            `Issuer:        ${issuerOf(config.publicUrl)}`,
            `Client ID:     ${app.clientId}`,
            'Client secret (copy it now; it is not shown again):',
            '',
            `  ${app.clientSecret}`,
          ].join('\n'),
          app,
        );
        return 0;
      }
      case 'list': {
        const apps = await listApps(store);
        const lines = apps.map(
          (app) =>
            `${app.clientId}\t${app.name}\t${app.revokedAt ? 'revoked' : 'active'}\t${app.redirectUris.join(' ')}`,
        );
        out.print(lines.length === 0 ? 'no apps' : lines.join('\n'), apps);
        return 0;
      }
      case 'revoke': {
        if (!id) throw new UsageError('usage: roster apps revoke CLIENT_ID');
        const app = await revokeApp(store, id);
        out.print(`Revoked app "${app.name}" (${app.clientId}): its sign-ins and tokens end now.`, app);
        return 0;
      }
      default:
        throw new UsageError('usage: roster apps create|list|revoke');
    }
  });
}

export async function keysCommand(config: Config, args: string[], out: Output): Promise<number> {
  if (args[0] !== 'rotate') throw new UsageError('usage: roster keys rotate');
  return withStore(config, async (store) => {
    const rotation = await rotateProviderKeys(store);
    out.print(
      `New signing key ${rotation.kid} (generation ${rotation.generation}); ${rotation.published} older key(s) still published. Every instance signs with it within a minute.`,
      rotation,
    );
    return 0;
  });
}
