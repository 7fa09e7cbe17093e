// `/api/v1/sso`: the organization's SAML SSO settings, for Admins (token or session). GET shows
// them with the service-provider values to give the IdP; PUT validates and replaces them (fields
// omitted keep their value), audited as `sso.settings_updated`. Invalid input stores nothing: 400.
// POST /api/v1/sso/domains/{domain}/verify checks the domain's DNS TXT record: 200 with the domain
// verified, or 409 saying what the lookup found (404 for a domain the organization does not claim).
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import { type TxtResolver, verifySsoDomain } from '../../accounts/domain-verification.ts';
import { getSsoSettings, type SsoSettingsInput, saveSsoSettings } from '../../accounts/sso-settings.ts';
import type { TokenAuthenticator } from '../../auth/authenticate-token.ts';
import { RosterError } from '../../errors.ts';
import type { Store } from '../../store/store.ts';
import { apiRoute, ref } from '../api-schemas.ts';
import { objectBody } from '../api-views.ts';
import { principalOf, requireCaller } from '../authenticate.ts';

function optional<T>(
  body: Record<string, unknown>,
  name: string,
  check: (v: unknown) => v is T,
  expected: string,
) {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (!check(value)) throw new RosterError('invalid_value', `${name} must be ${expected}`);
  return value;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);

/** The JSON body → the use case's input, refusing wrong types with a 400 that names the field. */
export function ssoSettingsInput(raw: unknown): SsoSettingsInput {
  const body = objectBody(raw);
  const binding = optional(body, 'idpSsoBinding', isString, '"redirect" or "post"');
  if (binding !== undefined && binding !== 'redirect' && binding !== 'post') {
    throw new RosterError('invalid_value', 'idpSsoBinding must be "redirect" or "post"');
  }
  const role = optional(body, 'justInTimeRole', isString, '"admin" or "member"');
  if (role !== undefined && role !== 'admin' && role !== 'member') {
    throw new RosterError('invalid_value', 'justInTimeRole must be "admin" or "member"');
  }
  const input: SsoSettingsInput = {};
  const assign = <K extends keyof SsoSettingsInput>(key: K, value: SsoSettingsInput[K] | undefined) => {
    if (value !== undefined) input[key] = value;
  };
  assign('idpMetadataXml', optional(body, 'idpMetadataXml', isString, 'a string of XML'));
  assign('idpEntityId', optional(body, 'idpEntityId', isString, 'a string'));
  assign('idpSsoUrl', optional(body, 'idpSsoUrl', isString, 'a string'));
  assign('idpSsoBinding', binding);
  assign('idpCertificate', optional(body, 'idpCertificate', isString, 'a PEM or base64 string'));
  assign('domains', optional(body, 'domains', isStrings, 'an array of strings'));
  assign('ssoRequired', optional(body, 'ssoRequired', isBoolean, 'true or false'));
  assign('justInTimeProvisioning', optional(body, 'justInTimeProvisioning', isBoolean, 'true or false'));
  assign('justInTimeRole', role);
  assign('signAuthnRequests', optional(body, 'signAuthnRequests', isBoolean, 'true or false'));
  assign('allowSha1Signatures', optional(body, 'allowSha1Signatures', isBoolean, 'true or false'));
  assign('idpInitiated', optional(body, 'idpInitiated', isBoolean, 'true or false'));
  return input;
}

const SETTINGS = {
  type: 'object',
  required: ['configured', 'serviceProvider', 'domains', 'domainVerification', 'ssoRequired'],
  properties: {
    configured: { type: 'boolean' },
    serviceProvider: {
      type: 'object',
      description: 'what to give the identity provider: entity id, ACS URL, metadata URL, certificate',
    },
    identityProvider: {
      type: ['object', 'null'],
      properties: {
        entityId: { type: 'string' },
        ssoUrl: { type: 'string' },
        ssoBinding: { type: 'string', enum: ['redirect', 'post'] },
        certificates: { type: 'array', items: { type: 'object' } },
      },
    },
    domains: { type: 'array', items: { type: 'string' } },
    domainVerification: { type: 'array', items: ref('DomainVerification') },
    ssoRequired: { type: 'boolean' },
    justInTimeProvisioning: { type: 'boolean' },
    justInTimeRole: { type: 'string', enum: ['admin', 'member'] },
    signAuthnRequests: { type: 'boolean' },
    allowSha1Signatures: { type: 'boolean' },
    idpInitiated: { type: 'boolean' },
    updatedAt: { type: ['string', 'null'] },
  },
} as const;
const optionalString = (description: string) => ({ type: ['string', 'null'], description });
const optionalBoolean = { type: ['boolean', 'null'] };

const GET = apiRoute({
  tags: ['sso'],
  summary: "The organization's SAML SSO settings (Admins)",
  success: { 200: SETTINGS },
});
const PUT = apiRoute({
  tags: ['sso'],
  summary: 'Replace the SAML SSO settings (Admins); fields left out keep their value',
  body: {
    type: 'object',
    properties: {
      idpMetadataXml: optionalString("the IdP's metadata XML (entity id, SSO URL and certificate from it)"),
      idpEntityId: optionalString("the IdP's entity id (Issuer)"),
      idpSsoUrl: optionalString("the IdP's single sign-on URL (https)"),
      idpSsoBinding: { type: ['string', 'null'], enum: ['redirect', 'post', null] },
      idpCertificate: optionalString("the IdP's signing certificate, PEM or base64"),
      domains: { type: ['array', 'null'], items: { type: 'string' }, description: 'email domains' },
      ssoRequired: optionalBoolean,
      justInTimeProvisioning: optionalBoolean,
      justInTimeRole: { type: ['string', 'null'], enum: ['admin', 'member', null] },
      signAuthnRequests: optionalBoolean,
      allowSha1Signatures: optionalBoolean,
      idpInitiated: optionalBoolean,
    },
  },
  success: { 200: SETTINGS },
});
const VERIFY = apiRoute({
  tags: ['sso'],
  summary: "Check a claimed email domain's DNS TXT record and mark it verified (Admins)",
  description: '409 with what the lookup found when the record is not there.',
  params: {
    type: 'object',
    required: ['domain'],
    properties: { domain: { type: 'string', maxLength: 100 } },
  },
  success: { 200: ref('DomainVerification') },
});

export function apiSsoRoutes(
  app: FastifyInstance,
  store: Store,
  authenticator: TokenAuthenticator,
  publicUrl: string,
  resolver: TxtResolver,
): void {
  app.register(async (scope) => {
    await scope.register(fastifyCookie);
    const admin = { onRequest: requireCaller(authenticator, store, 'admin') };

    scope.get('/api/v1/sso', { ...admin, schema: GET }, async (request) => {
      return getSsoSettings(store, publicUrl, principalOf(request).organizationId);
    });

    scope.put('/api/v1/sso', { ...admin, schema: PUT }, async (request) => {
      const principal = principalOf(request);
      return saveSsoSettings(store, {
        organizationId: principal.organizationId,
        settings: ssoSettingsInput(request.body),
        actor: principal.actor,
        requestId: request.id,
        publicUrl,
      });
    });

    scope.post<{ Params: { domain: string } }>(
      '/api/v1/sso/domains/:domain/verify',
      { ...admin, schema: VERIFY },
      async (request) => {
        const principal = principalOf(request);
        return verifySsoDomain(store, resolver, {
          organizationId: principal.organizationId,
          domain: request.params.domain,
          actor: principal.actor,
          requestId: request.id,
        });
      },
    );
  });
}
