// The bad-input corpus as tables: routes × mutations. Each case is a request that must be refused
// with a 4xx in its surface's error shape and must change nothing. Built from the live ids of a
// seeded organization (see bad-input-corpus.test.ts), so that every route is reached for real.
import { deflateRawSync } from 'node:zlib';

export type Surface = 'scim' | 'api' | 'page';
export type Auth = 'service' | 'session' | 'form' | 'none';

export interface Case {
  name: string;
  surface: Surface;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  auth: Auth;
  headers?: Record<string, string | string[]>;
  payload?: string | Buffer;
  /** Statuses that are right; any 4xx when absent. */
  expect?: readonly number[];
  /**
   * A known issue in a file this test's author could not change (see docs/reliability.md): the
   * case must still change nothing and stay below 500, and is listed, not failed, when it does.
   */
  known?: string;
}

export interface Ids {
  memberId: string;
  workspaceId: string;
  tokenId: string;
  slug: string;
  /** The session's CSRF token (dashboard forms) and the pre-session form token (sign-in, setup). */
  csrf: string;
  formToken: string;
}

/** A header value the runner replaces with the organization's valid `Bearer` service token. */
export const SERVICE_TOKEN = '$SERVICE_TOKEN';

const DEEP = 10_000;
const deepArrays = `${'['.repeat(DEEP)}${']'.repeat(DEEP)}`;
const deepObjects = `${'{"a":'.repeat(DEEP)}1${'}'.repeat(DEEP)}`;
const TEN_K = 'x'.repeat(10_000);
const OVERSIZED = 'x'.repeat(1_200_000);

/** A JSON route: where its body goes, a valid body, and how to put a value in its main field. */
interface JsonRoute {
  surface: 'scim' | 'api';
  method: 'POST' | 'PUT' | 'PATCH';
  url: string;
  valid: unknown;
  /** The valid body with `value` in the field that matters most. */
  withField(value: unknown): unknown;
}

const SCIM_TYPE = 'application/scim+json; charset=utf-8';
const JSON_TYPE = 'application/json';

/** Raw JSON text with the bytes of `bad` spliced into a string value: invalid UTF-8 on the wire. */
function withBytes(route: JsonRoute, bad: Buffer): Buffer {
  const text = JSON.stringify(route.withField('MARK'));
  const [before, after] = text.split('MARK') as [string, string];
  return Buffer.concat([Buffer.from(before), bad, Buffer.from(after)]);
}

/** The JSON text of the route's body with `json` (raw JSON text) as the main field's value. */
function withText(route: JsonRoute, json: string): string {
  return JSON.stringify(route.withField('MARK')).replace('"MARK"', json);
}

type JsonMutation = [
  name: string,
  make: (route: JsonRoute) => { payload: string | Buffer; headers?: Record<string, string> },
  expect?: readonly number[],
];

