// Settings → Organization → SSO: what to paste into the identity provider (SP entity ID, ACS URL,
// metadata URL), the IdP's settings (pasted metadata, or entity ID + SSO URL + certificate), the
// email domains the organization owns, "SSO required", just-in-time provisioning, AuthnRequest
// signing and the SHA-1 opt-in (with a warning while it is on). Saving goes through the same use
// case as `PUT /api/v1/sso`. Below the form, each email domain's DNS TXT record and its "Verify"
// button: a domain routes nobody until verified.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createTxtResolver, verifySsoDomain } from '../../accounts/domain-verification.ts';
import {
  getSsoSettings,
  type SsoSettingsInput,
  type SsoSettingsView,
  saveSsoSettings,
} from '../../accounts/sso-settings.ts';
import { isRosterError } from '../../errors.ts';
import { field } from '../../web/form-field.ts';
import { errorBox, notice } from '../components.ts';
import { adminViewerOf, type DashboardContext, queryValue, type Viewer } from '../context.ts';
import { formatDate, sentence } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { SSO_SETTINGS_PATH } from '../navigation.ts';
import { csrfInput, redirect, sendPage } from '../render.ts';

interface FormValues {
  idpMetadataXml: string;
  idpEntityId: string;
  idpSsoUrl: string;
  idpCertificate: string;
  domains: string;
  ssoRequired: boolean;
  provisioning: 'existing' | 'jit';
  justInTimeRole: 'admin' | 'member';
  signAuthnRequests: boolean;
  allowSha1Signatures: boolean;
  /** Radio buttons: absent from an older form means "keep as it is". */
  idpInitiated: boolean | undefined;
}

function valuesOf(view: SsoSettingsView): FormValues {
  return {
    idpMetadataXml: '',
    idpEntityId: view.identityProvider?.entityId ?? '',
    idpSsoUrl: view.identityProvider?.ssoUrl ?? '',
    idpCertificate: view.identityProvider?.certificates.map((c) => c.pem).join('') ?? '',
    domains: view.domains.join('\n'),
    ssoRequired: view.ssoRequired,
    provisioning: view.justInTimeProvisioning ? 'jit' : 'existing',
    justInTimeRole: view.justInTimeRole,
    signAuthnRequests: view.signAuthnRequests,
    allowSha1Signatures: view.allowSha1Signatures,
    idpInitiated: view.idpInitiated,
  };
}

/** Shown while SHA-1 signatures are accepted: they no longer prove the IdP signed what arrives. */
function sha1Warning(view: SsoSettingsView): SafeHtml {
  if (!view.allowSha1Signatures) return html``;
  return html`<div class="warning" role="alert" id="sha1-warning"><strong>SHA-1 signatures are accepted.</strong>
    SHA-1 is broken: a response signed with it does not prove that your identity provider signed exactly what Roster receives.
    Switch your identity provider to RSA-SHA256 (in ADFS: the relying party's <em>Advanced</em> tab, secure hash algorithm SHA-256), then untick <em>Accept SHA-1 signatures</em> below.</div>`;
}

function copyField(id: string, label: string, value: string): SafeHtml {
  return html`<label for="${id}">${label}</label>
    <div class="secret">
      <input type="text" id="${id}" readonly value="${value}">
      <button type="button" class="button-secondary" data-copy-target="${id}" data-copy-status="${id}-status">Copy</button>
      <span id="${id}-status" class="copy-status" role="status" aria-live="polite"></span>
    </div>`;
}

function checked(on: boolean): SafeHtml {
  return on ? html` checked` : html``;
}

function serviceProviderPanel(view: SsoSettingsView): SafeHtml {
  const sp = view.serviceProvider;
  return html`<section class="panel" aria-labelledby="sp-heading">
    <h2 id="sp-heading">For your identity provider</h2>
    <p>In Okta, create a <strong>SAML 2.0</strong> app and use these values (see <em>docs/sso-okta.md</em>).</p>
    ${copyField('sp-acs-url', 'Single sign-on URL (Assertion Consumer Service, HTTP-POST)', sp.acsUrl)}
    ${copyField('sp-entity-id', 'Audience URI (SP entity ID)', sp.entityId)}
    ${copyField('sp-metadata-url', 'SP metadata URL', sp.metadataUrl)}
    ${copyField('sp-sign-in-url', 'Sign-in link for your people (SP-initiated)', sp.signInUrl)}
    <p class="hint">Name ID format: <strong>EmailAddress</strong>. Application username: <strong>Email</strong>.
      Attribute statements: <span class="mono">email</span>, <span class="mono">firstName</span>, <span class="mono">lastName</span>.</p>
  </section>`;
}

