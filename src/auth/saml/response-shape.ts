// The shape of a SAML Response, checked on the raw XML text before anything builds a DOM from it,
// verifies a signature or runs an XPath query: one pass, in time linear in the text, with memory
// bounded by the depth limit. What node-saml (and xmldom under it) does with a document is far
// from linear: XPath over an element's children is quadratic (20,000 empty siblings of the
// Response blocked the event loop for 7 s), every `//*[@ID=…]` query visits every node and
// attribute, and xmldom's namespace bookkeeping grows with depth × declarations (10,000 nested
// elements declaring a prefix: 0.9 s to parse). So a response must look like one an identity
// provider sends before it costs more than this scan.
//
// The limits, measured on responses shaped like real ones (test/auth/saml/response-shape.test.ts;
// docs/sso-okta.md, "Limits on the SAML response"):
// - Okta, response and assertion signed, email/firstName/lastName and three groups: 55 elements,
//   59 attributes, depth 7, 7 KiB. Entra ID sends at most 150 groups in a SAML token (more become
//   an "overage" link): 210 elements, 38 KiB with its long claim names. ADFS has no cap: 600 group
//   names in Okta's verbose style (each value declaring xmlns:xs and xmlns:xsi) are 648 elements,
//   1,840 attributes, 109 KiB.
// - Roster reads three attributes (email, given and family name); group claims are of no use to
//   it. 1,000 elements, 2,000 attributes and 128 KiB admit Entra's maximum several times over and
//   ADFS with 600 groups, and keep what node-saml spends on the worst response that passes to
//   0.1-0.2 s (on a shared two-core machine), instead of the 7 s to a minute that 20,000-40,000
//   elements took; the rate limits (src/http/saml-limits.ts) bound how often.
// - Attributes cost as much as elements: every `//*[@ID=…]` query visits them all, and 800
//   elements of 30 attributes each took over a second. A Response has about 8; 16 per element.
// - Depth: the deepest real path is Response/Assertion/Signature/SignedInfo/Reference/Transforms/
//   Transform/InclusiveNamespaces, 8; 16 leaves room for attribute values carrying XML.
// - One Assertion (node-saml refuses more, after the expensive work; a second one, nested or beside,
//   is how signature wrapping hides a signed assertion), at most one Signature per element, and
//   only as a child of the Response or of the Assertion (where SAML Core puts them and node-saml
//   looks for them).
// - Children of the Response (Issuer, Signature, Extensions, Status, Assertion) and of the
//   Assertion (Issuer, Signature, Subject, Conditions, Advice, statements): the quadratic XPath
//   runs over exactly these; 32 each.
// - Comments, processing instructions and CDATA sections: xmldom makes each a node that node-saml
//   and xml-crypto walk like any other, and exclusive canonicalization drops comments, so a signed
//   assertion stuffed with 18,000 empty comments still verified, after 6-7 s of a blocked event
//   loop. Identity providers send none but the XML declaration; 16 in all.
import { SsoFailure } from './sso-failure.ts';

export const RESPONSE_LIMITS = {
  /** Decoded XML, bytes (its base64 is 171 KiB: the SAML_BODY_LIMIT default of 256 KiB carries it). */
  bytes: 128 * 1024,
  elements: 1_000,
  /** Attributes of all elements together, namespace declarations included. */
  attributes: 2_000,
  depth: 16,
  attributesPerElement: 16,
  /** Children of the Response, and of the Assertion. */
  childrenOfResponseOrAssertion: 32,
  assertions: 1,
  /** One on the Response, one on the Assertion. */
  signatures: 2,
  /** Comments, processing instructions (the XML declaration included) and CDATA sections. */
  otherNodes: 16,
} as const;

export interface ResponseShape {
  elements: number;
  attributes: number;
  depth: number;
  signatures: number;
  assertions: number;
}

interface Open {
  localName: string;
  children: number;
  signatures: number;
}