const JSON_MUTATIONS: JsonMutation[] = [
  ['invalid JSON', () => ({ payload: '{"userName": ' })],
  ['JSON followed by garbage', (r) => ({ payload: `${JSON.stringify(r.valid)} trailing` })],
  ['JSON with a comment', (r) => ({ payload: `/* hi */ ${JSON.stringify(r.valid)}` })],
  ['single-quoted JSON', () => ({ payload: "{'name': 'x'}" })],
  ['a raw NUL byte in the JSON text', (r) => ({ payload: JSON.stringify(r.valid).replace('{', '{\u0000') })],
  ['a JSON string as the body', () => ({ payload: '"hello"' })],
  ['a JSON number as the body', () => ({ payload: '42' })],
  ['JSON null as the body', () => ({ payload: 'null' })],
  ['10,000-deep arrays as the body', () => ({ payload: deepArrays })],
  ['10,000-deep objects in the main field', (r) => ({ payload: withText(r, deepObjects) })],
  ['a 10,000-deep array in the main field', (r) => ({ payload: withText(r, deepArrays) })],
  [
    'a 100,000-element array in the main field',
    (r) => ({ payload: JSON.stringify(r.withField(Array(100_000).fill(1))) }),
  ],
  ['a body over the 1 MiB limit', (r) => ({ payload: JSON.stringify(r.withField(OVERSIZED)) }), [413]],
  ['invalid UTF-8 bytes in a string', (r) => ({ payload: withBytes(r, Buffer.from([0xc3, 0x28, 0xff])) })],
  ['an overlong UTF-8 encoding of "/"', (r) => ({ payload: withBytes(r, Buffer.from([0xc0, 0xaf])) })],
  ['a UTF-8-encoded surrogate', (r) => ({ payload: withBytes(r, Buffer.from([0xed, 0xa0, 0x80])) })],
  [
    'a NUL character in the main field',
    (r) => ({ payload: JSON.stringify(r.withField('a\u0000b@acme.test')) }),
  ],
  [
    'an unpaired surrogate in the main field',
    (r) => ({ payload: JSON.stringify(r.withField('a\ud800b@acme.test')) }),
  ],
  [
    '10,000 characters in the main field',
    (r) => ({ payload: JSON.stringify(r.withField(`${TEN_K}@acme.test`)) }),
  ],
  ['a number in the main field', (r) => ({ payload: JSON.stringify(r.withField(12345)) })],
  ['an operator object in the main field', (r) => ({ payload: JSON.stringify(r.withField({ $ne: null })) })],
  [
    'an array in the main field',
    (r) => ({ payload: JSON.stringify(r.withField(['a@acme.test', 'b@acme.test'])) }),
  ],
  ['a boolean in the main field', (r) => ({ payload: JSON.stringify(r.withField(true)) })],
  [
    'a __proto__ key',
    (r) => ({ payload: `{"__proto__":{"isAdmin":true},${JSON.stringify(r.valid).slice(1)}` }),
  ],
  [
    'a constructor.prototype key',
    (r) => ({ payload: `{"constructor":{"prototype":{"isAdmin":true}},${JSON.stringify(r.valid).slice(1)}` }),
  ],
  [
    'a text/plain body',
    (r) => ({ payload: JSON.stringify(r.valid), headers: { 'content-type': 'text/plain' } }),
    [415],
  ],
  ['an XML body', () => ({ payload: '<user/>', headers: { 'content-type': 'application/xml' } }), [415]],
  [
    'a form-encoded body',
    () => ({
      payload: 'userName=x%40acme.test',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }),
    [415],
  ],
  ['no Content-Type', (r) => ({ payload: JSON.stringify(r.valid), headers: { 'content-type': '' } }), [415]],
  [
    'two Content-Types',
    (r) => ({
      payload: JSON.stringify(r.valid),
      headers: { 'content-type': [JSON_TYPE, 'text/plain'] as unknown as string },
    }),
    [400],
  ],
  [
    'an absurd Content-Length',
    (r) => ({ payload: JSON.stringify(r.valid), headers: { 'content-length': '99999999999' } }),
    [413],
  ],
  [
    'a Content-Length shorter than the body',
    (r) => ({ payload: JSON.stringify(r.valid), headers: { 'content-length': '3' } }),
    [400],
  ],
];

