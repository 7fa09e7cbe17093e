// The shape check of a SAML Response's raw XML (src/auth/saml/response-shape.ts): what real
// identity providers send passes, with its counts; each way past a limit is refused with its typed
// reason; and the scan reads XML syntax (comments, CDATA, processing instructions, '>' and quotes
// in attribute values) the way the parser will, so that it counts what the parser builds.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { checkResponseShape, RESPONSE_LIMITS } from '../../../src/auth/saml/response-shape.ts';
import { SsoFailure } from '../../../src/auth/saml/sso-failure.ts';
import type { TestIdp } from '../../../src/auth/saml/test-idp/test-idp.ts';
import { parseXml } from '../../../src/auth/saml/xml.ts';
import { testIdps } from '../../helpers/sso.ts';

const SP = {
  acsUrl: 'https://roster.test/saml/acme/acs',
  audience: 'https://roster.test/saml/acme/metadata',
};
const CLAIMS = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims';
const P = `xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"`;
const response = (inner: string) => `<samlp:Response ${P}>${inner}</samlp:Response>`;

function refusedWith(xml: string, reason: string, detail?: RegExp) {
  assert.throws(
    () => checkResponseShape(xml),
    (error: unknown) => {
      assert.ok(error instanceof SsoFailure);
      assert.equal(error.reason, reason, error.detail);
      if (detail) assert.match(error.detail, detail);
      return true;
    },
  );
}

