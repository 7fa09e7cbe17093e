// The guided setup a setup link opens for a customer's IT admin: SAML SSO (the service provider's
// details to give the IdP, the IdP's metadata, domains and their DNS verification) and SCIM (the
// base URL, a service token shown once, the Okta and Entra steps), with whether the first SSO
// sign-in and the first SCIM request have succeeded. The link's page asks for a click before it is
// spent (mail scanners open links); the browser that clicks gets the `roster_setup` cookie, the only
// credential of every later step, and nothing outside `/setup-link` accepts it.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createTxtResolver, verifySsoDomain } from '../../accounts/domain-verification.ts';
import { authenticateSetupSession, openSetupLink, type SetupSession } from '../../accounts/setup-links.ts';
import { getSsoSettings, saveSsoSettings } from '../../accounts/sso-settings.ts';
import { createToken } from '../../accounts/tokens.ts';
import { hashToken, isLinkSecret } from '../../auth/token-format.ts';
import { isRosterError, RosterError } from '../../errors.ts';
import { field } from '../../web/form-field.ts';
import { CSRF_FIELD, formToken } from '../../web/session.ts';
import { copyable, errorBox, notice, time } from '../components.ts';
import type { DashboardContext } from '../context.ts';
import { sentence } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { redirect, sendPage } from '../render.ts';

export const SETUP_COOKIE = 'roster_setup';
const SETUP_PATH = '/setup-link';

function setupCookieOf(request: FastifyRequest): string | undefined {
  return request.cookies?.[SETUP_COOKIE];
}

/** Whether the first SSO sign-in and the first successful SCIM request happened since the link was made. */
async function progress(ctx: DashboardContext, session: SetupSession) {
  const since = session.link.created_at;
  const [signIn] = await ctx.store.audit.search({
    organizationId: session.organization.id,
    action: 'sso.login',
    since,
    limit: 1,
  });
  const requests = await ctx.scimRequestLog.recent(session.organization.id, { limit: 1000 });
  const scim = requests
    .filter((r) => r.status < 300 && r.occurred_at >= since)
    .sort((a, b) => a.occurred_at.localeCompare(b.occurred_at))[0];
  return { signIn: signIn?.occurred_at ?? null, scim: scim?.occurred_at ?? null };
}

function check(done: string | null, what: string, waiting: string): SafeHtml {
  return done
    ? html`<li class="done"><strong>✓ ${what}</strong> — ${time(done)}</li>`
    : html`<li><strong>${what}:</strong> <span class="muted">${waiting}</span></li>`;
}