function jsonRoutes(ids: Ids): JsonRoute[] {
  const patchOp = (value: unknown) => ({
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [{ op: 'replace', path: 'displayName', value }],
  });
  return [
    {
      surface: 'scim',
      method: 'POST',
      url: '/scim/v2/Users',
      valid: { userName: 'new@acme.test', emails: [{ value: 'new@acme.test', primary: true }] },
      withField: (userName) => ({ userName, emails: [{ value: 'new@acme.test', primary: true }] }),
    },
    {
      surface: 'scim',
      method: 'PUT',
      url: `/scim/v2/Users/${ids.memberId}`,
      valid: { userName: 'target@acme.test', name: { givenName: 'T' } },
      withField: (givenName) => ({ userName: 'target@acme.test', name: { givenName } }),
    },
    {
      surface: 'scim',
      method: 'PATCH',
      url: `/scim/v2/Users/${ids.memberId}`,
      valid: patchOp('Target'),
      withField: (value) => patchOp(value),
    },
    {
      surface: 'api',
      method: 'PATCH',
      url: `/api/v1/members/${ids.memberId}`,
      valid: { role: 'admin' },
      withField: (role) => ({ role }),
    },
    {
      surface: 'api',
      method: 'POST',
      url: '/api/v1/workspaces',
      valid: { name: 'Fresh' },
      withField: (name) => ({ name }),
    },
    {
      surface: 'api',
      method: 'PATCH',
      url: `/api/v1/workspaces/${ids.workspaceId}`,
      valid: { name: 'Renamed' },
      withField: (name) => ({ name }),
    },
    {
      surface: 'api',
      method: 'POST',
      url: '/api/v1/tokens',
      valid: { kind: 'service', name: 'fresh', role: 'admin' },
      withField: (name) => ({ kind: 'service', name, role: 'admin' }),
    },
    {
      surface: 'api',
      method: 'PUT',
      url: '/api/v1/sso',
      valid: { idpEntityId: 'https://idp.example/e', idpSsoUrl: 'https://idp.example/sso' },
      withField: (idpEntityId) => ({ idpEntityId, idpSsoUrl: 'https://idp.example/sso' }),
    },
  ];
}

function jsonCases(ids: Ids): Case[] {
  return jsonRoutes(ids).flatMap((route) =>
    JSON_MUTATIONS.map(([name, make, expect]): Case => {
      const made = make(route);
      const headers: Record<string, string> = {
        'content-type': route.surface === 'scim' ? SCIM_TYPE : JSON_TYPE,
        ...made.headers,
      };
      if (headers['content-type'] === '') delete headers['content-type'];
      return {
        name: `${route.method} ${route.url.replace(/[0-9a-f-]{36}/g, '{id}')} with ${name}`,
        surface: route.surface,
        method: route.method,
        url: route.url,
        auth: 'service',
        headers,
        payload: made.payload,
        ...(expect ? { expect } : {}),
      };
    }),
  );
}

/** A dashboard (or SAML) form: its fields when valid, and the field a mutation aims at. */
interface FormRoute {
  url: string;
  auth: 'session' | 'form' | 'none';
  fields: Record<string, string>;
  main: string;
  /** The form's own limit (64 KiB for the dashboard, 512 KiB for the ACS). */
  limit: number;
  /** Mutations that are not bad input for this form (e.g. omitted fields keep their value). */
  skip?: readonly string[];
}

function formRoutes(ids: Ids): FormRoute[] {
  const dashboard = 64 * 1024;
  return [
    { url: '/workspaces', auth: 'session', fields: { name: 'Fresh' }, main: 'name', limit: dashboard },
    {
      url: `/workspaces/${ids.workspaceId}`,
      auth: 'session',
      fields: { name: 'Renamed' },
      main: 'name',
      limit: dashboard,
    },
    {
      url: `/members/${ids.memberId}/role`,
      auth: 'session',
      fields: { role: 'admin' },
      main: 'role',
      limit: dashboard,
    },
    {
      url: `/members/${ids.memberId}/workspaces`,
      auth: 'session',
      fields: { access: 'grant', workspaceId: ids.workspaceId },
      main: 'access',
      limit: dashboard,
    },
    {
      url: '/settings/account/tokens',
      auth: 'session',
      fields: { name: 'laptop', role: 'admin' },
      main: 'name',
      limit: dashboard,
    },
    {
      url: '/settings/organization/tokens',
      auth: 'session',
      fields: { name: 'okta-2', role: 'admin' },
      main: 'name',
      limit: dashboard,
    },
    {
      url: '/settings/organization/sso',
      auth: 'session',
      fields: { idpEntityId: 'https://idp.example/e', idpSsoUrl: 'https://idp.example/sso' },
      main: 'idpEntityId',
      limit: dashboard,
      // Like PUT /api/v1/sso, a field left out keeps its value: an empty form is a valid no-op.
      skip: OMITTED_FIELDS,
    },
    {
      url: '/organizations/switch',
      auth: 'session',
      fields: { organizationId: 'none' },
      main: 'organizationId',
      limit: dashboard,
    },
    {
      url: '/signin',
      auth: 'form',
      fields: { email: 'admin@acme.test', password: 'wrong password!' },
      main: 'email',
      limit: dashboard,
    },
    {
      url: '/signin/sso',
      auth: 'form',
      fields: { email: 'x@nowhere.test' },
      main: 'email',
      limit: dashboard,
    },
    {
      url: '/setup',
      auth: 'form',
      fields: { name: 'Second', email: 'second@acme.test', password: 'long enough password', password2: 'x' },
      main: 'name',
      limit: dashboard,
    },
    {
      url: `/saml/${ids.slug}/acs`,
      auth: 'none',
      fields: { SAMLResponse: 'PHNhbWw+', RelayState: '' },
      main: 'SAMLResponse',
      limit: 512 * 1024,
    },
  ];
}

