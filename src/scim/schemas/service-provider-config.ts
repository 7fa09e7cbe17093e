// `GET /ServiceProviderConfig` (RFC 7643 §5, RFC 7644 §4). Truthful: IdPs read it to decide what
// to send, so nothing is advertised that Roster does not do (no bulk, no password change).
import { trimBaseUrl } from './schema-documents.ts';
import { SERVICE_PROVIDER_CONFIG_SCHEMA } from './urns.ts';

export interface ServiceProviderConfigOptions {
  /** The most resources one list response returns (`count` is capped to it). Default 200. */
  maxResults?: number;
  /** A page explaining Roster's SCIM setup, when the deployment has one. */
  documentationUri?: string;
}

export interface ServiceProviderConfigDocument {
  schemas: [typeof SERVICE_PROVIDER_CONFIG_SCHEMA];
  documentationUri?: string;
  patch: { supported: boolean };
  bulk: { supported: boolean; maxOperations: number; maxPayloadSize: number };
  filter: { supported: boolean; maxResults: number };
  changePassword: { supported: boolean };
  sort: { supported: boolean };
  etag: { supported: boolean };
  authenticationSchemes: {
    type: string;
    name: string;
    description: string;
    specUri?: string;
    documentationUri?: string;
    primary: boolean;
  }[];
  meta: { resourceType: 'ServiceProviderConfig'; location: string };
}

export const DEFAULT_MAX_RESULTS = 200;

export function serviceProviderConfig(
  baseUrl: string,
  options: ServiceProviderConfigOptions = {},
): ServiceProviderConfigDocument {
  return {
    schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA],
    ...(options.documentationUri ? { documentationUri: options.documentationUri } : {}),
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: options.maxResults ?? DEFAULT_MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description:
          'Send a Roster service access token, or a personal access token with the Admin role, as ' +
          '"Authorization: Bearer <token>". The token identifies the organization.',
        specUri: 'https://www.rfc-editor.org/info/rfc6750',
        primary: true,
      },
    ],
    meta: {
      resourceType: 'ServiceProviderConfig',
      location: `${trimBaseUrl(baseUrl)}/ServiceProviderConfig`,
    },
  };
}
