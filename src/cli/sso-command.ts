// `roster sso status|require|idp-initiated` — the operator's view of an organization's SSO, and the break-glass
// switch: with "SSO required" on, nobody of the organization can sign in with a password, Admins
// included, so when the identity provider fails the operator turns it off from here.
// `roster test-idp` — a SAML identity provider on 127.0.0.1 for local trials (never production).
import { CLI_ACTOR } from '../accounts/actor.ts';
import { NotFoundError } from '../accounts/errors.ts';
import {
  getSsoSettings,
  saveSsoSettings,
  setIdpInitiated,
  setSsoRequired,
} from '../accounts/sso-settings.ts';
import { serviceProviderUrls } from '../auth/saml/service-provider.ts';
import { TestIdp } from '../auth/saml/test-idp/test-idp.ts';
import { startTestIdpServer } from '../auth/saml/test-idp/test-idp-server.ts';
import type { Config } from '../config.ts';
import type { Store } from '../store/store.ts';
import { type Output, UsageError } from './main.ts';
import { withStore } from './store-commands.ts';

interface SsoOptions {
  org?: string;
  port?: string;
  domain?: string;
  configure?: boolean;
}

async function organizationOf(store: Store, slug: string | undefined) {
  if (!slug) throw new UsageError('this command needs --org SLUG');
  const organization = await store.organizations.getBySlug(slug);
  if (!organization) throw new NotFoundError(`there is no organization "${slug}"`);
  return organization;
}

export async function ssoCommand(
  config: Config,
  args: string[],
  options: SsoOptions,
  out: Output,
): Promise<number> {
  const [action, value] = args;
  return withStore(config, async (store) => {
    const organization = await organizationOf(store, options.org);
    if (action === 'status') {
      const view = await getSsoSettings(store, config.publicUrl, organization.id);
      const { certificate: _certificate, ...serviceProvider } = view.serviceProvider;
      const data = {
        organization: organization.slug,
        configured: view.configured,
        ssoRequired: view.ssoRequired,
        idpInitiated: view.idpInitiated,
        domains: view.domains,
        identityProvider: view.identityProvider && {
          entityId: view.identityProvider.entityId,
          ssoUrl: view.identityProvider.ssoUrl,
        },
        serviceProvider,
      };
      out.print(
        view.configured
          ? `SSO for ${organization.slug}: IdP ${view.identityProvider?.entityId}; domains ${view.domains.join(', ') || '(none)'}; SSO required: ${view.ssoRequired ? 'on' : 'off'}; IdP-initiated sign-in: ${view.idpInitiated ? 'on' : 'off'}`
          : `SSO is not configured for ${organization.slug}. ACS URL: ${serviceProvider.acsUrl}`,
        data,
      );
      return 0;
    }
    if (action === 'require') {
      if (value !== 'on' && value !== 'off') throw new UsageError('sso require takes on or off');
      await setSsoRequired(store, {
        organizationId: organization.id,
        required: value === 'on',
        actor: CLI_ACTOR,
      });
      out.print(
        value === 'on'
          ? `SSO is now required for ${organization.slug}: password sign-in is refused for its members.`
          : `SSO is no longer required for ${organization.slug}: its members may sign in with a password again.`,
        { organization: organization.slug, ssoRequired: value === 'on' },
      );
      return 0;
    }
    if (action === 'idp-initiated') {
      if (value !== 'on' && value !== 'off') throw new UsageError('sso idp-initiated takes on or off');
      await setIdpInitiated(store, {
        organizationId: organization.id,
        allowed: value === 'on',
        actor: CLI_ACTOR,
      });
      out.print(
        value === 'on'
          ? `IdP-initiated sign-in is now accepted for ${organization.slug} (an identity provider's app tile signs people in).`
          : `IdP-initiated sign-in is now refused for ${organization.slug}: sign-ins must start at Roster (SP-initiated).`,
        { organization: organization.slug, idpInitiated: value === 'on' },
      );
      return 0;
    }
    throw new UsageError('sso takes status, require or idp-initiated');
  });
}

/** Runs until interrupted. With --configure, points the organization's SSO settings at it. */
export async function testIdpCommand(config: Config, options: SsoOptions, out: Output): Promise<number> {
  const port = Number(options.port ?? '7000');
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError('--port must be a port number');
  const { organization, sp } = await withStore(config, async (store) => {
    const organization = await organizationOf(store, options.org);
    return { organization, sp: serviceProviderUrls(config.publicUrl, organization.slug) };
  });
  const idp = await TestIdp.create(`http://127.0.0.1:${port}/metadata`);
  const server = await startTestIdpServer({ idp, sp: { entityId: sp.entityId, acsUrl: sp.acsUrl }, port });
  if (options.configure) {
    await withStore(config, (store) =>
      saveSsoSettings(store, {
        organizationId: organization.id,
        settings: {
          idpMetadataXml: idp.metadataXml(server.ssoUrl),
          ...(options.domain ? { domains: [options.domain] } : {}),
        },
        actor: CLI_ACTOR,
        publicUrl: config.publicUrl,
      }),
    );
  }
  out.print(
    [
      `Test IdP (NOT for production) at ${server.url} for ${organization.slug}.`,
      `  IdP metadata: ${server.metadataUrl}${options.configure ? " (saved as the organization's SSO settings)" : ''}`,
      `  SP-initiated: ${sp.signInUrl}`,
      `  IdP-initiated: ${server.url}/idp-initiated?email=you@example.com`,
      'Stop it with Ctrl-C.',
    ].join('\n'),
    {
      url: server.url,
      metadataUrl: server.metadataUrl,
      ssoUrl: server.ssoUrl,
      configured: options.configure === true,
    },
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}