const FORM_TYPE = 'application/x-www-form-urlencoded';

type FormMutation = [
  name: string,
  make: (route: FormRoute, csrf: string) => { payload: string | Buffer; headers?: Record<string, string> },
  expect?: readonly number[],
];

const encode = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

const FORM_MUTATIONS: FormMutation[] = [
  ['no fields but the CSRF token', (_r, csrf) => ({ payload: encode({ _csrf: csrf }) })],
  [
    '10,000 characters in the main field',
    (r, csrf) => ({ payload: encode({ ...r.fields, [r.main]: TEN_K, _csrf: csrf }) }),
  ],
  [
    'a NUL character (%00) in the main field',
    (r, csrf) => ({ payload: `${encode({ ...r.fields, _csrf: csrf })}&${r.main}=a%00b` }),
  ],
  [
    'invalid UTF-8 bytes in the body',
    (r, csrf) => ({
      payload: Buffer.concat([
        Buffer.from(`${encode({ _csrf: csrf })}&${r.main}=`),
        Buffer.from([0xff, 0xfe, 0xc3]),
      ]),
    }),
  ],
  [
    'a body over the form limit',
    (r, csrf) => ({ payload: encode({ ...r.fields, _csrf: csrf, [r.main]: 'x'.repeat(r.limit + 1024) }) }),
    [413],
  ],
  [
    'the main field only under __proto__',
    (r, csrf) => ({ payload: `_csrf=${encodeURIComponent(csrf)}&__proto__[${r.main}]=Evil&__proto__=Evil` }),
  ],
  [
    'the main field only under constructor.prototype',
    (r, csrf) => ({ payload: `_csrf=${encodeURIComponent(csrf)}&constructor[prototype][${r.main}]=Evil` }),
  ],
  [
    'a text/plain body',
    (r, csrf) => ({
      payload: encode({ ...r.fields, _csrf: csrf }),
      headers: { 'content-type': 'text/plain' },
    }),
    [415],
  ],
  [
    'an absurd Content-Length',
    (r, csrf) => ({
      payload: encode({ ...r.fields, _csrf: csrf }),
      headers: { 'content-length': '99999999999' },
    }),
    [413],
  ],
];

const OMITTED_FIELDS = [
  'no fields but the CSRF token',
  'the main field only under __proto__',
  'the main field only under constructor.prototype',
];

function formCases(ids: Ids): Case[] {
  return formRoutes(ids).flatMap((route) =>
    FORM_MUTATIONS.filter(([name]) => !route.skip?.includes(name)).map(([name, make, expect]): Case => {
      const csrf = route.auth === 'session' ? ids.csrf : route.auth === 'form' ? ids.formToken : '';
      const made = make(route, csrf);
      return {
        name: `POST ${route.url.replace(/[0-9a-f-]{36}/g, '{id}')} with ${name}`,
        surface: 'page',
        method: 'POST',
        url: route.url,
        auth: route.auth,
        headers: { 'content-type': FORM_TYPE, ...made.headers },
        payload: made.payload,
        ...(expect ? { expect } : {}),
      };
    }),
  );
}

const base64 = (text: string) => Buffer.from(text).toString('base64');