function certificateList(view: SsoSettingsView): SafeHtml {
  const certificates = view.identityProvider?.certificates ?? [];
  if (certificates.length === 0) return html``;
  return html`<ul class="hint">
    ${certificates.map(
      (c) =>
        html`<li>${c.subject} · valid until ${formatDate(c.notAfter)} · SHA-256 <span class="mono">${c.fingerprintSha256}</span></li>`,
    )}
  </ul>`;
}

function domainsPanel(viewer: Viewer, view: SsoSettingsView): SafeHtml {
  if (view.domainVerification.length === 0) return html``;
  return html`<section class="panel" aria-labelledby="domains-heading">
    <h2 id="domains-heading">Email domain verification</h2>
    <p>A domain leads people to your identity provider, and lets it create members at their first sign-in, only once
      you prove that your organization controls it: create the DNS TXT record below at the domain's DNS host, then choose
      <strong>Verify</strong>. One organization at a time can hold a domain verified.</p>
    <ul class="domain-list">
      ${view.domainVerification.map(
        (domain, index) => html`<li>
          <h3>${domain.domain}
            ${domain.verified ? html`<span class="badge badge-active">Verified</span>` : html`<span class="badge badge-error">Not verified</span>`}</h3>
          ${
            domain.verified
              ? html`<p class="hint">Verified on ${formatDate(domain.verifiedAt ?? '')}. Keep the TXT record: it is how you would prove it again.</p>`
              : html`<p class="hint">Until it is verified, ${domain.domain} does not route "Continue with SSO" and allows no just-in-time provisioning.</p>
              ${copyField(`txt-name-${index}`, 'Record name (host)', domain.record.name)}
              <p class="hint">Type: <strong>TXT</strong></p>
              ${copyField(`txt-value-${index}`, 'Record value', domain.record.value)}
              <form method="post" action="${SSO_SETTINGS_PATH}/verify" class="inline-form">
                ${csrfInput(viewer)}
                <input type="hidden" name="domain" value="${domain.domain}">
                <button type="submit">Verify ${domain.domain}</button>
              </form>`
          }
        </li>`,
      )}
    </ul>
  </section>`;
}

