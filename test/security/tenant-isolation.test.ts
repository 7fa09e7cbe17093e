// Tenant isolation: with two organizations A and B in one database, every credential of A (its
// service token, its Admin's personal token, its Admin's dashboard session) tries every route with
// B's ids and B's values. Each attempt is answered 404 or 403 (or, for a list or a search, 200
// with A's data only); no response body anywhere holds any of B's ids, userNames, emails,
// externalIds, names or token names beyond what the request itself sent; B's rows are unchanged
// and B's tokens still work. On SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { initOrganization } from '../../src/accounts/organizations.ts';
import { saveSsoSettings } from '../../src/accounts/sso-settings.ts';
import { createToken } from '../../src/accounts/tokens.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { PUBLIC_URL, setupApp, type TestApp } from '../helpers/app.ts';
import { ADMIN_PASSWORD, type BrowserSession, formBody, openSession } from '../helpers/dashboard.ts';
import { personalToken } from '../helpers/seed.ts';
import { snapshot } from '../helpers/snapshot.ts';
import { IDP_SSO_URL, testIdps } from '../helpers/sso.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

type Credential = 'service token' | 'personal token' | 'session';

interface Attempt {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  body?: unknown;
  /** `form` bodies go to the dashboard as a browser would post them. */
  form?: Record<string, string>;
  /** What A may be answered; lists answer 200 with A's data. */
  expect: readonly number[];
  /** Dashboard pages take only the session. */
  credentials?: readonly Credential[];
}

interface OrgB {
  organizationId: string;
  adminMembershipId: string;
  memberIds: string[];
  userNames: string[];
  emails: string[];
  externalIds: string[];
  workspaceId: string;
  serviceTokenId: string;
  serviceToken: string;
  personalTokenId: string;
  personalToken: string;
  auditEventId: number;
  /** Every value of B that must never reach A. */
  secrets: string[];
}

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const NOT_FOUND = [404] as const;
const REFUSED = [403, 404] as const;
const LISTED = [200] as const;
const API_CREDENTIALS: readonly Credential[] = ['service token', 'personal token', 'session'];
const B_DOMAIN = 'zq-globex-sso.example';

async function seedOrganizationB(t: TestApp): Promise<OrgB> {
  const b = await initOrganization(t.store, {
    name: 'Zq Globex Corp',
    slug: 'zq-globex',
    adminEmail: 'zq-admin@globex.example',
    adminPassword: ADMIN_PASSWORD,
    actor: CLI_ACTOR,
  });
  const service = await createToken(t.store, {
    kind: 'service',
    organizationId: b.organization.id,
    name: 'zq-globex-okta',
    role: 'admin',
    actor: CLI_ACTOR,
  });
  const pat = await personalToken(t.store, b.organization.id, b.membership.id, 'admin', {
    name: 'zq-globex-laptop',
  });
  const memberIds: string[] = [];
  const userNames = ['zq.bob@globex.example', 'ZQ.Carol@Globex.example'];
  const emails = ['zq.bob@globex.example', 'zq.carol@globex.example', 'zq.carol.home@globex.example'];
  const externalIds = ['zq-ext-bob-0001', 'zq-ext-carol-0002'];
  for (const [index, userName] of userNames.entries()) {
    const res = await t.scim(
      'POST',
      'Users',
      {
        userName,
        externalId: externalIds[index],
        displayName: `Zq Secret Person ${index}`,
        name: { givenName: `Zqgiven${index}`, familyName: 'Zqfamily' },
        emails:
          index === 0
            ? [{ value: emails[0], type: 'work', primary: true }]
            : [
                { value: emails[1], type: 'work', primary: true },
                { value: emails[2], type: 'home' },
              ],
      },
      { token: service.token },
    );
    assert.equal(res.statusCode, 201, res.body);
    memberIds.push(res.json().id);
  }
  const workspace = await t.app.inject({
    method: 'POST',
    url: '/api/v1/workspaces',
    headers: { authorization: `Bearer ${service.token}`, 'content-type': 'application/json' },
    payload: { name: 'Zq Secret Workspace' },
  });
  assert.equal(workspace.statusCode, 201, workspace.body);
  const workspaceId = workspace.json().id as string;
  const grant = await t.app.inject({
    method: 'PUT',
    url: `/api/v1/members/${memberIds[0]}/workspaces/${workspaceId}`,
    headers: { authorization: `Bearer ${service.token}` },
  });
  assert.equal(grant.statusCode, 204);
  // B's SSO, with a verified email domain.
  const { idp } = await testIdps();
  await saveSsoSettings(t.store, {
    organizationId: b.organization.id,
    settings: { idpMetadataXml: idp.metadataXml(IDP_SSO_URL), domains: [B_DOMAIN] },
    actor: CLI_ACTOR,
    publicUrl: PUBLIC_URL,
  });
  await t.store.transaction((tx) =>
    tx.sso.markDomainVerified(b.organization.id, B_DOMAIN, new Date().toISOString()),
  );
  const claim = await t.store.sso.getDomainClaim(b.organization.id, B_DOMAIN);
  const events = await t.store.audit.search({ organizationId: b.organization.id, limit: 1 });
  return {
    organizationId: b.organization.id,
    adminMembershipId: b.membership.id,
    memberIds,
    userNames,
    emails,
    externalIds,
    workspaceId,
    serviceTokenId: service.id,
    serviceToken: service.token,
    personalTokenId: pat.id,
    personalToken: pat.token,
    auditEventId: events[0]!.id,
    secrets: [
      b.organization.id,
      b.membership.id,
      'zq-admin@globex.example',
      'Zq Globex Corp',
      ...memberIds,
      ...userNames,
      ...emails,
      ...externalIds,
      'Zq Secret Person',
      'Zqgiven',
      'Zqfamily',
      workspaceId,
      'Zq Secret Workspace',
      service.id,
      pat.id,
      'zq-globex-okta',
      'zq-globex-laptop',
      service.token,
      pat.token,
      B_DOMAIN,
      claim!.verification_token,
    ],
  };
}