function samlCases(ids: Ids): Case[] {
  const acs = (name: string, SAMLResponse: string, extra: Record<string, string> = {}): Case => ({
    name: `POST /saml/{slug}/acs with ${name}`,
    surface: 'page',
    method: 'POST',
    url: `/saml/${ids.slug}/acs`,
    auth: 'none',
    headers: { 'content-type': FORM_TYPE },
    payload: encode({ SAMLResponse, ...extra }),
  });
  const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&lol3;</samlp:Response>`;
  const xxe = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&x;</samlp:Response>`;
  const deep = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">${'<a>'.repeat(DEEP)}${'</a>'.repeat(DEEP)}</samlp:Response>`;
  const unsigned = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_1" Version="2.0" IssueInstant="2024-01-01T00:00:00Z"><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"><saml:Subject><saml:NameID>admin@acme.test</saml:NameID></saml:Subject></saml:Assertion></samlp:Response>`;
  return [
    acs('no SAMLResponse', ''),
    acs('text that is not base64', '!!! not base64 !!!'),
    acs('base64 of garbage', base64('garbage, not XML')),
    acs('a billion-laughs entity bomb', base64(bomb)),
    acs('an external entity (XXE)', base64(xxe)),
    acs('10,000-deep XML', base64(deep)),
    acs('an unsigned response for the Admin', base64(unsigned)),
    acs(
      'a deflated response (redirect binding, not for the ACS)',
      deflateRawSync(unsigned).toString('base64'),
    ),
    acs('a NUL character', base64(unsigned).replace('P', '\u0000')),
    acs('an unsigned response and a hostile RelayState', base64(unsigned), {
      RelayState: 'https://evil.example/',
    }),
    acs('an unsigned response and 10,000 characters of RelayState', base64(unsigned), { RelayState: TEN_K }),
    acs(
      'a 400 KB response',
      base64(
        `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">${'x'.repeat(300_000)}</samlp:Response>`,
      ),
    ),
    {
      name: 'POST /saml/{slug}/acs of an unknown organization',
      surface: 'page',
      method: 'POST',
      url: '/saml/no-such-org/acs',
      auth: 'none',
      headers: { 'content-type': FORM_TYPE },
      payload: encode({ SAMLResponse: base64(unsigned) }),
    },
  ];
}

/** SSO settings through the API, with hostile metadata XML. */
function ssoMetadataCases(): Case[] {
  const xml = (name: string, idpMetadataXml: string): Case => ({
    name: `PUT /api/v1/sso with ${name} as metadata`,
    surface: 'api',
    method: 'PUT',
    url: '/api/v1/sso',
    auth: 'service',
    headers: { 'content-type': JSON_TYPE },
    payload: JSON.stringify({ idpMetadataXml }),
  });
  return [
    xml(
      'a billion-laughs entity bomb',
      '<!DOCTYPE l [<!ENTITY l "l"><!ENTITY l2 "&l;&l;&l;&l;&l;&l;&l;&l;">]><EntityDescriptor>&l2;</EntityDescriptor>',
    ),
    xml(
      'an external entity (XXE)',
      '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><EntityDescriptor entityID="&x;"/>',
    ),
    xml('10,000-deep XML', `${'<a>'.repeat(DEEP)}${'</a>'.repeat(DEEP)}`),
    xml('text that is not XML', 'not xml at all'),
    xml(
      'an EntityDescriptor without any SSO service',
      '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example"/>',
    ),
    xml(
      'an entity ID of 10,000 characters',
      `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${TEN_K}"/>`,
    ),
    xml('a processing instruction and comments only', '<?xml version="1.0"?><!-- nothing -->'),
  ];
}

const filterUrl = (filter: string) => `/scim/v2/Users?filter=${encodeURIComponent(filter)}`;

