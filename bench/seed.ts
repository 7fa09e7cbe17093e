// Seeding fast path for the benchmarks: one organization with N members, written the way
// provisioning writes them but in large batched transactions straight through `store.db`.
//
//   node --import tsx bench/seed.ts --members 100000 --database sqlite:/tmp/roster-bench/roster.db
//   PGOPTIONS='-c search_path=bench' node --import tsx bench/seed.ts --members 100000 \
//     --database postgres://postgres@127.0.0.1:5432/test
//
// The organization, its first Admin (member 1) and a service access token are made by the real use
// cases (`initOrganization`, `createToken`). Members 2..N are then inserted directly: a user, and a
// membership with the next dense `seq` and its `member_emails` rows built by the one row factory,
// `newMemberRow` (its document checked against the full POST normalisation for the first person),
// and finally `organizations.member_seq = N`. No audit event is written per
// seeded member (a real organization would have one `member.created` each); nothing on the SCIM read
// path reads the audit log. Prints one JSON object on stdout: the organization, the token, timings
// and, with `--sample K`, K random membership ids (members 2..N) for the PATCH scenario.
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { sql } from 'kysely';
import { initOrganization } from '../src/accounts/organizations.ts';
import { createToken } from '../src/accounts/tokens.ts';
import { CLI_ACTOR } from '../src/audit/actor.ts';
import { newMemberRow, profileColumns, profileEmails } from '../src/membership/member-row.ts';
import { normalizeUserInput, toUserDocument } from '../src/scim/resource/normalize-user.ts';
import { newId } from '../src/store/ids.ts';
import { openStore } from '../src/store/open-store.ts';
import { memberEmailRecords } from '../src/store/repos/members.ts';
import type { MemberEmailsTable, MembershipsTable, UsersTable } from '../src/store/schema.ts';
import type { Store } from '../src/store/store.ts';
import { BENCH_DOMAIN, personDocument } from './lib/people.ts';

export interface SeedResult {
  database: string;
  organizationId: string;
  organizationSlug: string;
  /** The service access token (Admin) for SCIM, shown once like `roster tokens create`. */
  token: string;
  members: number;
  seconds: number;
  sampleIds: string[];
}

/** Members per INSERT statement (memberships have 19 columns: far below both databases' limits). */
const ROWS_PER_STATEMENT = 500;
/** Members per transaction. */
const ROWS_PER_TRANSACTION = 20_000;

function log(message: string): void {
  process.stderr.write(`[seed] ${message}\n`);
}

/** The seeded row of member `seq` must be what `POST /Users` would have stored for the same body. */
function assertFastPathMatchesProvisioning(seq: number): void {
  const document = personDocument(seq);
  const viaPost = toUserDocument(normalizeUserInput(document));
  const same =
    isDeepStrictEqual(profileColumns(document), profileColumns(viaPost)) &&
    isDeepStrictEqual(profileEmails(document), profileEmails(viaPost));
  if (!same)
    throw new Error('the seed fast path no longer matches what provisioning stores: update bench/seed.ts');
}

async function insertMembers(store: Store, organizationId: string, members: number): Promise<void> {
  const at = new Date().toISOString();
  let seq = 2;
  while (seq <= members) {
    const transactionEnd = Math.min(members, seq + ROWS_PER_TRANSACTION - 1);
    await store.withTransaction(async (db) => {
      while (seq <= transactionEnd) {
        const end = Math.min(transactionEnd, seq + ROWS_PER_STATEMENT - 1);
        const users: UsersTable[] = [];
        const memberships: MembershipsTable[] = [];
        const emails: MemberEmailsTable[] = [];
        for (let s = seq; s <= end; s += 1) {
          // Ids as Roster makes them (time-ordered: new rows cluster in the id indexes).
          const userId = newId();
          const member = newMemberRow({
            organizationId,
            userId,
            seq: s,
            document: personDocument(s),
            source: 'scim',
            role: 'member',
            at,
          });
          users.push({
            id: userId,
            email: member.row.user_name,
            display_name: member.row.display_name,
            password_hash: null,
            created_at: at,
            updated_at: at,
          });
          memberships.push(member.row);
          emails.push(...memberEmailRecords(member.row, member.emails));
        }
        await db.insertInto('users').values(users).execute();
        await db.insertInto('memberships').values(memberships).execute();
        await db.insertInto('member_emails').values(emails).execute();
        seq = end + 1;
      }
      await db
        .updateTable('organizations')
        .set({ member_seq: transactionEnd })
        .where('id', '=', organizationId)
        .execute();
    });
    log(`${transactionEnd} members ${(performance.now() / 1000).toFixed(1)}s`);
  }
}

