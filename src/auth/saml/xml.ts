// Parsing untrusted XML (IdP metadata, SAML messages) with @xmldom/xmldom: any error or warning
// makes the document invalid, and a DOCTYPE is refused outright (no entity tricks; SAML never
// needs one).
import { DOMParser } from '@xmldom/xmldom';

export const NS = {
  metadata: 'urn:oasis:names:tc:SAML:2.0:metadata',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
} as const;

export class XmlParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlParseError';
  }
}

export function parseXml(text: string): Document {
  if (/<!DOCTYPE/i.test(text)) throw new XmlParseError('XML with a DOCTYPE is not accepted');
  const fail = (message: string) => {
    throw new XmlParseError(message.split('\n')[0] ?? 'invalid XML');
  };
  const document = new DOMParser({
    locator: {},
    errorHandler: { warning: fail, error: fail, fatalError: fail },
  }).parseFromString(text, 'text/xml');
  if (!document?.documentElement) throw new XmlParseError('the XML has no root element');
  return document as unknown as Document;
}

/** Element children of `parent` with the namespace and local name given. */
export function childElements(parent: Element | Document, namespace: string, localName: string): Element[] {
  const found: Element[] = [];
  const nodes = parent.childNodes;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes.item(i);
    if (node && node.nodeType === 1) {
      const element = node as Element;
      if (element.namespaceURI === namespace && element.localName === localName) found.push(element);
    }
  }
  return found;
}

export function firstChild(
  parent: Element | Document,
  namespace: string,
  localName: string,
): Element | undefined {
  return childElements(parent, namespace, localName)[0];
}

/** Descendants by namespace and local name, in document order. */
export function descendants(parent: Element | Document, namespace: string, localName: string): Element[] {
  return Array.from(parent.getElementsByTagNameNS(namespace, localName) as ArrayLike<Element>);
}

export function textOf(element: Element | undefined): string {
  return (element?.textContent ?? '').trim();
}