function queryCases(ids: Ids): Case[] {
  const scim = (name: string, url: string, expect?: readonly number[]): Case => ({
    name,
    surface: 'scim',
    method: 'GET',
    url,
    auth: 'service',
    ...(expect ? { expect } : {}),
  });
  const api = (url: string, expect?: readonly number[]): Case => ({
    name: `GET ${url.slice(0, 80)}`,
    surface: 'api',
    method: 'GET',
    url,
    auth: 'service',
    ...(expect ? { expect } : {}),
  });
  const page = (url: string): Case => ({
    name: `GET ${url}`,
    surface: 'page',
    method: 'GET',
    url,
    auth: 'session',
  });
  const filters = [
    'userName eq "x" or 1 eq 1',
    'userName eq "x"; DROP TABLE memberships; --',
    '" or ""="',
    "userName eq 'single'",
    'userName eq',
    'userName eq "x" or',
    '(userName eq "x"',
    'userName eq "x")',
    '((((((((((((((((((((((((((((((((((((((((((((((((((((userName eq "x"))))))))))))))))))))))))))))))))))))))))))))))))))',
    `userName eq "${'x'.repeat(5000)}"`,
    'password eq "secret"',
    'userName regex ".*"',
    'name eq "x"',
    'meta.created gt "not a date"',
    'emails[type eq "work"',
    'emails[emails[type eq "work"]]',
    '__proto__ eq "x"',
    'constructor.prototype pr',
    'emails[type eq "work"].__proto__ eq "x"',
    'userName eq "\\x"',
    'userName eq "\\u12"',
    'urn:evil:schema:userName eq "x"',
    'active eq "maybe"',
    'not userName eq "x"',
  ];
  return [
    ...filters.map((f) => scim(`GET /Users?filter=${f.slice(0, 60)}`, filterUrl(f), [400])),
    scim('GET /Users with the filter given twice', `${filterUrl('userName pr')}&filter=id%20pr`, [400]),
    scim('GET /Users with count=abc', '/scim/v2/Users?count=abc', [400]),
    scim('GET /Users with count=1e999', '/scim/v2/Users?count=1e999', [400]),
    scim(
      'GET /Users with startIndex=99999999999999999999',
      '/scim/v2/Users?startIndex=99999999999999999999',
      [400],
    ),
    scim('GET /Users with sortOrder=sideways', '/scim/v2/Users?sortOrder=sideways', [400]),
    scim('GET /Users with sortBy=__proto__', '/scim/v2/Users?sortBy=__proto__', [400]),
    scim('GET /Users with sortBy=password', '/scim/v2/Users?sortBy=password', [400]),
    scim('GET /Users with a NUL in the query', '/scim/v2/Users?count=1%00', [400]),
    scim('GET /Users/{id} with ../', '/scim/v2/Users/..%2F..%2Fetc%2Fpasswd', [404]),
    scim('GET /Users/{id} with a 200-character id', `/scim/v2/Users/${'a'.repeat(200)}`, [414]),
    scim('GET /Users/{id} with a malformed percent-encoding', '/scim/v2/Users/%E0%A4%A', [400]),
    scim('GET /Users/{id} with a NUL', '/scim/v2/Users/a%00b', [400]),
    api('/api/v1/members?limit=abc', [400]),
    api('/api/v1/members?limit=-1', [400]),
    api('/api/v1/members?limit=99999999', [400]),
    api('/api/v1/members?status=bogus', [400]),
    api('/api/v1/members?role=bogus', [400]),
    api('/api/v1/members?cursor=%FF', [400]),
    api('/api/v1/members?search=a%00b', [400]),
    api(`/api/v1/members/${'a'.repeat(200)}`, [414]),
    api('/api/v1/members/..%2F..%2Fetc', [404]),
    api('/api/v1/audit?cursor=abc', [400]),
    api('/api/v1/audit?cursor=99999999999999999999', [400]),
    api('/api/v1/audit?since=garbage', [400]),
    api('/api/v1/audit?until=2024-13-45', [400]),
    api('/api/v1/audit?limit=abc', [400]),
    api('/api/v1/tokens?kind=bogus', [400]),
    api('/healthz?probe=%00', [400]),
    page('/members?status=bogus'),
    page('/audit?since=garbage'),
    page('/audit/export.csv?since=bad'),
    page('/audit/export.ndjson?until=2024-02-30T99:00'),
    // Refused before routing (no dashboard route to render a page): the JSON shape.
    { ...api(`/members/${'a'.repeat(200)}`, [414]), auth: 'session' },
    page('/members?q=%00'),
    page(`/workspaces/${ids.workspaceId}x`),
  ];
}