async function sampleIds(store: Store, organizationId: string, members: number, count: number) {
  if (count <= 0 || members < 2) return [];
  const seqs = new Set<number>();
  const wanted = Math.min(count, members - 1);
  while (seqs.size < wanted) seqs.add(2 + Math.floor(Math.random() * (members - 1)));
  const ids: string[] = [];
  const all = [...seqs];
  for (let i = 0; i < all.length; i += 500) {
    const rows = await store.db
      .selectFrom('memberships')
      .select('id')
      .where('organization_id', '=', organizationId)
      .where('seq', 'in', all.slice(i, i + 500))
      .execute();
    ids.push(...rows.map((r) => r.id));
  }
  return ids;
}

export async function seed(options: {
  database: string;
  members: number;
  sample?: number;
}): Promise<SeedResult> {
  const started = performance.now();
  const members = Math.max(1, Math.floor(options.members));
  assertFastPathMatchesProvisioning(2);
  const store = await openStore(options.database);
  try {
    if ((await store.organizations.count()) > 0) {
      throw new Error(
        `${store.dialect.describe()} already has organizations: the seed needs a fresh database`,
      );
    }
    if (store.dialect.name === 'sqlite') {
      // A larger page cache for the bulk load only (this connection); the server uses its own settings.
      await sql`pragma cache_size = -262144`.execute(store.db);
      // A fresh file that nobody else has open (checked above): the rollback journal in memory while
      // loading — pages are written once, not to the WAL and again at checkpoints; a failure leaves a
      // file to throw away, not to repair — and WAL again afterwards. (SQLite goes from WAL to MEMORY
      // only through DELETE.)
      await sql`pragma journal_mode = DELETE`.execute(store.db);
      await sql`pragma journal_mode = MEMORY`.execute(store.db);
      await sql`pragma synchronous = OFF`.execute(store.db);
    }
    const { organization } = await initOrganization(store, {
      name: 'Bench Inc',
      slug: 'bench',
      adminEmail: `admin@${BENCH_DOMAIN}`,
      adminPassword: randomUUID(),
      actor: CLI_ACTOR,
    });
    const token = await createToken(store, {
      kind: 'service',
      organizationId: organization.id,
      name: 'okta (benchmark)',
      role: 'admin',
      actor: CLI_ACTOR,
    });
    await insertMembers(store, organization.id, members);
    if (store.dialect.name === 'postgres') {
      // What autovacuum would have done after such a change; the planner needs the statistics.
      await sql`analyze`.execute(store.db);
    } else {
      await sql`pragma journal_mode = WAL`.execute(store.db);
    }
    const ids = await sampleIds(store, organization.id, members, options.sample ?? 0);
    return {
      database: store.dialect.describe(),
      organizationId: organization.id,
      organizationSlug: organization.slug,
      token: token.token,
      members,
      seconds: (performance.now() - started) / 1000,
      sampleIds: ids,
    };
  } finally {
    await store.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      members: { type: 'string', default: '10000' },
      database: { type: 'string' },
      sample: { type: 'string', default: '0' },
    },
  });
  const database = values.database ?? process.env.DATABASE_URL;
  if (!database) throw new Error('--database sqlite:<path> or postgres://… is required');
  const members = Number(values.members);
  if (!Number.isInteger(members) || members < 1) throw new Error('--members must be a positive integer');
  const result = await seed({ database, members, sample: Number(values.sample) || 0 });
  log(`${result.members} members in ${result.seconds.toFixed(1)} s (${result.database})`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`[seed] ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
}