export function setupLinkPages(app: FastifyInstance, ctx: DashboardContext): void {
  const resolver = createTxtResolver(ctx.config.dnsServers);

  async function sessionOf(request: FastifyRequest): Promise<SetupSession> {
    const session = await authenticateSetupSession(ctx.store, setupCookieOf(request));
    if (!session) {
      throw new RosterError(
        'not_found',
        'this setup session has ended: the link expired or was revoked. Ask for a new setup link.',
      );
    }
    return session;
  }

  app.get<{ Params: { secret: string } }>('/setup-links/:secret', async (request, reply) => {
    const { secret } = request.params;
    const link = isLinkSecret(secret) ? await ctx.store.setupLinks.findByHash(hashToken(secret)) : undefined;
    const current = await authenticateSetupSession(ctx.store, setupCookieOf(request));
    if (link && current?.link.id === link.id) return redirect(reply, SETUP_PATH);
    const organization = link && (await ctx.store.organizations.getById(link.organization_id));
    if (
      !link ||
      !organization ||
      link.opened_at ||
      link.revoked_at ||
      Date.parse(link.expires_at) <= Date.now()
    ) {
      throw new RosterError(
        'not_found',
        'this setup link is not valid: it was opened already, expired, or was revoked. Ask for a new one.',
      );
    }
    return sendPage(ctx, request, reply, {
      title: 'Set up single sign-on and provisioning',
      plain: true,
      body: html`<h1>Set up ${organization.name}</h1>
        <p class="lead">Connect your identity provider (Okta, Microsoft Entra ID) to Roster: SAML single sign-on and SCIM
          provisioning. The link works once: this browser keeps the setup open until ${time(link.expires_at)}.</p>
        <form method="post" action="/setup-links/${secret}">
          <input type="hidden" name="${CSRF_FIELD}" value="${formToken(request, reply, ctx.secure)}">
          <div class="actions"><button type="submit">Start the setup</button></div>
        </form>`,
    });
  });

  app.post<{ Params: { secret: string } }>(
    '/setup-links/:secret',
    { config: { preSession: true } },
    async (request, reply) => {
      const cookie = randomBytes(32).toString('base64url');
      const link = await openSetupLink(ctx.store, {
        secret: request.params.secret,
        cookie,
        requestId: request.id,
      });
      reply.setCookie(SETUP_COOKIE, cookie, {
        httpOnly: true,
        sameSite: 'lax',
        secure: ctx.secure,
        path: SETUP_PATH,
        maxAge: Math.max(1, Math.floor((Date.parse(link.expires_at) - Date.now()) / 1000)),
      });
      return redirect(reply, SETUP_PATH);
    },
  );

  async function show(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { error?: string; token?: string; status?: number } = {},
  ) {
    const session = await sessionOf(request);
    const organizationId = session.organization.id;
    const sso = await getSsoSettings(ctx.store, ctx.config.publicUrl, organizationId);
    const state = await progress(ctx, session);
    const csrf = html`<input type="hidden" name="${CSRF_FIELD}" value="${formToken(request, reply, ctx.secure)}">`;
    const scimBaseUrl = `${ctx.config.publicUrl}/scim/v2`;
    return sendPage(ctx, request, reply, {
      title: 'Setup',
      plain: true,
      status: extra.status ?? 200,
      body: html`<h1>Set up ${session.organization.name}</h1>
        ${errorBox(extra.error)}
        <section class="panel" aria-labelledby="progress-heading">
          <h2 id="progress-heading">Progress</h2>
          <ul class="checklist">
            ${check(sso.configured ? (sso.updatedAt ?? '') : null, 'SSO settings saved', 'not yet')}
            ${check(state.signIn, 'First SSO sign-in', 'waiting for someone to sign in with SSO')}
            ${check(state.scim, 'First SCIM request', 'waiting for your identity provider to call Roster')}
          </ul>
          <p><a href="${SETUP_PATH}">Refresh</a></p>
        </section>

        <section class="panel" aria-labelledby="sso-heading">
          <h2 id="sso-heading">1. Single sign-on (SAML)</h2>
          <p>In your identity provider, create a SAML 2.0 application with these values (NameID: the email address):</p>
          ${copyable('sp-acs', 'Single sign-on URL (ACS)', sso.serviceProvider.acsUrl)}
          ${copyable('sp-entity', 'Audience URI (SP entity ID)', sso.serviceProvider.entityId)}
          <p>Then paste the application's IdP metadata here, with your email domains.</p>
          <form method="post" action="${SETUP_PATH}/sso">
            ${csrf}
            <label for="idp-metadata">IdP metadata XML</label>
            <textarea id="idp-metadata" name="idpMetadataXml" rows="6" required></textarea>
            <label for="domains">Email domains <span class="hint">Comma-separated, e.g. example.com. Each is verified by a DNS TXT record.</span></label>
            <input type="text" id="domains" name="domains" value="${sso.domains.join(', ')}">
            <label class="choice"><input type="checkbox" name="justInTime" value="on"${sso.justInTimeProvisioning ? html` checked` : ''}>
              <span>Create members at their first sign-in (as Members) <span class="hint">Otherwise only people provisioned by SCIM may sign in.</span></span></label>
            <div class="actions"><button type="submit">Save SSO settings</button></div>
          </form>
          ${
            sso.domainVerification.length > 0 &&
            html`<h3>Domains</h3>
            <ul class="domains">${sso.domainVerification.map(
              (d) =>
                html`<li><strong>${d.domain}</strong>: ${
                  d.verified
                    ? html`verified ${time(d.verifiedAt)}`
                    : html`add the TXT record <span class="mono">${d.record.name}</span> = <span class="mono">${d.record.value}</span>, then
                    <form method="post" action="${SETUP_PATH}/verify" class="inline-form">${csrf}<input type="hidden" name="domain" value="${d.domain}"><button type="submit" class="button-secondary">Verify</button></form>`
                }</li>`,
            )}</ul>`
          }
          <p>People then sign in at <span class="mono">${sso.serviceProvider.signInUrl}</span>, or from Roster's sign-in page with <em>Continue with SSO</em>.</p>
        </section>

        <section class="panel" aria-labelledby="scim-heading">
          <h2 id="scim-heading">2. Provisioning (SCIM)</h2>
          ${copyable('scim-base-url', 'SCIM base URL', scimBaseUrl)}
          ${
            extra.token
              ? html`${notice('Copy the token now: it is not shown again.')}${copyable('scim-token', 'API token', extra.token)}`
              : html`<form method="post" action="${SETUP_PATH}/scim-token">${csrf}
                <div class="actions"><button type="submit">Create the SCIM token</button></div></form>`
          }
          <h3>Okta</h3>
          <ol>
            <li>In the application, <em>General → App Settings</em>: enable SCIM provisioning.</li>
            <li><em>Provisioning → Integration</em>: SCIM connector base URL above; Unique identifier field <span class="mono">userName</span>;
              Push New Users, Push Profile Updates; Authentication Mode <em>HTTP Header</em> with the token.</li>
            <li><em>Test Connector Configuration</em>, save, then under <em>To App</em> enable Create Users, Update User Attributes and Deactivate Users.</li>
          </ol>
          <h3>Microsoft Entra ID</h3>
          <ol>
            <li>Enterprise application → <em>Provisioning</em> → Mode <em>Automatic</em>.</li>
            <li>Tenant URL: the base URL above; Secret Token: the token. <em>Test Connection</em>, then save.</li>
            <li>Assign users and groups, then <em>Start provisioning</em>.</li>
          </ol>
        </section>`,
    });
  }

  app.get(SETUP_PATH, (request, reply) => show(request, reply));

  const refused = (request: FastifyRequest, reply: FastifyReply, error: unknown) => {
    if (isRosterError(error, 'invalid_value', 'conflict', 'not_found')) {
      return show(request, reply, { error: sentence(error.message), status: error.status });
    }
    throw error;
  };

  app.post(`${SETUP_PATH}/sso`, { config: { preSession: true } }, async (request, reply) => {
    const session = await sessionOf(request);
    try {
      await saveSsoSettings(ctx.store, {
        organizationId: session.organization.id,
        settings: {
          idpMetadataXml: field(request.body, 'idpMetadataXml'),
          domains: field(request.body, 'domains')
            .split(/[\s,;]+/)
            .filter(Boolean),
          justInTimeProvisioning: field(request.body, 'justInTime') === 'on',
          justInTimeRole: 'member',
        },
        actor: session.actor,
        requestId: request.id,
        publicUrl: ctx.config.publicUrl,
      });
    } catch (error) {
      return refused(request, reply, error);
    }
    return redirect(reply, SETUP_PATH);
  });

  app.post(`${SETUP_PATH}/verify`, { config: { preSession: true } }, async (request, reply) => {
    const session = await sessionOf(request);
    try {
      await verifySsoDomain(ctx.store, resolver, {
        organizationId: session.organization.id,
        domain: field(request.body, 'domain'),
        actor: session.actor,
        requestId: request.id,
      });
    } catch (error) {
      return refused(request, reply, error);
    }
    return redirect(reply, SETUP_PATH);
  });

  app.post(`${SETUP_PATH}/scim-token`, { config: { preSession: true } }, async (request, reply) => {
    const session = await sessionOf(request);
    const created = await createToken(ctx.store, {
      kind: 'service',
      organizationId: session.organization.id,
      name: 'SCIM (setup link)',
      role: 'admin',
      actor: session.actor,
      requestId: request.id,
    });
    // In the answer to the POST only: reloading the page does not show it again.
    return show(request, reply, { token: created.token, status: 201 });
  });
}
