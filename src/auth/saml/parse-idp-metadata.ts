// IdP metadata (SAML 2.0 Metadata, §2.4.3 IDPSSODescriptor) → what Roster needs of it: the entity
// ID, the SingleSignOnService location (HTTP-Redirect preferred, else HTTP-POST) and the signing
// certificates. Okta's "Identity Provider metadata" link serves exactly such a document.
import { RosterError } from '../../errors.ts';
import type { SsoBinding } from '../../store/schema.ts';
import { parseCertificates } from './certificates.ts';
import { childElements, descendants, NS, parseXml, textOf, XmlParseError } from './xml.ts';

export const BINDINGS: Record<string, SsoBinding> = {
  'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect': 'redirect',
  'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST': 'post',
};

export const MAX_METADATA_BYTES = 512 * 1024;

export interface IdpMetadata {
  entityId: string;
  ssoUrl: string;
  binding: SsoBinding;
  /** PEM. */
  certificates: string[];
}

export function parseIdpMetadata(xml: string): IdpMetadata {
  if (Buffer.byteLength(xml) > MAX_METADATA_BYTES) {
    throw new RosterError('invalid_value', 'the IdP metadata is larger than 512 KiB');
  }
  let document: Document;
  try {
    document = parseXml(xml.trim());
  } catch (error) {
    if (error instanceof XmlParseError) {
      throw new RosterError('invalid_value', `the IdP metadata is not valid XML: ${error.message}`);
    }
    throw error;
  }
  // An EntityDescriptor, or the first one with an IDPSSODescriptor inside an EntitiesDescriptor.
  const entity = descendants(document, NS.metadata, 'EntityDescriptor').find(
    (candidate) => childElements(candidate, NS.metadata, 'IDPSSODescriptor').length > 0,
  );
  const idp = entity ? childElements(entity, NS.metadata, 'IDPSSODescriptor')[0] : undefined;
  if (!entity || !idp) {
    throw new RosterError(
      'invalid_value',
      'the IdP metadata has no EntityDescriptor with an IDPSSODescriptor',
    );
  }
  const entityId = entity.getAttribute('entityID')?.trim() ?? '';
  if (entityId === '') throw new RosterError('invalid_value', 'the IdP metadata has no entityID');

  const services = childElements(idp, NS.metadata, 'SingleSignOnService').map((service) => ({
    binding: BINDINGS[service.getAttribute('Binding') ?? ''],
    location: service.getAttribute('Location')?.trim() ?? '',
  }));
  const service =
    services.find((s) => s.binding === 'redirect' && s.location) ??
    services.find((s) => s.binding === 'post' && s.location);
  if (!service?.binding) {
    throw new RosterError(
      'invalid_value',
      'the IdP metadata has no SingleSignOnService with the HTTP-Redirect or HTTP-POST binding',
    );
  }

  const certificates: string[] = [];
  for (const key of childElements(idp, NS.metadata, 'KeyDescriptor')) {
    const use = key.getAttribute('use');
    if (use && use !== 'signing') continue;
    for (const element of descendants(key, NS.dsig, 'X509Certificate')) {
      certificates.push(...parseCertificates(textOf(element)));
    }
  }
  if (certificates.length === 0) {
    throw new RosterError('invalid_value', 'the IdP metadata has no signing certificate');
  }
  return {
    entityId,
    ssoUrl: service.location,
    binding: service.binding,
    certificates: [...new Set(certificates)],
  };
}