function settingsForm(viewer: Viewer, view: SsoSettingsView, values: FormValues): SafeHtml {
  return html`<form method="post" action="${SSO_SETTINGS_PATH}" class="panel">
    ${csrfInput(viewer)}
    <h2>Identity provider</h2>
    <label for="idp-metadata">IdP metadata XML <span class="hint">Paste your identity provider's metadata (in Okta: Sign On tab → Metadata details → Metadata URL, open it and copy the XML). It replaces the three fields below.</span></label>
    <textarea id="idp-metadata" name="idpMetadataXml" rows="6" spellcheck="false">${values.idpMetadataXml}</textarea>
    <label for="idp-entity-id">IdP entity ID (issuer)</label>
    <input type="text" id="idp-entity-id" name="idpEntityId" value="${values.idpEntityId}" spellcheck="false">
    <label for="idp-sso-url">IdP single sign-on URL <span class="hint">HTTPS. Roster sends the AuthnRequest there with the HTTP-Redirect binding.</span></label>
    <input type="text" id="idp-sso-url" name="idpSsoUrl" value="${values.idpSsoUrl}" spellcheck="false">
    <label for="idp-certificate">IdP signing certificate <span class="hint">PEM, or the bare base64 of the certificate. Several PEM blocks are accepted during a rotation.</span></label>
    <textarea id="idp-certificate" name="idpCertificate" rows="6" spellcheck="false">${values.idpCertificate}</textarea>
    ${certificateList(view)}

    <h2>Who signs in</h2>
    <label for="sso-domains">Email domains <span class="hint">One per line, e.g. example.com. Once verified (below), people who enter an email at one of these domains on the sign-in page continue with this identity provider. Public email providers (gmail.com, outlook.com, …) are refused.</span></label>
    <textarea id="sso-domains" name="domains" rows="3" spellcheck="false">${values.domains}</textarea>
    <fieldset>
      <legend>Members who do not exist yet in Roster</legend>
      <label class="choice"><input type="radio" name="provisioning" value="existing"${checked(values.provisioning === 'existing')}>
        Only members provisioned by SCIM (or added otherwise) may sign in</label>
      <label class="choice"><input type="radio" name="provisioning" value="jit"${checked(values.provisioning === 'jit')}>
        Create members at their first SSO sign-in, with the role</label>
      <label for="jit-role" class="visually-hidden">Role of members created at first sign-in</label>
      <select id="jit-role" name="justInTimeRole">
        <option value="member"${values.justInTimeRole === 'member' ? html` selected` : ''}>Member</option>
        <option value="admin"${values.justInTimeRole === 'admin' ? html` selected` : ''}>Admin</option>
      </select>
    </fieldset>
    <fieldset>
      <legend>Sign-ins started at the identity provider (IdP-initiated, such as an Okta app tile)</legend>
      <label class="choice"><input type="radio" name="idpInitiated" value="on"${checked(values.idpInitiated !== false)}>
        Accept them <span class="hint">If the browser is already signed in to Roster as someone else, Roster asks before switching.</span></label>
      <label class="choice"><input type="radio" name="idpInitiated" value="off"${checked(values.idpInitiated === false)}>
        Refuse them: sign-ins must start at Roster <span class="hint">Safer: a response nobody asked for cannot sign anyone in. Point the Okta tile at Roster's sign-in link with <em>Initiate login URI</em> (docs/sso-okta.md).</span></label>
    </fieldset>
    <label class="choice"><input type="checkbox" name="ssoRequired" value="on"${checked(values.ssoRequired)}>
      <span><strong>SSO required</strong>: refuse password sign-in for every member of this organization, Admins included.
      <span class="hint">Turn it on once an SSO sign-in has worked. If your identity provider fails, the server's operator can turn it off with <span class="mono">roster sso require --org ${viewer.organizationSlug} off</span>.</span></span></label>
    <label class="choice"><input type="checkbox" name="signAuthnRequests" value="on"${checked(values.signAuthnRequests)}>
      <span>Sign AuthnRequests <span class="hint">Only if your identity provider asks for it; then give it the SP metadata URL above, which carries the signing certificate.</span></span></label>
    <label class="choice"><input type="checkbox" name="allowSha1Signatures" value="on"${checked(values.allowSha1Signatures)}>
      <span>Accept SHA-1 signatures <span class="hint">Not recommended. Roster refuses responses signed or digested with SHA-1 unless this is ticked; tick it only for an identity provider that cannot sign with SHA-256 yet, and untick it once it does.</span></span></label>
    <div class="actions"><button type="submit">Save SSO settings</button></div>
  </form>`;
}

function formInput(body: unknown): { values: FormValues; input: SsoSettingsInput } {
  const values: FormValues = {
    idpMetadataXml: field(body, 'idpMetadataXml'),
    idpEntityId: field(body, 'idpEntityId'),
    idpSsoUrl: field(body, 'idpSsoUrl'),
    idpCertificate: field(body, 'idpCertificate'),
    domains: field(body, 'domains'),
    ssoRequired: field(body, 'ssoRequired') === 'on',
    provisioning: field(body, 'provisioning') === 'jit' ? 'jit' : 'existing',
    justInTimeRole: field(body, 'justInTimeRole') === 'admin' ? 'admin' : 'member',
    signAuthnRequests: field(body, 'signAuthnRequests') === 'on',
    allowSha1Signatures: field(body, 'allowSha1Signatures') === 'on',
    idpInitiated: { on: true, off: false }[field(body, 'idpInitiated')],
  };
  const metadata = values.idpMetadataXml.trim() !== '';
  const input: SsoSettingsInput = {
    // Pasted metadata replaces the three fields, which still show the previous values.
    ...(metadata
      ? { idpMetadataXml: values.idpMetadataXml }
      : {
          idpEntityId: values.idpEntityId,
          idpSsoUrl: values.idpSsoUrl,
          idpCertificate: values.idpCertificate,
        }),
    domains: values.domains.split(/[\s,;]+/).filter(Boolean),
    ssoRequired: values.ssoRequired,
    justInTimeProvisioning: values.provisioning === 'jit',
    justInTimeRole: values.justInTimeRole,
    signAuthnRequests: values.signAuthnRequests,
    allowSha1Signatures: values.allowSha1Signatures,
    ...(values.idpInitiated === undefined ? {} : { idpInitiated: values.idpInitiated }),
  };
  return { values, input };
}

