// Crash safety: `roster serve` is killed with SIGKILL in the middle of a stream of SCIM writes
// (creates, PATCH deactivate/reactivate, PUT profile changes), then restarted on the same database,
// round after round. After every kill:
// - every write answered 2xx is there with the acknowledged values, and a write whose answer was
//   lost is either wholly there or wholly absent (one version step, never half of one);
// - each membership's columns and member_emails rows agree with its profile JSON, its status with
//   its role, its version with the number of change events, and every acknowledged write has its
//   audit event (found by the request id the test sent);
// - SQLite: PRAGMA integrity_check is "ok" and foreign_key_check is empty; PostgreSQL: the same
//   consistency queries, plus a search for orphan rows.
// Seeded (CRASH_SEED) so that a failing sequence of kill points can be replayed. `npm test` runs 4
// kills per store (each round is a server start, a burst of writes from four streams and a full
// check, about 2 s); CRASH_ROUNDS=10 or more for a longer run (docs/reliability.md).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { initOrganization } from '../../src/accounts/organizations.ts';
import { createToken } from '../../src/accounts/tokens.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { profileColumns, profileEmails } from '../../src/membership/member-row.ts';
import type { Store } from '../../src/store/store.ts';
import { type RunningRoster, rosterEnv, startRoster } from '../helpers/roster-cli.ts';
import {
  createTestDatabase,
  STORE_KINDS,
  type StoreKind,
  skipReason,
  type TestDatabase,
} from '../helpers/stores.ts';

const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 4);
const SEED = Number(process.env.CRASH_SEED ?? 9);
const WORKERS = 4;

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface MemberState {
  version: number;
  active: boolean;
  givenName: string;
}

type Change = { kind: 'active'; active: boolean } | { kind: 'profile'; givenName: string };

interface Member {
  id: string;
  userName: string;
  /** The last state a 2xx acknowledged. */
  acked: MemberState;
  /** The write sent whose answer never came: it may or may not have been applied. */
  inFlight?: { change: Change; requestId: string };
  /** Request ids of acknowledged writes, with the audit action each must have left. */
  ackedRequests: Array<{ requestId: string; action: string }>;
}

interface Model {
  members: Map<string, Member>;
  /** Creates whose answer never came: userName → request id. */
  unknownCreates: Map<string, string>;
  acknowledged: number;
  lost: number;
}

const SCIM_JSON = 'application/scim+json';