function attempts(b: OrgB, a: { memberId: string; workspaceId: string }): Attempt[] {
  const [bob, carol] = b.memberIds as [string, string];
  const filter = (f: string) => `/scim/v2/Users?filter=${encodeURIComponent(f)}&count=200`;
  const scimFilters = [
    `id eq "${bob}"`,
    `id eq "${carol}" or id eq "${bob}"`,
    `userName eq "${b.userNames[0]}"`,
    `userName eq "${b.userNames[1]!.toUpperCase()}"`,
    `userName sw "zq."`,
    `userName co "globex"`,
    `externalId eq "${b.externalIds[0]}"`,
    `externalId sw "zq-ext"`,
    `emails.value eq "${b.emails[1]}"`,
    `emails[type eq "home" and value co "globex"]`,
    `emails[type eq "work"].value eq "${b.emails[0]}"`,
    `displayName co "Zq Secret"`,
    'name.familyName eq "Zqfamily"',
    'userName pr',
    'externalId pr',
    'meta.created gt "2000-01-01T00:00:00Z"',
    'meta.lastModified ge "2000-01-01T00:00:00Z"',
    'not (userName eq "nobody")',
    `active eq true or id eq "${bob}"`,
  ];
  const dashboardOnly: readonly Credential[] = ['session'];
  return [
    // SCIM Users, by B's ids.
    ...[bob, carol, b.adminMembershipId].flatMap((id): Attempt[] => [
      { name: `GET /Users/{B}`, method: 'GET', url: `/scim/v2/Users/${id}`, expect: NOT_FOUND },
      {
        name: `PUT /Users/{B}`,
        method: 'PUT',
        url: `/scim/v2/Users/${id}`,
        body: { userName: 'taken@acme.test', active: false, name: { givenName: 'Pwned' } },
        expect: NOT_FOUND,
      },
      {
        name: `PATCH /Users/{B}`,
        method: 'PATCH',
        url: `/scim/v2/Users/${id}`,
        body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] },
        expect: NOT_FOUND,
      },
      { name: `DELETE /Users/{B}`, method: 'DELETE', url: `/scim/v2/Users/${id}`, expect: NOT_FOUND },
    ]),
    ...scimFilters.map(
      (f): Attempt => ({ name: `GET /Users?filter=${f}`, method: 'GET', url: filter(f), expect: LISTED }),
    ),
    {
      name: 'GET /Users sorted',
      method: 'GET',
      url: '/scim/v2/Users?sortBy=userName&count=200',
      expect: LISTED,
    },
    {
      name: 'GET /Users deep page',
      method: 'GET',
      url: '/scim/v2/Users?startIndex=2&count=200',
      expect: LISTED,
    },
    // The REST API.
    { name: 'GET /api/v1/members/{B}', method: 'GET', url: `/api/v1/members/${bob}`, expect: NOT_FOUND },
    {
      name: 'PATCH /api/v1/members/{B}',
      method: 'PATCH',
      url: `/api/v1/members/${carol}`,
      body: { role: 'admin' },
      expect: NOT_FOUND,
    },
    {
      name: 'PATCH /api/v1/members/{B admin}',
      method: 'PATCH',
      url: `/api/v1/members/${b.adminMembershipId}`,
      body: { role: 'member' },
      expect: NOT_FOUND,
    },
    ...(['PUT', 'DELETE'] as const).flatMap((method): Attempt[] => [
      {
        name: `${method} /api/v1/members/{B}/workspaces/{B}`,
        method,
        url: `/api/v1/members/${bob}/workspaces/${b.workspaceId}`,
        expect: NOT_FOUND,
      },
      {
        name: `${method} /api/v1/members/{A}/workspaces/{B}`,
        method,
        url: `/api/v1/members/${a.memberId}/workspaces/${b.workspaceId}`,
        expect: NOT_FOUND,
      },
      {
        name: `${method} /api/v1/members/{B}/workspaces/{A}`,
        method,
        url: `/api/v1/members/${carol}/workspaces/${a.workspaceId}`,
        expect: NOT_FOUND,
      },
    ]),
    ...[
      '',
      `?search=zq`,
      `?search=${encodeURIComponent(b.userNames[0]!)}`,
      '?status=deactivated',
      `?cursor=zq`,
    ].map(
      (query): Attempt => ({
        name: `GET /api/v1/members${query}`,
        method: 'GET',
        url: `/api/v1/members${query}`,
        expect: LISTED,
      }),
    ),
    { name: 'GET /api/v1/workspaces', method: 'GET', url: '/api/v1/workspaces', expect: LISTED },
    {
      name: 'PATCH /api/v1/workspaces/{B}',
      method: 'PATCH',
      url: `/api/v1/workspaces/${b.workspaceId}`,
      body: { name: 'Pwned' },
      expect: NOT_FOUND,
    },
    { name: 'GET /api/v1/tokens', method: 'GET', url: '/api/v1/tokens', expect: [200, 400] },
    {
      name: 'GET /api/v1/tokens?kind=service',
      method: 'GET',
      url: '/api/v1/tokens?kind=service',
      expect: LISTED,
    },
    ...[b.serviceTokenId, b.personalTokenId].map(
      (id): Attempt => ({
        name: 'DELETE /api/v1/tokens/{B}',
        method: 'DELETE',
        url: `/api/v1/tokens/${id}`,
        expect: REFUSED,
      }),
    ),
    ...[
      '',
      `?target=${bob}`,
      `?target=${encodeURIComponent(b.userNames[0]!)}`,
      '?action=member.created',
      `?actor=zq-globex-okta`,
      `?cursor=${b.auditEventId + 1}`,
      '?limit=200',
    ].map(
      (query): Attempt => ({
        name: `GET /api/v1/audit${query}`,
        method: 'GET',
        url: `/api/v1/audit${query}`,
        expect: LISTED,
      }),
    ),
    { name: 'GET /api/v1/me', method: 'GET', url: '/api/v1/me', expect: LISTED },
    { name: 'GET /api/v1/sso', method: 'GET', url: '/api/v1/sso', expect: LISTED },
    {
      name: 'POST /api/v1/sso/domains/{B}/verify',
      method: 'POST',
      url: `/api/v1/sso/domains/${B_DOMAIN}/verify`,
      expect: NOT_FOUND,
    },
    // The dashboard, with A's session.
    ...[bob, b.adminMembershipId].flatMap((id): Attempt[] => [
      {
        name: 'GET /members/{B}',
        method: 'GET',
        url: `/members/${id}`,
        expect: NOT_FOUND,
        credentials: dashboardOnly,
      },
      {
        name: 'POST /members/{B}/role',
        method: 'POST',
        url: `/members/${id}/role`,
        form: { role: 'member' },
        expect: NOT_FOUND,
        credentials: dashboardOnly,
      },
      {
        name: 'POST /members/{B}/workspaces',
        method: 'POST',
        url: `/members/${id}/workspaces`,
        form: { access: 'revoke', workspaceId: b.workspaceId },
        expect: NOT_FOUND,
        credentials: dashboardOnly,
      },
    ]),
    {
      name: 'POST /members/{A}/workspaces with B workspace',
      method: 'POST',
      url: `/members/${a.memberId}/workspaces`,
      form: { access: 'grant', workspaceId: b.workspaceId },
      expect: NOT_FOUND,
      credentials: dashboardOnly,
    },
    {
      name: 'GET /workspaces/{B}',
      method: 'GET',
      url: `/workspaces/${b.workspaceId}`,
      expect: NOT_FOUND,
      credentials: dashboardOnly,
    },
    {
      name: 'POST /workspaces/{B}',
      method: 'POST',
      url: `/workspaces/${b.workspaceId}`,
      form: { name: 'Pwned' },
      expect: NOT_FOUND,
      credentials: dashboardOnly,
    },
    ...(['organization', 'account'] as const).flatMap((scope) =>
      [b.serviceTokenId, b.personalTokenId].flatMap((id): Attempt[] => [
        {
          name: `GET /settings/${scope}/tokens/{B}/revoke`,
          method: 'GET',
          url: `/settings/${scope}/tokens/${id}/revoke`,
          expect: NOT_FOUND,
          credentials: dashboardOnly,
        },
        {
          name: `POST /settings/${scope}/tokens/{B}/revoke`,
          method: 'POST',
          url: `/settings/${scope}/tokens/${id}/revoke`,
          form: {},
          expect: REFUSED,
          credentials: dashboardOnly,
        },
      ]),
    ),
    ...[
      '/members?q=zq',
      `/members?q=${encodeURIComponent(b.emails[0]!)}`,
      `/audit?target=${bob}`,
      '/audit',
      '/workspaces',
      '/settings/organization/tokens',
    ].map(
      (url): Attempt => ({
        name: `GET ${url}`,
        method: 'GET',
        url,
        expect: LISTED,
        credentials: dashboardOnly,
      }),
    ),
    {
      name: 'GET /audit/export.ndjson',
      method: 'GET',
      url: '/audit/export.ndjson',
      expect: LISTED,
      credentials: dashboardOnly,
    },
    {
      name: 'POST /settings/organization/sso/verify {B domain}',
      method: 'POST',
      url: '/settings/organization/sso/verify',
      form: { domain: B_DOMAIN },
      expect: NOT_FOUND,
      credentials: dashboardOnly,
    },
    {
      name: 'POST /organizations/switch into B',
      method: 'POST',
      url: '/organizations/switch',
      form: { organizationId: b.organizationId, membershipId: b.adminMembershipId },
      expect: [303, 400, 403, 404],
      credentials: dashboardOnly,
    },
  ];
}

