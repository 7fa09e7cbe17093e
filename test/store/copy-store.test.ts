// `roster copy` moves an installation between engines without losing anything: every row of every
// table compared, token hashes and audit events (with their ids) included, and the target's id
// sequence moved past the copied audit log.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { createInstallationToken } from '../../src/accounts/installation-tokens.ts';
import { createInvitation } from '../../src/accounts/invitations.ts';
import { initOrganization } from '../../src/accounts/organizations.ts';
import { createPasswordReset } from '../../src/accounts/passwords.ts';
import { createToken, revokeToken } from '../../src/accounts/tokens.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { recordAudit } from '../../src/audit/record-audit.ts';
import { newMemberRow } from '../../src/membership/member-row.ts';
import { COPY_ORDER, type CopyProgress, copyStore, TargetNotEmptyError } from '../../src/store/copy-store.ts';
import { newId, now } from '../../src/store/ids.ts';
import type { MemberRow } from '../../src/store/repos/members.ts';
import { ScimRequestRepo } from '../../src/store/repos/scim-requests.ts';
import type { Role } from '../../src/store/schema.ts';
import type { Store } from '../../src/store/store.ts';
import { dispatchEvents } from '../../src/webhooks/dispatch-events.ts';
import { createEndpoint } from '../../src/webhooks/manage-endpoints.ts';
import { createTestDatabase, openTestStore, skipReason, type TestDatabase } from '../helpers/stores.ts';

const run = promisify(execFile);
const ROSTER = join(import.meta.dirname, '../../bin/roster.js');
const PASSWORD = 'correct horse battery staple';

type Row = Record<string, unknown>;

/** Every row of every table, in primary-key order, with PostgreSQL's bigint strings made numbers. */
async function snapshot(store: Store): Promise<Record<string, Row[]>> {
  const tables: Record<string, Row[]> = {};
  for (const spec of COPY_ORDER) {
    const { rows } = await sql<Row>`select * from ${sql.table(spec.name)}`.execute(store.db);
    const serial = 'serial' in spec ? spec.serial : undefined;
    const normalised = rows.map((row) => {
      const kept: Row = serial ? { ...row, [serial]: Number(row[serial]) } : { ...row };
      // audit_counters.event_id refers to a bigserial id: a number here too.
      if (kept.event_id !== undefined && kept.event_id !== null) kept.event_id = Number(kept.event_id);
      // The outbox's positions are bigints too.
      for (const column of ['position', 'last_position']) {
        if (kept[column] !== undefined && kept[column] !== null) kept[column] = Number(kept[column]);
      }
      return kept;
    });
    // Sorted here, not by the database: SQLite and PostgreSQL collate text differently.
    normalised.sort((a, b) => {
      for (const column of spec.key) {
        const x = a[column] as string | number;
        const y = b[column] as string | number;
        if (x !== y) return x < y ? -1 : 1;
      }
      return 0;
    });
    tables[spec.name] = normalised;
  }
  return tables;
}