function localNameOf(qualifiedName: string): string {
  const colon = qualifiedName.indexOf(':');
  return colon === -1 ? qualifiedName : qualifiedName.slice(colon + 1);
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

const malformed = (detail: string) => new SsoFailure('malformed', `the SAMLResponse is not XML: ${detail}`);
const tooComplex = (detail: string) => new SsoFailure('too_complex', detail);

/**
 * Throws an SsoFailure (`too_large`, `too_complex`, `too_many_assertions`, `too_many_signatures`,
 * `misplaced_signature` or `malformed`) unless `xml` has the shape of a SAML Response within
 * RESPONSE_LIMITS. It does not validate XML: whatever it lets through still goes to the parser,
 * which refuses anything malformed. What it guarantees is that the document the parser builds has
 * at most the elements, depth and attributes it counted.
 */
export function checkResponseShape(xml: string, limits = RESPONSE_LIMITS): ResponseShape {
  const bytes = Buffer.byteLength(xml, 'utf8');
  if (bytes > limits.bytes) {
    throw new SsoFailure('too_large', `the SAMLResponse is ${bytes} bytes of XML, more than ${limits.bytes}`);
  }
  const stack: Open[] = [];
  let elements = 0;
  let allAttributes = 0;
  let deepest = 0;
  let signatures = 0;
  let assertions = 0;
  let rootClosed = false;
  let otherNodes = 0;
  const countOther = (what: string) => {
    otherNodes++;
    if (otherNodes > limits.otherNodes) {
      throw tooComplex(
        `more than ${limits.otherNodes} comments, processing instructions and CDATA sections (${what})`,
      );
    }
  };
  let at = 0;
  for (;;) {
    const lt = xml.indexOf('<', at);
    if (lt === -1) break;
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end === -1) throw malformed('an unterminated comment');
      countOther('a comment');
      at = end + 3;
      continue;
    }
    if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt + 9);
      if (end === -1) throw malformed('an unterminated CDATA section');
      countOther('a CDATA section');
      at = end + 3;
      continue;
    }
    if (xml.startsWith('<?', lt)) {
      const end = xml.indexOf('?>', lt + 2);
      if (end === -1) throw malformed('an unterminated processing instruction');
      countOther('a processing instruction');
      at = end + 2;
      continue;
    }
    // A DOCTYPE (entities, external references) has no place in SAML.
    if (xml.startsWith('<!', lt)) throw malformed('a DOCTYPE or other declaration');
    if (xml.startsWith('</', lt)) {
      const end = xml.indexOf('>', lt + 2);
      if (end === -1) throw malformed('an unterminated end tag');
      if (stack.pop() === undefined) throw malformed('an end tag without a start tag');
      if (stack.length === 0) rootClosed = true;
      at = end + 1;
      continue;
    }

    // A start tag: its name, then name="value" pairs (a value may hold '>'), then '>' or '/>'.
    let i = lt + 1;
    while (i < xml.length && !isSpace(xml.charCodeAt(i)) && xml[i] !== '>' && xml[i] !== '/') i++;
    const localName = localNameOf(xml.slice(lt + 1, i));
    if (localName === '') throw malformed('a tag without a name');
    let attributes = 0;
    let selfClosing = false;
    for (;;) {
      while (i < xml.length && isSpace(xml.charCodeAt(i))) i++;
      if (i >= xml.length) throw malformed('an unterminated start tag');
      if (xml[i] === '>') break;
      if (xml.startsWith('/>', i)) {
        selfClosing = true;
        i++;
        break;
      }
      const equals = xml.indexOf('=', i);
      if (equals === -1) throw malformed('an attribute without a value');
      let quote = equals + 1;
      while (quote < xml.length && isSpace(xml.charCodeAt(quote))) quote++;
      const mark = xml[quote];
      if (mark !== '"' && mark !== "'") throw malformed('an attribute value without quotes');
      const close = xml.indexOf(mark, quote + 1);
      if (close === -1) throw malformed('an unterminated attribute value');
      attributes++;
      allAttributes++;
      if (attributes > limits.attributesPerElement) {
        throw tooComplex(`a ${localName} element has more than ${limits.attributesPerElement} attributes`);
      }
      if (allAttributes > limits.attributes) throw tooComplex(`more than ${limits.attributes} attributes`);
      i = close + 1;
    }
    at = i + 1;

    if (rootClosed) throw malformed('content after the root element');
    elements++;
    if (elements > limits.elements) throw tooComplex(`more than ${limits.elements} elements`);
    const parent = stack[stack.length - 1];
    if (parent) {
      parent.children++;
      const watched = stack.length === 1 || parent.localName === 'Assertion';
      if (watched && parent.children > limits.childrenOfResponseOrAssertion) {
        throw tooComplex(
          `a ${parent.localName} element has more than ${limits.childrenOfResponseOrAssertion} children`,
        );
      }
    }
    if (localName === 'Assertion' || localName === 'EncryptedAssertion') {
      assertions++;
      if (assertions > limits.assertions) {
        throw new SsoFailure(
          'too_many_assertions',
          `more than ${limits.assertions} assertion in the response`,
        );
      }
    }
    if (localName === 'Signature') {
      signatures++;
      // Directly in the Response (the root), or directly in an Assertion that is the Response's child.
      const placed =
        parent !== undefined &&
        (stack.length === 1 || (stack.length === 2 && parent.localName === 'Assertion'));
      if (!placed) {
        throw new SsoFailure(
          'misplaced_signature',
          `a Signature inside ${parent ? `a ${parent.localName} element` : 'nothing'}, not directly in the Response or its Assertion`,
        );
      }
      parent.signatures++;
      if (parent.signatures > 1 || signatures > limits.signatures) {
        throw new SsoFailure(
          'too_many_signatures',
          `${parent.signatures > 1 ? `more than one Signature in the ${parent.localName}` : `more than ${limits.signatures} signatures`}`,
        );
      }
    }
    if (!selfClosing) {
      stack.push({ localName, children: 0, signatures: 0 });
      if (stack.length > limits.depth) throw tooComplex(`elements nested more than ${limits.depth} deep`);
      deepest = Math.max(deepest, stack.length);
    } else {
      deepest = Math.max(deepest, stack.length + 1);
      if (stack.length === 0) rootClosed = true;
    }
  }
  if (elements === 0) throw malformed('no root element');
  return { elements, attributes: allAttributes, depth: deepest, signatures, assertions };
}