export function ssoSettingsPages(app: FastifyInstance, ctx: DashboardContext): void {
  const resolver = createTxtResolver(ctx.config.dnsServers);

  async function show(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { values?: FormValues; error?: string; status?: number } = {},
  ) {
    const viewer = adminViewerOf(request);
    const view = await getSsoSettings(ctx.store, ctx.config.publicUrl, viewer.organizationId);
    const saved = queryValue(request, 'saved') === '1';
    const verified = queryValue(request, 'verified');
    const unverified = view.domainVerification.filter((domain) => !domain.verified).map((d) => d.domain);
    return sendPage(ctx, request, reply, {
      title: 'Single sign-on (SAML)',
      currentPath: SSO_SETTINGS_PATH,
      status: extra.status ?? 200,
      body: html`<h1>Single sign-on (SAML)</h1>
        <p class="lead">Members of <strong>${viewer.organizationName}</strong> sign in with your identity provider (Okta, or any SAML 2.0 IdP).
          ${view.configured ? (view.ssoRequired ? 'SSO is set up and required.' : 'SSO is set up; password sign-in still works.') : 'SSO is not set up yet.'}</p>
        ${saved && notice('The SSO settings were saved.')}
        ${verified && view.domainVerification.some((d) => d.domain === verified && d.verified) && notice(`${verified} is verified: it now leads to your identity provider.`)}
        ${errorBox(extra.error)}
        ${unverified.length > 0 && html`<div class="error-box" role="status">Not verified yet: ${unverified.join(', ')}. An unverified domain does not lead anyone to your identity provider and allows no just-in-time provisioning. Domains saved before Roster checked DNS need verifying too. See <a href="#domains-heading">Email domain verification</a>.</div>`}
        ${sha1Warning(view)}
        ${serviceProviderPanel(view)}
        ${settingsForm(viewer, view, extra.values ?? valuesOf(view))}
        ${domainsPanel(viewer, view)}`,
    });
  }

  app.get(SSO_SETTINGS_PATH, (request, reply) => show(request, reply));

  app.post(SSO_SETTINGS_PATH, async (request, reply) => {
    const viewer = adminViewerOf(request);
    const { values, input } = formInput(request.body);
    try {
      await saveSsoSettings(ctx.store, {
        organizationId: viewer.organizationId,
        settings: input,
        actor: viewer.actor,
        requestId: request.id,
        publicUrl: ctx.config.publicUrl,
      });
    } catch (error) {
      if (isRosterError(error, 'invalid_value', 'conflict')) {
        const status = error.status;
        return show(request, reply, { values, error: sentence(error.message), status });
      }
      throw error;
    }
    return redirect(reply, `${SSO_SETTINGS_PATH}?saved=1`);
  });

  app.post(`${SSO_SETTINGS_PATH}/verify`, async (request, reply) => {
    const viewer = adminViewerOf(request);
    const domain = field(request.body, 'domain');
    let verified: string;
    try {
      verified = (
        await verifySsoDomain(ctx.store, resolver, {
          organizationId: viewer.organizationId,
          domain,
          actor: viewer.actor,
          requestId: request.id,
        })
      ).domain;
    } catch (error) {
      if (isRosterError(error, 'conflict', 'not_found')) {
        const status = error.status;
        return show(request, reply, { error: sentence(error.message), status });
      }
      throw error;
    }
    return redirect(reply, `${SSO_SETTINGS_PATH}?verified=${encodeURIComponent(verified)}`);
  });
}