/** The tables the database really has, so that a table missing from COPY_ORDER cannot hide. */
async function userTables(store: Store): Promise<string[]> {
  const query =
    store.dialect.name === 'sqlite'
      ? sql<{
          name: string;
        }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`
      : sql<{
          name: string;
        }>`select table_name as name from information_schema.tables where table_schema = current_schema()`;
  const { rows } = await query.execute(store.db);
  return rows
    .map((r) => r.name)
    .filter((name) => !name.startsWith('kysely_'))
    .sort();
}

interface Seeded {
  organizations: number;
  auditEvents: number;
}

/** An installation with something in every table and every kind of value a column can hold. */
async function seedInstallation(store: Store): Promise<Seeded> {
  const shared = `shared.${randomBytes(3).toString('hex')}@example.com`;
  const orgs = [];
  for (const name of ['Acme Inc', 'Zürich Bücher AG', "O'Brien & Sons"]) {
    // The same admin in two organizations: one user, two memberships.
    const adminEmail = name === 'Acme Inc' ? `admin.${randomBytes(3).toString('hex')}@example.com` : shared;
    orgs.push(await initOrganization(store, { name, adminEmail, adminPassword: PASSWORD, actor: CLI_ACTOR }));
  }

  for (const [index, org] of orgs.entries()) {
    const organizationId = org.organization.id;
    const extra = await store.transaction(async (tx) => {
      const at = now();
      const workspace = {
        id: newId(),
        organization_id: organizationId,
        name: `Analytics ${index} — 東京`,
        is_default: 0,
        created_at: at,
        updated_at: at,
      };
      await tx.workspaces.insert(workspace);
      const members: MemberRow[] = [];
      for (let n = 0; n < 6; n++) {
        const email = `person${n}.${randomBytes(3).toString('hex')}@example.com`;
        const user = {
          id: newId(),
          email,
          display_name: n % 2 === 0 ? `Person ${n} "quoted"` : null,
          password_hash: null,
          created_at: at,
          updated_at: at,
        };
        await tx.users.insert(user);
        const deactivated = n === 5;
        const role: Role = n === 0 ? 'admin' : 'member';
        const document = {
          userName: email,
          externalId: n % 3 === 0 ? null : `00u${n}${randomBytes(4).toString('hex')}`,
          displayName: `Person ${n} 🙂`,
          name: { givenName: `Given${n}`, familyName: n === 1 ? null : `Family-${n}` },
          emails: [
            { value: email, type: 'work', primary: true },
            ...(n % 2 === 1 ? [{ value: `home${n}@example.org`, type: 'home', primary: false }] : []),
            ...(n === 3 ? [{ value: `other${n}@example.org` }] : []),
          ],
          'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'R&D' },
        };
        const created = newMemberRow({
          organizationId,
          userId: user.id,
          seq: await tx.organizations.nextMemberSeq(organizationId),
          document,
          source: n % 2 === 0 ? 'scim' : 'invite',
          role,
          active: !deactivated,
          at,
        });
        const member: MemberRow = { ...created.row, version: deactivated ? 2 : 1 };
        await tx.members.insert(member, created.emails);
        if (n % 2 === 0) await tx.workspaceGrants.grant(member.id, workspace.id, at);
        members.push(member);
        await recordAudit(tx, {
          organizationId,
          actor: { type: 'service_token', id: newId(), label: 'okta' },
          action: 'member.created',
          target: { type: 'member', id: member.id, label: email },
          after: document,
          requestId: `req-${index}-${n}`,
        });
      }
      // A group pushed by the IdP, with three members and a workspace it gives access to.
      const group = {
        id: newId(),
        organization_id: organizationId,
        display_name: `Eng Admins ${index} — 東京`,
        external_id: index === 0 ? null : `00g${index}`,
        role: index === 1 ? ('admin' as const) : null,
        member_count: 3,
        version: 4,
        created_at: at,
        updated_at: at,
      };
      await tx.groups.insert(group);
      await tx.groups.addMembers(
        group.id,
        members.slice(0, 3).map((m) => m.id),
        at,
      );
      await tx.groups.setWorkspaces(group.id, [workspace.id], at);
      for (const member of members.slice(0, 2)) {
        await tx.access.addEntitlement(member.id, 'workspace', workspace.id, at);
      }
      for (const [n, member] of members.slice(0, 2).entries()) {
        await tx.sessions.insert({
          id_hash: randomBytes(32).toString('hex'),
          user_id: member.user_id,
          organization_id: organizationId,
          membership_id: member.id,
          csrf_token: randomBytes(16).toString('base64url'),
          created_at: at,
          expires_at: new Date(Date.now() + 86_400_000).toISOString(),
          last_seen_at: at,
          sign_in_method: n === 0 ? 'password' : 'sso',
        });
      }

      // SAML SSO for two of the three organizations: settings (with the SP's private key, which
      // must survive the move or every IdP would need a new certificate), domains, an AuthnRequest
      // in flight and an assertion already consumed (replay protection must survive too).
      if (index < 2) {
        await tx.sso.upsertSettings({
          organization_id: organizationId,
          idp_entity_id: `http://www.okta.com/exk${index}${randomBytes(4).toString('hex')}`,
          idp_sso_url: `https://example.okta.com/app/roster/exk${index}/sso/saml`,
          idp_sso_binding: index === 0 ? 'redirect' : 'post',
          idp_certificates: JSON.stringify([
            `-----BEGIN CERTIFICATE-----\n${randomBytes(48).toString('base64')}\n-----END CERTIFICATE-----\n`,
          ]),
          sso_required: index,
          jit_role: index === 0 ? 'member' : null,
          sign_authn_requests: 1,
          allow_sha1_signatures: index,
          idp_initiated: index,
          sp_private_key: `-----BEGIN PRIVATE KEY-----\n${randomBytes(96).toString('base64')}\n-----END PRIVATE KEY-----\n`,
          sp_certificate: `-----BEGIN CERTIFICATE-----\n${randomBytes(64).toString('base64')}\n-----END CERTIFICATE-----\n`,
          created_at: at,
          updated_at: at,
        });
        await tx.sso.replaceDomains(
          organizationId,
          [`org${index}-${randomBytes(3).toString('hex')}.example`],
          at,
          () => randomBytes(16).toString('hex'),
        );
        const expires = new Date(Date.now() + 300_000).toISOString();
        await tx.sso.insertRequest({
          id: `_${randomBytes(16).toString('hex')}`,
          organization_id: organizationId,
          relay_state: randomBytes(16).toString('base64url'),
          return_path: index === 0 ? '/members?status=active' : null,
          browser_hash: randomBytes(32).toString('hex'),
          created_at: at,
          expires_at: expires,
        });
        await tx.sso.consumeAssertion(organizationId, `_${randomBytes(16).toString('hex')}`, expires, at);
        // A sign-in waiting for its browser (one SP-initiated, bound to the browser that started
        // it, and bound to a session already; one IdP-initiated).
        const [member] = members;
        if (member) {
          await tx.sso.insertPendingSignIn({
            id_hash: randomBytes(32).toString('hex'),
            organization_id: organizationId,
            membership_id: member.id,
            session_id_hash: index === 0 ? randomBytes(32).toString('hex') : null,
            return_path: index === 0 ? '/workspaces' : null,
            name_id: member.user_name,
            issuer: 'http://www.okta.com/exk',
            flow: index === 0 ? 'sp_initiated' : 'idp_initiated',
            browser_hash: index === 0 ? randomBytes(32).toString('hex') : null,
            just_in_time_created: index === 0 ? 1 : 0,
            created_at: at,
            expires_at: expires,
          });
        }
      }
      // A counted failure (its audit event and counter) and a token form already sent.
      await tx.audit.countFailure(
        {
          organization_id: organizationId,
          action: 'sso.login_failed',
          reason: 'bad_signature',
          subject: '',
          minute: at.slice(0, 16),
        },
        (count) => ({
          organization_id: organizationId,
          occurred_at: at,
          actor_type: 'unauthenticated',
          actor_id: null,
          actor_label: null,
          action: 'sso.login_failed',
          target_type: 'organization',
          target_id: organizationId,
          target_label: null,
          before: null,
          after: JSON.stringify({ reason: 'bad_signature', unauthenticated: true, count }),
          request_id: null,
        }),
      );
      const sessionHash = randomBytes(32).toString('hex');
      await tx.tokenReveals.claim(
        sessionHash,
        randomBytes(16).toString('base64url'),
        at,
        '2999-01-01T00:00:00.000Z',
      );
      await tx.tokenReveals.claim(sessionHash, 'nonce-with-token-ab', at, '2999-01-01T00:00:00.000Z');
      await tx.tokenReveals.attach(
        sessionHash,
        'nonce-with-token-ab',
        'tok-1',
        randomBytes(40).toString('base64url'),
      );
      // The OpenID Connect provider's rows: an app, a grant bound to a member, a token under it,
      // the provider's keys, and a back-channel logout notice.
      const appId = `app_${randomBytes(6).toString('hex')}`;
      const grantId = `grant-${randomBytes(6).toString('hex')}`;
      await tx.oidc.insertClient({
        id: appId,
        name: 'Copied app',
        secret_hash: 'ab'.repeat(32),
        redirect_uris: JSON.stringify(['https://app.example/callback']),
        post_logout_redirect_uris: '[]',
        backchannel_logout_uri: 'https://app.example/logout',
        created_at: at,
        revoked_at: null,
      });
      const grant = { kind: 'Grant', id: grantId, payload: '{"accountId":"u"}', grant_id: null, uid: null };
      await tx.oidc.upsert({
        ...grant,
        user_code: null,
        account_id: 'u',
        client_id: appId,
        expires_at: null,
      });
      await tx.oidc.bindGrant(grantId, members[0]?.id ?? '');
      await tx.oidc.upsert({
        kind: 'RefreshToken',
        id: `refresh-${grantId}`,
        payload: JSON.stringify({ grantId }),
        grant_id: grantId,
        uid: null,
        user_code: null,
        account_id: 'u',
        client_id: appId,
        expires_at: '2999-01-01T00:00:00.000Z',
      });
      await tx.oidc.consume('RefreshToken', `refresh-${grantId}`, at);
      await tx.oidc.insertKey({
        kind: 'cookie',
        generation: randomBytes(3).readUIntBE(0, 3),
        material: 'secret',
        created_at: at,
        retired_at: at,
      });
      return { members };
    });

    await createInstallationToken(store, { name: `saas ${index}`, actor: CLI_ACTOR });
    await createInvitation(store, {
      organizationId,
      email: `invited.${randomBytes(3).toString('hex')}@example.com`,
      role: 'member',
      actor: CLI_ACTOR,
    });
    await createPasswordReset(store, { userId: org.user.id, actor: CLI_ACTOR });
    await store.setupLinks.insert({
      id: newId(),
      organization_id: organizationId,
      token_hash: randomBytes(32).toString('hex'),
      session_hash: null,
      created_by: 'saas',
      created_at: now(),
      expires_at: '2999-01-01T00:00:00.000Z',
      opened_at: null,
      revoked_at: null,
    });
    await store.db
      .insertInto('oidc_logout_notices')
      .values({
        id: randomBytes(8).toString('hex'),
        client_id: 'app_copy',
        account_id: 'u',
        sid: 's',
        attempts: 2,
        not_before: now(),
        created_at: now(),
      })
      .execute();
    const service = await createToken(store, {
      kind: 'service',
      organizationId,
      name: 'okta',
      role: 'admin',
      actor: CLI_ACTOR,
    });
    const oldService = await createToken(store, {
      kind: 'service',
      organizationId,
      name: 'okta (old)',
      role: 'admin',
      actor: CLI_ACTOR,
    });
    await revokeToken(store, { id: oldService.id, actor: CLI_ACTOR });
    await store.tokens.touch('service', service.id, now());
    const personal = await createToken(store, {
      kind: 'personal',
      organizationId,
      membershipId: org.membership.id,
      name: 'laptop',
      role: 'admin',
      expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      actor: CLI_ACTOR,
    });
    await revokeToken(store, { id: personal.id, actor: CLI_ACTOR });
    const scimRequests = new ScimRequestRepo({ db: store.db, dialect: store.dialect });
    for (const [n, status] of [200, 201, 409, 404].entries()) {
      await scimRequests.insert({
        organization_id: organizationId,
        occurred_at: now(),
        method: status === 201 ? 'POST' : 'GET',
        path: `/scim/v2/Users?filter=userName%20eq%20%22person${n}%40example.com%22`,
        status,
        duration_ms: 3 + n,
        user_agent: n === 0 ? null : 'Okta SCIM Client 1.0.0',
        detail: status === 409 ? 'a resource with these unique attributes already exists' : null,
        request_id: `req-scim-${index}-${n}`,
      });
    }
    const member = extra.members[1];
    assert.ok(member);
    await createToken(store, {
      kind: 'personal',
      organizationId,
      membershipId: member.id,
      name: 'scripts',
      role: 'member',
      actor: CLI_ACTOR,
    });
  }

  // A webhook endpoint, an event after it, and the outbox sequenced: its delivery is pending.
  const endpoint = await createEndpoint(store, {
    organizationId: orgs[0]?.organization.id as string,
    actor: CLI_ACTOR,
    allowPrivate: true,
    url: 'http://127.0.0.1:9/hooks',
    types: ['*'],
  });
  assert.ok(endpoint.secret.startsWith('whsec_'));
  await createToken(store, {
    kind: 'service',
    organizationId: orgs[0]?.organization.id as string,
    name: 'after the endpoint',
    role: 'admin',
    actor: CLI_ACTOR,
  });
  assert.ok((await dispatchEvents(store)) > 0);

  // Events outside any organization, and enough of them to span several copy batches.
  await store.transaction(async (tx) => {
    for (let n = 0; n < 20; n++) {
      await recordAudit(tx, {
        organizationId: null,
        actor: { type: 'system', id: null, label: null },
        action: 'organization.created',
        target: { type: 'system', id: null },
        before: n === 0 ? { note: 'line\nbreak\ttab \\ backslash' } : undefined,
      });
    }
  });

  const auditEvents = Number(
    (await sql<{ n: number | string }>`select count(*) as n from audit_events`.execute(store.db)).rows[0]?.n,
  );
  return { organizations: orgs.length, auditEvents };
}

