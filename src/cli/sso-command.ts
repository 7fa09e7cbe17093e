// `roster sso status|require|verify|release-domain|allow-sha1|idp-initiated` — the operator's view of an
// organization's SSO (with each email domain's DNS TXT record and whether it is verified), the
// break-glass switch (with "SSO required" on, nobody of the organization can sign in with a
// password, Admins included, so when the identity provider fails the operator turns it off from
// here), checking a domain's TXT record, releasing a domain an organization no longer controls,
// the SHA-1 opt-in for an identity provider that cannot sign with SHA-256 yet, and whether
// IdP-initiated sign-in (an app tile) is accepted.
// `roster test-idp` — a SAML identity provider on 127.0.0.1 for local trials (never production).

import { createTxtResolver, releaseSsoDomain, verifySsoDomain } from '../accounts/domain-verification.ts';
import { getSsoSettings, type SsoSwitch, saveSsoSettings, setSsoSwitch } from '../accounts/sso-settings.ts';
import { CLI_ACTOR } from '../audit/actor.ts';
import { serviceProviderUrls } from '../auth/saml/service-provider.ts';
import { TestIdp } from '../auth/saml/test-idp/test-idp.ts';
import { startTestIdpServer } from '../auth/saml/test-idp/test-idp-server.ts';
import type { Config } from '../config.ts';
import { foldCase } from '../scim/fold-case.ts';
import { type Output, UsageError } from './output.ts';
import { organizationBySlug, withStore } from './store-commands.ts';

interface SsoOptions {
  org?: string;
  port?: string;
  domain?: string;
  configure?: boolean;
}

/** `roster sso require|allow-sha1|idp-initiated on|off`: which switch, and what to say once it is set. */
const TOGGLES: Record<string, { name: SsoSwitch; said(slug: string, on: boolean): string } | undefined> = {
  require: {
    name: 'ssoRequired',
    said: (slug, on) =>
      on
        ? `SSO is now required for ${slug}: password sign-in is refused for its members.`
        : `SSO is no longer required for ${slug}: its members may sign in with a password again.`,
  },
  'allow-sha1': {
    name: 'allowSha1Signatures',
    said: (slug, on) =>
      on
        ? `SAML responses signed with SHA-1 are now accepted for ${slug}. SHA-1 is broken: switch the identity provider to SHA-256, then run this with off.`
        : `SAML responses signed with SHA-1 are refused again for ${slug}.`,
  },
  'idp-initiated': {
    name: 'idpInitiated',
    said: (slug, on) =>
      on
        ? `IdP-initiated sign-in is now accepted for ${slug} (an identity provider's app tile signs people in).`
        : `IdP-initiated sign-in is now refused for ${slug}: sign-ins must start at Roster (SP-initiated).`,
  },
};

export async function ssoCommand(
  config: Config,
  args: string[],
  options: SsoOptions,
  out: Output,
): Promise<number> {
  const [action, value] = args;
  return withStore(config, async (store) => {
    const organization = await organizationBySlug(store, options.org);
    if (action === 'status') {
      const view = await getSsoSettings(store, config.publicUrl, organization.id);
      const { certificate: _certificate, ...serviceProvider } = view.serviceProvider;
      const data = {
        organization: organization.slug,
        configured: view.configured,
        ssoRequired: view.ssoRequired,
        allowSha1Signatures: view.allowSha1Signatures,
        idpInitiated: view.idpInitiated,
        domains: view.domains,
        domainVerification: view.domainVerification,
        identityProvider: view.identityProvider && {
          entityId: view.identityProvider.entityId,
          ssoUrl: view.identityProvider.ssoUrl,
        },
        serviceProvider,
      };
      const domains = view.domainVerification.map((d) =>
        d.verified
          ? `  ${d.domain}: verified ${d.verifiedAt}`
          : `  ${d.domain}: NOT VERIFIED (routes nobody): create ${d.record.name} TXT "${d.record.value}", then roster sso verify --org ${organization.slug} ${d.domain}`,
      );
      out.print(
        view.configured
          ? [
              `SSO for ${organization.slug}: IdP ${view.identityProvider?.entityId}; SSO required: ${view.ssoRequired ? 'on' : 'off'}; IdP-initiated sign-in: ${view.idpInitiated ? 'on' : 'off'}${view.allowSha1Signatures ? '; SHA-1 signatures ACCEPTED (not recommended)' : ''}`,
              `Email domains:${domains.length === 0 ? ' (none)' : ''}`,
              ...domains,
            ].join('\n')
          : `SSO is not configured for ${organization.slug}. ACS URL: ${serviceProvider.acsUrl}`,
        data,
      );
      return 0;
    }
    if (action === 'verify') {
      if (!value) throw new UsageError('sso verify takes the domain: roster sso verify --org SLUG DOMAIN');
      const verified = await verifySsoDomain(store, createTxtResolver(config.dnsServers), {
        organizationId: organization.id,
        domain: value,
        actor: CLI_ACTOR,
      });
      out.print(
        `${verified.domain} is verified for ${organization.slug}: it now leads to its identity provider.`,
        { organization: organization.slug, ...verified },
      );
      return 0;
    }
    if (action === 'release-domain') {
      if (!value)
        throw new UsageError(
          'sso release-domain takes the domain: roster sso release-domain --org SLUG DOMAIN',
        );
      await releaseSsoDomain(store, { organizationId: organization.id, domain: value, actor: CLI_ACTOR });
      out.print(`${foldCase(value)} is no longer an SSO email domain of ${organization.slug}.`, {
        organization: organization.slug,
        domain: foldCase(value),
        released: true,
      });
      return 0;
    }
    const toggle = action === undefined ? undefined : TOGGLES[action];
    if (toggle) {
      if (value !== 'on' && value !== 'off') throw new UsageError(`sso ${action} takes on or off`);
      const on = value === 'on';
      await setSsoSwitch(store, { organizationId: organization.id, name: toggle.name, on, actor: CLI_ACTOR });
      out.print(toggle.said(organization.slug, on), { organization: organization.slug, [toggle.name]: on });
      return 0;
    }
    throw new UsageError('sso takes status, require, verify, release-domain, allow-sha1 or idp-initiated');
  });
}

/** Runs until interrupted. With --configure, points the organization's SSO settings at it. */
export async function testIdpCommand(config: Config, options: SsoOptions, out: Output): Promise<number> {
  const port = Number(options.port ?? '7000');
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError('--port must be a port number');
  const { organization, sp } = await withStore(config, async (store) => {
    const organization = await organizationBySlug(store, options.org);
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