async function scimCall(
  server: RunningRoster,
  token: string,
  method: string,
  path: string,
  body: unknown,
  requestId: string,
) {
  const res = await fetch(`${server.baseUrl}/scim/v2/${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': SCIM_JSON,
      accept: SCIM_JSON,
      'x-request-id': requestId,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

function stateOf(resource: Record<string, unknown>): MemberState {
  const meta = resource.meta as { version: string };
  return {
    version: Number(/\d+/.exec(meta.version)?.[0]),
    active: resource.active === true,
    givenName: String((resource.name as { givenName?: string } | undefined)?.givenName ?? ''),
  };
}

/** Runs writes from WORKERS workers until the server dies; returns once every worker stopped. */
async function writeUntilKilled(
  server: RunningRoster,
  token: string,
  model: Model,
  round: number,
  next: () => number,
  killAfterMs: number,
): Promise<void> {
  let dead = false;
  let sequence = 0;
  const killer = setTimeout(() => {
    server.child.kill('SIGKILL');
  }, killAfterMs);
  void server.exited.then(() => {
    dead = true;
  });

  const worker = async (w: number) => {
    while (!dead) {
      sequence += 1;
      const requestId = `crash-${round}-${w}-${sequence}`;
      const idle = [...model.members.values()].filter((m) => !m.inFlight && !busy.has(m.id));
      const roll = next();
      if (roll < 0.3 || idle.length === 0) {
        const userName = `r${round}-w${w}-${sequence}@crash.test`;
        const body = {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          userName,
          name: { givenName: 'Created', familyName: `Round${round}` },
          emails: [{ value: userName, type: 'work', primary: true }],
        };
        try {
          const res = await scimCall(server, token, 'POST', 'Users', body, requestId);
          assert.equal(res.status, 201, JSON.stringify(res.json));
          const id = String(res.json.id);
          model.members.set(id, {
            id,
            userName,
            acked: stateOf(res.json),
            ackedRequests: [{ requestId, action: 'member.created' }],
          });
          model.acknowledged += 1;
        } catch (error) {
          if (!dead && !(error instanceof TypeError)) throw error;
          model.unknownCreates.set(userName, requestId);
          model.lost += 1;
          return;
        }
        continue;
      }
      const member = idle[Math.floor(next() * idle.length)]!;
      busy.add(member.id);
      const change: Change =
        roll < 0.65
          ? { kind: 'active', active: !member.acked.active }
          : { kind: 'profile', givenName: `Given-${round}-${w}-${sequence}` };
      const [method, body] =
        change.kind === 'active'
          ? [
              'PATCH',
              {
                schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
                Operations: [{ op: 'replace', value: { active: change.active } }],
              },
            ]
          : [
              'PUT',
              {
                schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
                userName: member.userName,
                name: { givenName: change.givenName, familyName: 'Changed' },
                emails: [{ value: member.userName, type: 'work', primary: true }],
              },
            ];
      try {
        const res = await scimCall(server, token, method, `Users/${member.id}`, body, requestId);
        assert.equal(res.status, 200, JSON.stringify(res.json));
        member.acked = stateOf(res.json);
        const action =
          change.kind === 'profile'
            ? 'member.updated'
            : change.active
              ? 'member.reactivated'
              : 'member.deactivated';
        member.ackedRequests.push({ requestId, action });
        model.acknowledged += 1;
      } catch (error) {
        if (!dead && !(error instanceof TypeError)) throw error;
        member.inFlight = { change, requestId };
        model.lost += 1;
        return;
      } finally {
        busy.delete(member.id);
      }
    }
  };
  const busy = new Set<string>();
  await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
  clearTimeout(killer);
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  const exit = await server.exited;
  assert.equal(exit.signal, 'SIGKILL', 'the server was killed, not stopped by anything else');
}

/** Folds what the database now says about in-flight writes into the model, checking each is whole. */
async function reconcile(store: Store, organizationId: string, model: Model): Promise<void> {
  for (const member of model.members.values()) {
    const row = await store.members.getById(organizationId, member.id);
    assert.ok(row, `acknowledged member ${member.userName} is missing`);
    const stored: MemberState = {
      version: row.version,
      active: row.status === 'active',
      givenName: row.given_name ?? '',
    };
    const flight = member.inFlight;
    member.inFlight = undefined;
    if (flight && stored.version === member.acked.version + 1) {
      const applied =
        flight.change.kind === 'active'
          ? { ...member.acked, version: stored.version, active: flight.change.active }
          : { ...member.acked, version: stored.version, givenName: flight.change.givenName };
      assert.deepEqual(stored, applied, `${member.userName}: the lost write was applied only in part`);
      member.acked = applied;
      const action =
        flight.change.kind === 'profile'
          ? 'member.updated'
          : flight.change.active
            ? 'member.reactivated'
            : 'member.deactivated';
      member.ackedRequests.push({ requestId: flight.requestId, action });
    } else {
      assert.deepEqual(stored, member.acked, `${member.userName} lost or changed an acknowledged write`);
    }
  }
  for (const [userName, requestId] of model.unknownCreates) {
    const row = await store.members.findByUserName(organizationId, userName);
    if (row) {
      assert.equal(row.version, 1);
      model.members.set(row.id, {
        id: row.id,
        userName,
        acked: { version: 1, active: true, givenName: 'Created' },
        ackedRequests: [{ requestId, action: 'member.created' }],
      });
    }
  }
  model.unknownCreates.clear();
}

/** The invariants of every membership and of the database as a whole. */
async function checkConsistency(store: Store, organizationId: string, model: Model): Promise<void> {
  const db = store.db;
  const memberships = await db
    .selectFrom('memberships')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .orderBy('seq')
    .execute();
  // Dense positions 1..N and the organization's counter (SCIM paging relies on both).
  assert.deepEqual(
    memberships.map((m) => m.seq),
    memberships.map((_, i) => i + 1),
  );
  const organization = await store.organizations.getById(organizationId);
  assert.equal(organization?.member_seq, memberships.length);
  // Every membership the model knows, and nothing it does not (besides the initial Admin).
  assert.equal(memberships.length, model.members.size + 1, 'no membership appeared from nowhere');

  for (const row of memberships) {
    const profile = JSON.parse(row.profile) as Record<string, unknown>;
    const columns = profileColumns(profile);
    assert.deepEqual(
      {
        user_name: row.user_name,
        external_id: row.external_id,
        display_name: row.display_name,
        given_name: row.given_name,
        family_name: row.family_name,
      },
      {
        user_name: columns.user_name,
        external_id: columns.external_id,
        display_name: columns.display_name,
        given_name: columns.given_name,
        family_name: columns.family_name,
      },
      `${row.user_name}: columns agree with the profile`,
    );
    const emails = await db
      .selectFrom('member_emails')
      .select(['value', 'type', 'primary', 'position', 'organization_id'])
      .where('membership_id', '=', row.id)
      .orderBy('position')
      .execute();
    assert.deepEqual(
      emails.map((e) => ({ value: e.value, type: e.type, primary: Number(e.primary) === 1 })),
      profileEmails(profile),
      `${row.user_name}: member_emails agree with the profile`,
    );
    assert.ok(emails.every((e, i) => e.position === i && e.organization_id === organizationId));
    if (row.status === 'active') {
      assert.ok(row.role !== null && row.deactivated_at === null, `${row.user_name}: active with a role`);
    } else {
      assert.ok(
        row.role === null && row.previous_role !== null && row.deactivated_at !== null,
        `${row.user_name}: deactivated without a role, keeping the previous one`,
      );
    }
    const user = await store.users.getById(row.user_id);
    assert.ok(user, `${row.user_name}: its user exists`);

    const member = model.members.get(row.id);
    if (!member) continue; // the initial Admin
    const events = await db
      .selectFrom('audit_events')
      .select(['action', 'request_id'])
      .where('target_id', '=', row.id)
      .execute();
    const changes = events.filter((e) =>
      ['member.updated', 'member.deactivated', 'member.reactivated'].includes(e.action),
    );
    assert.equal(changes.length, row.version - 1, `${row.user_name}: one change event per version step`);
    assert.equal(events.filter((e) => e.action === 'member.created').length, 1);
    for (const { requestId, action } of member.ackedRequests) {
      assert.ok(
        events.some((e) => e.request_id === requestId && e.action === action),
        `${row.user_name}: the acknowledged ${action} (${requestId}) has its audit event`,
      );
    }
  }

  // No row points nowhere.
  const orphans = await sql<{ n: number | string }>`
    select (select count(*) from member_emails e where not exists (select 1 from memberships m where m.id = e.membership_id))
         + (select count(*) from memberships m where not exists (select 1 from users u where u.id = m.user_id))
         + (select count(*) from audit_events a where a.target_type = 'member' and a.organization_id = ${organizationId}
              and not exists (select 1 from memberships m where m.id = a.target_id)) as n
  `.execute(db);
  assert.equal(Number(orphans.rows[0]?.n), 0, 'no orphan rows');

  if (store.dialect.name === 'sqlite') {
    const integrity = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(db);
    assert.deepEqual(
      integrity.rows.map((r) => r.integrity_check),
      ['ok'],
    );
    const foreignKeys = await sql`pragma foreign_key_check`.execute(db);
    assert.deepEqual(foreignKeys.rows, []);
  }
}

/** Over HTTP after a restart: every acknowledged member reads back with its acknowledged values. */
async function checkOverHttp(
  server: RunningRoster,
  token: string,
  model: Model,
  round: number,
): Promise<void> {
  const members = [...model.members.values()];
  // Eight at a time: the check runs after every restart and should not dominate the round.
  for (let i = 0; i < members.length; i += 8) {
    await Promise.all(
      members.slice(i, i + 8).map(async (member) => {
        const res = await scimCall(server, token, 'GET', `Users/${member.id}`, undefined, `check-${round}`);
        assert.equal(res.status, 200);
        assert.deepEqual(stateOf(res.json), member.acked, `${member.userName} reads back as acknowledged`);
      }),
    );
  }
  const list = await scimCall(server, token, 'GET', 'Users?count=1', undefined, `check-${round}`);
  assert.equal(list.json.totalResults, model.members.size + 1);
}

/** Waits until PostgreSQL has ended every session of the killed server (at most 30 s). */
async function sessionsEnded(store: Store, applicationName: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from pg_stat_activity where application_name = ${applicationName}`.execute(
      store.db,
    );
    if (rows[0]?.n === 0) return;
    assert.ok(Date.now() < deadline, `the killed server's ${rows[0]?.n} PostgreSQL sessions did not end`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function crashRounds(kind: StoreKind, database: TestDatabase, log: (line: string) => void) {
  const setup = database.open();
  await setup.migrate();
  const init = await initOrganization(setup, {
    name: 'Crash Inc',
    slug: 'crash',
    adminEmail: 'admin@crash.test',
    adminPassword: 'correct horse battery staple',
    actor: CLI_ACTOR,
  });
  const organizationId = init.organization.id;
  const { token } = await createToken(setup, {
    kind: 'service',
    organizationId,
    name: 'okta',
    role: 'admin',
    actor: CLI_ACTOR,
  });
  await setup.close();

  // PostgreSQL finishes a statement a killed server had already sent (its COMMIT) after the kill:
  // the server's sessions are named, and each round waits for them to end before it reads.
  const applicationName = `roster-crash-${process.pid}-${kind}`;
  const env = rosterEnv(database, { LOG_LEVEL: 'warn', PGAPPNAME: applicationName });
  const next = random(SEED + (kind === 'postgres' ? 1000 : 0));
  const model: Model = { members: new Map(), unknownCreates: new Map(), acknowledged: 0, lost: 0 };
  for (let round = 1; round <= ROUNDS; round++) {
    const t0 = Date.now();
    const server = await startRoster(env);
    const t1 = Date.now();
    try {
      await checkOverHttp(server, token, model, round);
      if (process.env.CRASH_DEBUG)
        log(`round ${round}: start ${t1 - t0} ms, http check ${Date.now() - t1} ms`);
      const killAfterMs = 150 + Math.floor(next() * 900);
      await writeUntilKilled(server, token, model, round, next, killAfterMs);
    } finally {
      if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
      await server.exited;
    }
    const t2 = Date.now();
    const store = database.open();
    try {
      if (kind === 'postgres') await sessionsEnded(store, applicationName);
      await reconcile(store, organizationId, model);
      await checkConsistency(store, organizationId, model);
    } finally {
      await store.close();
    }
    if (process.env.CRASH_DEBUG)
      log(`round ${round}: writes+kill ${t2 - t1} ms, db check ${Date.now() - t2} ms`);
  }
  const server = await startRoster(env);
  try {
    await checkOverHttp(server, token, model, ROUNDS + 1);
  } finally {
    server.child.kill('SIGKILL');
    await server.exited;
  }
  log(
    `${kind}: ${ROUNDS} kills, ${model.acknowledged} writes acknowledged and all found, ${model.lost} answers lost to the kill, ${model.members.size} members (seed ${SEED})`,
  );
}

describe('kill -9 in the middle of SCIM writes', { concurrency: true }, () => {
  for (const kind of STORE_KINDS) {
    it(`loses no acknowledged write and leaves nothing half-applied over ${ROUNDS} kills (${kind})`, {
      skip: skipReason(kind),
      timeout: 180_000,
    }, async (t) => {
      const database = await createTestDatabase(kind);
      try {
        await crashRounds(kind, database, (line) => t.diagnostic(line));
      } finally {
        await database.drop();
      }
    });
  }
});
