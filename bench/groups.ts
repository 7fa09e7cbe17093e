// `node --import tsx bench/groups.ts` — the cost of a group change by the size of the group: adding
// and removing one member (Okta's shapes), a batch of 1,000 (Entra's), and a GET without members
// (Entra's lookup), in a group of 10 members and in one of 100,000, on SQLite and PostgreSQL.
//
//   node --import tsx bench/groups.ts [--members 102100] [--runs 30] [--no-postgres] [--no-sqlite]
//
// The organization is seeded by the benchmark's fast path (bench/seed.ts); the two groups are filled
// through the store's own GroupRepo. Requests go through the real app in this process
// (`app.inject`: routing, authentication, the use case, the store; no socket), one at a time; each
// figure is the median and the 95th percentile of `runs` requests, after 3 unmeasured ones. Prints a
// Markdown table (docs/benchmarks.md, "Groups").
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { createApp } from '../src/http/create-app.ts';
import { now } from '../src/store/ids.ts';
import { openStore } from '../src/store/open-store.ts';
import { postgresProblem } from '../test/helpers/postgres-probe.ts';
import { seed } from './seed.ts';

const { values: args } = parseArgs({
  options: {
    members: { type: 'string', default: '102100' },
    runs: { type: 'string', default: '30' },
    'no-postgres': { type: 'boolean', default: false },
    'no-sqlite': { type: 'boolean', default: false },
  },
});
const MEMBERS = Number(args.members);
const RUNS = Number(args.runs);
const SIZES = [10, 100_000] as const;
const BATCH = 1_000;
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const POSTGRES_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function measure(kind: string, database: string, env: Record<string, string>): Promise<string[]> {
  Object.assign(process.env, env);
  const seeded = await seed({ database, members: MEMBERS });
  const store = await openStore(database);
  const rows: string[] = [];
  try {
    const ids = (
      await store.db
        .selectFrom('memberships')
        .select('id')
        .where('organization_id', '=', seeded.organizationId)
        .orderBy('seq')
        .execute()
    ).map((row) => row.id);
    if (ids.length < SIZES[1] + 2 * BATCH)
      throw new Error(`--members must be at least ${SIZES[1] + 2 * BATCH}`);
    const spare = ids.slice(ids.length - 2 * BATCH);
    const groups: string[] = [];
    for (const size of SIZES) {
      const id = `bench-group-${size}`;
      const at = now();
      await store.groups.insert({
        id,
        organization_id: seeded.organizationId,
        display_name: `Group of ${size}`,
        external_id: null,
        role: null,
        member_count: size,
        version: 1,
        created_at: at,
        updated_at: at,
      });
      for (let i = 0; i < size; i += 10_000)
        await store.groups.addMembers(id, ids.slice(i, Math.min(size, i + 10_000)), at);
      groups.push(id);
    }
    // What autovacuum would have done after such a change (bench/seed.ts analyzed before the groups).
    if (store.dialect.name === 'postgres') await sql`analyze`.execute(store.db);
    const app = createApp(loadConfig({ PUBLIC_URL: 'https://roster.bench', DATABASE_URL: database }), store, {
      logger: false,
    });
    const send = (method: 'GET' | 'PATCH', url: string, body?: unknown) =>
      app.inject({
        method,
        url,
        headers: {
          authorization: `Bearer ${seeded.token}`,
          ...(body ? { 'content-type': 'application/scim+json' } : {}),
        },
        ...(body ? { payload: JSON.stringify(body) } : {}),
      });
    const patch = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });
    for (const [index, size] of SIZES.entries()) {
      const group = groups[index] ?? '';
      const one = spare[0] ?? '';
      const batch = spare.slice(BATCH, 2 * BATCH).map((value) => ({ value }));
      // Each pair restores the group, so every run starts from the same state.
      const scenarios: [string, () => Promise<void>][] = [
        [
          'add one member, then remove it (two PATCHes)',
          async () => {
            await expect(
              send(
                'PATCH',
                `/scim/v2/Groups/${group}`,
                patch({ op: 'add', path: 'members', value: [{ value: one }] }),
              ),
              204,
            );
            await expect(
              send(
                'PATCH',
                `/scim/v2/Groups/${group}`,
                patch({ op: 'remove', path: `members[value eq "${one}"]` }),
              ),
              204,
            );
          },
        ],
        [
          `add ${BATCH}, then remove them (two PATCHes)`,
          async () => {
            await expect(
              send('PATCH', `/scim/v2/Groups/${group}`, patch({ op: 'Add', path: 'members', value: batch })),
              204,
            );
            await expect(
              send(
                'PATCH',
                `/scim/v2/Groups/${group}`,
                patch({ op: 'Remove', path: 'members', value: batch }),
              ),
              204,
            );
          },
        ],
        [
          'GET excludedAttributes=members',
          async () => {
            await expect(send('GET', `/scim/v2/Groups/${group}?excludedAttributes=members`), 200);
          },
        ],
      ];
      for (const [label, run] of scenarios) {
        for (let i = 0; i < 3; i += 1) await run();
        const times: number[] = [];
        for (let i = 0; i < RUNS; i += 1) {
          const started = performance.now();
          await run();
          times.push(performance.now() - started);
        }
        times.sort((a, b) => a - b);
        rows.push(
          `| ${kind} | ${size.toLocaleString('en')} | ${label} | ${percentile(times, 50).toFixed(2)} | ${percentile(times, 95).toFixed(2)} |`,
        );
        process.stderr.write(`${rows[rows.length - 1]}\n`);
      }
    }
    await app.close();
  } finally {
    await store.close();
  }
  return rows;
}

async function expect(
  response: Promise<{ statusCode: number; body: string }>,
  status: number,
): Promise<void> {
  const res = await response;
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
}

async function main(): Promise<void> {
  const rows: string[] = [];
  if (!args['no-sqlite']) {
    const dir = mkdtempSync(join(tmpdir(), 'roster-bench-groups-'));
    try {
      rows.push(...(await measure('SQLite', `sqlite:${join(dir, 'roster.db')}`, {})));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (!args['no-postgres']) {
    const problem = await postgresProblem(POSTGRES_URL);
    if (problem) throw new Error(`PostgreSQL: ${problem} (--no-postgres to skip)`);
    const schema = `bench_groups_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    try {
      rows.push(...(await measure('PostgreSQL', POSTGRES_URL, { PGOPTIONS: `-c search_path=${schema}` })));
    } finally {
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    }
  }
  process.stdout.write(
    ['| store | group size | request | median ms | p95 ms |', '|---|---|---|---|---|', ...rows].join('\n') +
      '\n',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