function headerCases(ids: Ids): Case[] {
  const users = (
    name: string,
    headers: Record<string, string | string[]>,
    auth: Auth = 'none',
    expect: readonly number[] = [401],
  ): Case => ({
    name: `GET /scim/v2/Users with ${name}`,
    surface: 'scim',
    method: 'GET',
    url: '/scim/v2/Users',
    auth,
    headers,
    expect,
  });
  const me = (
    name: string,
    headers: Record<string, string | string[]>,
    expect: readonly number[] = [401],
  ): Case => ({
    name: `GET /api/v1/me with ${name}`,
    surface: 'api',
    method: 'GET',
    url: '/api/v1/me',
    auth: 'none',
    headers,
    expect,
  });
  const put = (name: string, headers: Record<string, string>, expect: readonly number[]): Case => ({
    name: `PUT /scim/v2/Users/{id} with ${name}`,
    surface: 'scim',
    method: 'PUT',
    url: `/scim/v2/Users/${ids.memberId}`,
    auth: 'service',
    headers: { 'content-type': SCIM_TYPE, ...headers },
    payload: JSON.stringify({ userName: 'target@acme.test', name: { givenName: 'Changed' } }),
    expect,
  });
  return [
    users(
      'two Authorization headers',
      { authorization: ['Bearer rst_sat_x', 'Bearer rst_sat_y'] },
      'none',
      [400],
    ),
    users(
      'the valid token and a second Authorization header',
      { authorization: [SERVICE_TOKEN, 'Bearer rst_sat_y'] },
      'none',
      [400],
    ),
    users('an empty Bearer', { authorization: 'Bearer ' }),
    users('Bearer alone', { authorization: 'Bearer' }),
    users('two tokens in one header', { authorization: 'Bearer rst_sat_a rst_sat_b' }),
    users('Basic credentials', { authorization: `Basic ${base64('admin:password')}` }),
    users('a 10,000-character token', { authorization: `Bearer rst_sat_${TEN_K}` }),
    users('a non-ASCII token', { authorization: 'Bearer rst_sat_\u00e9\u00e9' }),
    users('a token with a newline escape', { authorization: 'Bearer rst_sat_a\\r\\nX-Injected: 1' }),
    users('a session cookie instead of a token', { cookie: 'roster_session=whatever' }),
    me('a 10,000-character session cookie', { cookie: `roster_session=${TEN_K}` }),
    me('a session cookie full of NULs', { cookie: 'roster_session=%00%00%00' }),
    me('two Authorization headers', { authorization: ['Bearer rst_pat_a', 'Bearer rst_pat_b'] }, [400]),
    put('If-Match that matches no version', { 'if-match': 'W/"999"' }, [412]),
    put('a garbage If-Match', { 'if-match': '"; DROP TABLE' }, [412]),
    put(
      'a CRLF-laden X-Request-Id and a wrong If-Match',
      { 'x-request-id': 'a\\r\\nSet-Cookie: x=1', 'if-match': 'W/"0"' },
      [412],
    ),
  ];
}

function healthCases(): Case[] {
  return (['POST', 'PUT', 'PATCH', 'DELETE'] as const).map(
    (method): Case => ({
      name: `${method} /healthz with invalid JSON`,
      surface: 'api',
      method,
      url: '/healthz',
      auth: 'none',
      headers: { 'content-type': JSON_TYPE },
      payload: '{"a":',
      expect: [400, 404],
    }),
  );
}

/** The whole corpus; `scimOnly` keeps the SCIM cases (the part run on every store). */
export function buildCorpus(ids: Ids): Case[] {
  return [
    ...jsonCases(ids),
    ...formCases(ids),
    ...samlCases(ids),
    ...ssoMetadataCases(),
    ...queryCases(ids),
    ...headerCases(ids),
    ...healthCases(),
  ];
}