async function expectSameRows(source: Store, target: Store): Promise<void> {
  const expected = await snapshot(source);
  const actual = await snapshot(target);
  for (const spec of COPY_ORDER) {
    assert.ok((expected[spec.name]?.length ?? 0) > 0, `the seed leaves ${spec.name} empty`);
    assert.deepEqual(actual[spec.name], expected[spec.name], `rows of ${spec.name} differ`);
  }
}

/** Inserts an audit event and a SCIM request the ordinary way; returns the ids they were given. */
async function insertFreshRows(store: Store): Promise<{ audit: number; scim: number }> {
  await store.transaction((tx) =>
    recordAudit(tx, {
      organizationId: null,
      actor: CLI_ACTOR,
      action: 'organization.created',
      target: { type: 'system', id: null },
    }),
  );
  const organization = (await store.organizations.list())[0];
  assert.ok(organization);
  await new ScimRequestRepo({ db: store.db, dialect: store.dialect }).insert({
    organization_id: organization.id,
    occurred_at: now(),
    method: 'GET',
    path: '/scim/v2/Users',
    status: 200,
    duration_ms: 1,
    user_agent: null,
    detail: null,
    request_id: null,
  });
  const max = async (table: 'audit_events' | 'scim_requests') => {
    const { rows } = await sql<{
      id: number | string;
    }>`select max(id) as id from ${sql.table(table)}`.execute(store.db);
    return Number(rows[0]?.id);
  };
  return { audit: await max('audit_events'), scim: await max('scim_requests') };
}