describe('checkResponseShape', () => {
  let idp: TestIdp;
  before(async () => {
    ({ idp } = await testIdps());
  });

  // Measured, and quoted in response-shape.ts and docs/sso-okta.md.
  const realShapes: { name: string; attributes: Record<string, string | string[]>; elements: number }[] = [
    {
      name: 'Okta: email, names and three groups, response and assertion signed',
      attributes: {
        email: 'pat@acme.test',
        firstName: 'Pat',
        lastName: 'Doe',
        groups: ['Everyone', 'Eng', 'Admins'],
      },
      elements: 55,
    },
    {
      name: 'Entra ID at its SAML maximum of 150 groups, with its usual claims',
      attributes: {
        [`${CLAIMS}/emailaddress`]: 'pat@acme.test',
        [`${CLAIMS}/givenname`]: 'Pat',
        [`${CLAIMS}/surname`]: 'Doe',
        [`${CLAIMS}/name`]: 'pat@acme.test',
        'http://schemas.microsoft.com/identity/claims/tenantid': randomUUID(),
        'http://schemas.microsoft.com/identity/claims/objectidentifier': randomUUID(),
        'http://schemas.microsoft.com/identity/claims/displayname': 'Pat Doe',
        'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups': Array.from({ length: 150 }, () =>
          randomUUID(),
        ),
      },
      elements: 210,
    },
    {
      name: 'ADFS sending 600 group names',
      attributes: {
        email: 'pat@acme.test',
        'http://schemas.xmlsoap.org/claims/Group': Array.from({ length: 600 }, (_, i) => `ACME\\Group-${i}`),
      },
      elements: 648,
    },
  ];
  for (const shape of realShapes) {
    it(`accepts a real response: ${shape.name}`, () => {
      const xml = idp.responseXml({
        ...SP,
        nameId: 'pat@acme.test',
        attributes: shape.attributes,
        sign: 'both',
      });
      const counted = checkResponseShape(xml);
      assert.equal(counted.elements, shape.elements);
      assert.equal(counted.signatures, 2);
      assert.equal(counted.assertions, 1);
      assert.ok(counted.depth <= 8, `depth ${counted.depth}`);
      // The scan counts what the parser builds.
      assert.equal(parseXml(xml).getElementsByTagName('*').length, counted.elements);
    });
  }

  it('refuses each limit with its typed reason', () => {
    const { elements, depth, attributesPerElement, attributes, childrenOfResponseOrAssertion } =
      RESPONSE_LIMITS;
    refusedWith(response('x'.repeat(RESPONSE_LIMITS.bytes)), 'too_large');
    refusedWith(
      response(`<saml:Assertion>${'<a><b/><c/><d/></a>'.repeat(elements / 4)}</saml:Assertion>`),
      'too_complex',
      /more than 32 children|more than 1000 elements/,
    );
    refusedWith(
      response(
        `<saml:Assertion><saml:AttributeStatement>${'<v/>'.repeat(elements)}</saml:AttributeStatement></saml:Assertion>`,
      ),
      'too_complex',
      new RegExp(`more than ${elements} elements`),
    );
    refusedWith(
      response(`${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}`),
      'too_complex',
      /nested more than 16 deep/,
    );
    refusedWith(
      response(`<a ${Array.from({ length: attributesPerElement + 1 }, (_, i) => `a${i}="1"`).join(' ')}/>`),
      'too_complex',
      /more than 16 attributes/,
    );
    refusedWith(
      response(
        `<x>${`<a ${Array.from({ length: 10 }, (_, i) => `a${i}="1"`).join(' ')}/>`.repeat(attributes / 10 + 1)}</x>`,
      ),
      'too_complex',
      /more than 2000 attributes/,
    );
    refusedWith(
      response('<a/>'.repeat(childrenOfResponseOrAssertion + 1)),
      'too_complex',
      /Response element has more than 32 children/,
    );
    refusedWith(response('<saml:Assertion/><saml:Assertion/>'), 'too_many_assertions');
    refusedWith(response('<saml:Assertion/><saml:EncryptedAssertion/>'), 'too_many_assertions');
    refusedWith(
      response('<saml:Assertion><saml:Advice><saml:Assertion/></saml:Advice></saml:Assertion>'),
      'too_many_assertions',
    );
    refusedWith(response('<ds:Signature/><ds:Signature/>'), 'too_many_signatures');
    refusedWith(
      response('<saml:Assertion><ds:Signature/><ds:Signature/></saml:Assertion>'),
      'too_many_signatures',
    );
    refusedWith(response('<samlp:Extensions><ds:Signature/></samlp:Extensions>'), 'misplaced_signature');
    refusedWith(
      response('<saml:Assertion><saml:Subject><ds:Signature/></saml:Subject></saml:Assertion>'),
      'misplaced_signature',
    );
    refusedWith(response('<x><saml:Assertion><ds:Signature/></saml:Assertion></x>'), 'misplaced_signature');
    refusedWith('<ds:Signature/>', 'misplaced_signature');
    for (const other of ['<!---->', '<?a?>', '<x><![CDATA[c]]></x>']) {
      refusedWith(
        response(`<saml:Assertion>${other.repeat(RESPONSE_LIMITS.otherNodes + 1)}</saml:Assertion>`),
        'too_complex',
        /more than 16 comments, processing instructions and CDATA sections/,
      );
    }
  });

  it('reads comments, CDATA, processing instructions and attribute values as XML does', () => {
    const xml = `<?xml version="1.0"?><!-- <a><a><a> --><samlp:Response ${P} Note='a > b "c"' Other="<!-- not a comment"><?pi <b/> ?><x><![CDATA[<c/><c/><ds:Signature/>]]></x><!--<d/>--></samlp:Response>`;
    const counted = checkResponseShape(xml);
    assert.equal(counted.elements, 2);
    assert.equal(counted.attributes, 5);
    assert.equal(counted.signatures, 0);
  });

  it('refuses what is not XML, or has more than one root, as malformed', () => {
    for (const xml of [
      '',
      'plain text',
      '<!DOCTYPE r [<!ENTITY x "y">]><r/>',
      '<r><!-- unterminated',
      '<r><![CDATA[ unterminated',
      '<r a="unterminated/>',
      '<r a=unquoted/>',
      '<r></r><r></r>',
      '</r>',
      '< r/>',
    ]) {
      refusedWith(xml, 'malformed');
    }
  });
});