/** B's values found in a response that the request did not itself carry. */
function leaks(res: LightMyRequestResponse, requestText: string, secrets: readonly string[]): string[] {
  const body = res.body.toLowerCase();
  const sent = requestText.toLowerCase();
  const headers = JSON.stringify(res.headers).toLowerCase();
  return secrets.filter((secret) => {
    const s = secret.toLowerCase();
    return (body.includes(s) || headers.includes(s)) && !sent.includes(s);
  });
}

for (const kind of STORE_KINDS) {
  describe(`tenant isolation (${kind})`, { skip: skipReason(kind) }, () => {
    let t: TestApp;
    let b: OrgB;
    let session: BrowserSession;
    let pat: string;
    let aMemberId: string;
    let aWorkspaceId: string;

    before(async () => {
      t = await setupApp(kind, 'acme-iso');
      b = await seedOrganizationB(t);
      const created = await t.scim('POST', 'Users', {
        userName: 'alice@acme-iso.test',
        emails: [{ value: 'alice@acme-iso.test', primary: true }],
      });
      assert.equal(created.statusCode, 201);
      aMemberId = created.json().id;
      aWorkspaceId = (await t.store.workspaces.list(t.org.organization.id))[0]!.id;
      pat = (await personalToken(t.store, t.org.organization.id, t.org.membership.id, 'admin')).token;
      session = await openSession(t, t.org.user.email);
    });
    after(() => t.cleanup());

    function send(attempt: Attempt, credential: Credential) {
      const headers: Record<string, string> = {};
      let payload: string | undefined;
      if (credential === 'session') {
        headers.cookie = `roster_session=${session.cookie}`;
        headers['x-csrf-token'] = session.csrf;
      } else {
        headers.authorization = `Bearer ${credential === 'service token' ? t.token : pat}`;
      }
      if (attempt.form) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        payload = formBody({ _csrf: session.csrf, ...attempt.form });
      } else if (attempt.body !== undefined) {
        headers['content-type'] = attempt.url.startsWith('/scim')
          ? 'application/scim+json'
          : 'application/json';
        payload = JSON.stringify(attempt.body);
      }
      return t.app.inject({
        method: attempt.method,
        url: attempt.url,
        headers,
        ...(payload ? { payload } : {}),
      });
    }

    it('answers every route tried by A with B’s ids and values with 403/404 or A’s own data, never B’s', async () => {
      const bBefore = await snapshot(t.store);
      const list = attempts(b, { memberId: aMemberId, workspaceId: aWorkspaceId });
      let tried = 0;
      const failures: string[] = [];
      for (const attempt of list) {
        const credentials =
          attempt.credentials ??
          (attempt.url.startsWith('/scim') ? ['service token', 'personal token'] : API_CREDENTIALS);
        for (const credential of credentials) {
          const res = await send(attempt, credential);
          tried += 1;
          const where = `${attempt.name} as ${credential} → ${res.statusCode}`;
          if (!attempt.expect.includes(res.statusCode))
            failures.push(`${where}: expected ${attempt.expect.join('/')}; ${res.body.slice(0, 200)}`);
          const sent = `${decodeURIComponent(attempt.url)} ${JSON.stringify(attempt.body ?? attempt.form ?? '')}`;
          const found = leaks(res, sent, b.secrets);
          if (found.length > 0) failures.push(`${where}: leaks ${found.join(', ')}`);
        }
      }
      assert.deepEqual(failures, [], `${failures.length} of ${tried} attempts failed`);
      assert.ok(tried >= 150, `only ${tried} attempts`);

      // Nothing of B changed: the snapshot differs only by A's own audit-free reads.
      const bAfter = await snapshot(t.store);
      const bRows = (s: typeof bBefore) =>
        Object.fromEntries(
          Object.entries(s).map(([table, rows]) => [
            table,
            rows.filter((row) => b.secrets.some((x) => row.includes(x))),
          ]),
        );
      assert.deepEqual(bRows(bAfter), bRows(bBefore), 'no row of B changed');

      // B's credentials still work.
      for (const token of [b.serviceToken, b.personalToken]) {
        const me = await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
        assert.equal(me.statusCode, 200);
        assert.equal(me.json().organization.id, b.organizationId);
      }
    });

    it('lists exactly A’s members for filters that would match B’s, with correct totals', async () => {
      const aCount = (await t.store.members.count(t.org.organization.id)) as number;
      const cases: Array<[string, number]> = [
        [`id eq "${b.memberIds[0]}"`, 0],
        [`userName eq "${b.userNames[0]}"`, 0],
        [`externalId eq "${b.externalIds[1]}"`, 0],
        [`emails.value eq "${b.emails[2]}"`, 0],
        ['userName pr', aCount],
        ['meta.created gt "2000-01-01T00:00:00Z"', aCount],
      ];
      for (const [f, total] of cases) {
        const res = await t.scim('GET', `Users?filter=${encodeURIComponent(f)}&count=200`);
        assert.equal(res.statusCode, 200, f);
        assert.equal(res.json().totalResults, total, f);
      }
    });
  });
}