/** The largest copied id of each table with a generated id. */
async function maxCopiedIds(store: Store): Promise<{ audit: number; scim: number }> {
  const tables = await snapshot(store);
  const max = (rows: Row[] | undefined) => Math.max(...(rows ?? []).map((r) => Number(r.id)));
  return { audit: max(tables.audit_events), scim: max(tables.scim_requests) };
}

describe('copying an installation from SQLite to PostgreSQL', { skip: skipReason('postgres') }, () => {
  let source: Awaited<ReturnType<typeof openTestStore>>;
  let seeded: Seeded;

  before(async () => {
    source = await openTestStore('sqlite');
    seeded = await seedInstallation(source.store);
  });
  after(() => source.cleanup());

  it('seeds every table, with at least 50 audit events', async () => {
    assert.ok(seeded.auditEvents >= 50, `only ${seeded.auditEvents} audit events`);
    assert.deepEqual(await userTables(source.store), COPY_ORDER.map((t) => t.name).sort());
  });

  it('copies every row of every table exactly, in batches, and reports the counts', async () => {
    const target = await openTestStore('postgres');
    try {
      assert.deepEqual(await userTables(target.store), COPY_ORDER.map((t) => t.name).sort());
      const progress: CopyProgress[] = [];
      const copied = await copyStore(source.store, target.store, {
        batchSize: 7,
        onProgress: (p) => progress.push(p),
      });

      await expectSameRows(source.store, target.store);
      const expected = await snapshot(source.store);
      assert.deepEqual(
        copied,
        COPY_ORDER.map((spec) => ({ table: spec.name, rows: expected[spec.name]?.length ?? 0 })),
      );
      const auditProgress = progress.filter((p) => p.table === 'audit_events');
      assert.ok(auditProgress.length > 2, 'audit events were copied in several batches');
      assert.deepEqual(auditProgress.at(-1), { table: 'audit_events', rows: seeded.auditEvents, done: true });
    } finally {
      await target.cleanup();
    }
  });

  it('keeps generated ids (audit events, SCIM requests) and moves the PostgreSQL sequences past them', async () => {
    const target = await openTestStore('postgres');
    try {
      await copyStore(source.store, target.store);
      const copied = await maxCopiedIds(source.store);
      const fresh = await insertFreshRows(target.store);
      assert.deepEqual(fresh, { audit: copied.audit + 1, scim: copied.scim + 1 });
      const { rows } = await sql<{ n: number | string }>`select count(*) as n from audit_events`.execute(
        target.store.db,
      );
      assert.equal(Number(rows[0]?.n), seeded.auditEvents + 1);
    } finally {
      await target.cleanup();
    }
  });

  it('copies back from PostgreSQL to a fresh SQLite file just as exactly', async () => {
    const middle = await openTestStore('postgres');
    const back = await openTestStore('sqlite');
    try {
      await copyStore(source.store, middle.store);
      await copyStore(middle.store, back.store, { batchSize: 5 });
      await expectSameRows(source.store, back.store);
      const copied = await maxCopiedIds(source.store);
      assert.deepEqual(await insertFreshRows(back.store), { audit: copied.audit + 1, scim: copied.scim + 1 });
    } finally {
      await middle.cleanup();
      await back.cleanup();
    }
  });

  it('refuses a target that already has an organization, and changes nothing there', async () => {
    const target = await openTestStore('postgres');
    try {
      await initOrganization(target.store, {
        name: 'Already Here',
        adminEmail: 'someone@example.com',
        adminPassword: PASSWORD,
        actor: CLI_ACTOR,
      });
      const before = await snapshot(target.store);
      await assert.rejects(copyStore(source.store, target.store), (error: unknown) => {
        assert.ok(error instanceof TargetNotEmptyError);
        assert.match(error.message, /not empty \(organizations: 1/);
        return true;
      });
      assert.deepEqual(await snapshot(target.store), before);
    } finally {
      await target.cleanup();
    }
  });
});

describe('roster copy on the command line', { skip: skipReason('postgres') }, () => {
  let source: TestDatabase;
  let target: TestDatabase;
  let seeded: Seeded;
  let sourcePath: string;

  before(async () => {
    source = await createTestDatabase('sqlite');
    sourcePath = source.url.slice('sqlite:'.length);
    const store = source.open();
    await store.migrate();
    seeded = await seedInstallation(store);
    await store.close();
    target = await createTestDatabase('postgres');
  });
  after(async () => {
    await source.drop();
    await target.drop();
  });

  const roster = (args: string[]) =>
    run(process.execPath, [ROSTER, ...args], { env: { ...process.env, ...target.env } }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({
        code: error.code ?? -1,
        stdout: error.stdout ?? '',
        stderr: error.stderr ?? '',
      }),
    );

  it('copies into an unmigrated PostgreSQL schema and prints per-table counts as JSON', async () => {
    const result = await roster(['copy', '--from', source.url, '--to', target.url, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as {
      from: string;
      to: string;
      tables: { table: string; rows: number }[];
      total: number;
    };
    assert.equal(report.from, source.url);
    assert.deepEqual(
      report.tables.map((t) => t.table),
      COPY_ORDER.map((t) => t.name),
    );
    assert.equal(report.tables.find((t) => t.table === 'audit_events')?.rows, seeded.auditEvents);
    assert.equal(report.tables.find((t) => t.table === 'organizations')?.rows, seeded.organizations);
    assert.equal(
      report.total,
      report.tables.reduce((sum, t) => sum + t.rows, 0),
    );

    const from = source.open();
    const to = target.open();
    try {
      await expectSameRows(from, to);
    } finally {
      await from.close();
      await to.close();
    }
  });

  it('refuses to copy into the now non-empty target, exits 1 and changes nothing', async () => {
    const to = target.open();
    try {
      const before = await snapshot(to);
      const result = await roster(['copy', '--from', source.url, '--to', target.url, '--json']);
      assert.equal(result.code, 1);
      assert.equal(result.stdout, '');
      const { error } = JSON.parse(result.stderr) as { error: string };
      assert.match(error, /the target database is not empty \(organizations: 3/);
      assert.deepEqual(await snapshot(to), before);
    } finally {
      await to.close();
    }
  });

  it('refuses a SQLite source file that does not exist, without creating it', async () => {
    const missing = join(sourcePath, '..', 'missing.db');
    const result = await roster(['copy', '--from', `sqlite:${missing}`, '--to', target.url]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /no SQLite database at/);
    assert.equal(existsSync(missing), false);
  });

  it('answers a usage error (exit 2) without --to', async () => {
    const result = await roster(['copy', '--from', source.url]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /copy needs --from DATABASE_URL and --to DATABASE_URL/);
  });

  it('prints a human summary without --json', async () => {
    const fresh = await createTestDatabase('postgres');
    try {
      const result = await run(process.execPath, [ROSTER, 'copy', '--from', source.url, '--to', fresh.url], {
        env: { ...process.env, ...fresh.env },
      });
      assert.match(result.stdout, /^organizations\s+3$/m);
      assert.match(result.stdout, new RegExp(`^audit_events\\s+${seeded.auditEvents}$`, 'm'));
      assert.match(
        result.stdout,
        /Copied \d+ rows from sqlite:.* to postgres:\/\/postgres@127\.0\.0\.1:5432\/test\./,
      );
    } finally {
      await fresh.drop();
    }
  });
});
