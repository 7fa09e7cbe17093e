// The floor: the least an Okta lookup can cost on Roster's stack, to tell what the stack costs from
// what Roster adds. Fastify 5 and the benchmark's own database (better-sqlite3, read-only, or `pg`
// with a pool of Roster's default size and named prepared statements): the bearer token's SHA-256
// looked up with its organization, the member found by its folded userName on the same index, and
// the row answered as a SCIM ListResponse of about the same size as Roster's. No Kysely, no hooks,
// no request log, no logging, no filter parser (a regular expression reads `userName eq "…"`), no
// validation beyond that.
//
//   FLOOR_DATABASE=/tmp/roster.db PORT=4001 node --import tsx bench/floor-server.ts
//   FLOOR_DATABASE=postgres://postgres@127.0.0.1:5432/test PGOPTIONS='-c search_path=bench' \
//     PORT=4001 node --import tsx bench/floor-server.ts
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import pg from 'pg';

interface MemberRow {
  id: string;
  user_name: string;
  external_id: string | null;
  status: string;
  role: string | null;
  profile: string;
  version: number;
  created_at: string;
  updated_at: string;
}

interface Grant {
  organization_id: string;
  revoked_at: string | null;
  expires_at: string | null;
}

interface FloorDatabase {
  grant(tokenHash: string): Grant | undefined | Promise<Grant | undefined>;
  members(organizationId: string, userName: string): MemberRow[] | Promise<MemberRow[]>;
}

const TOKEN_SQL = `select t.revoked_at, t.expires_at, o.id as organization_id from service_access_tokens t
     join organizations o on o.id = t.organization_id where t.token_hash = $1`;
// The folded userName as the store writes it (`fold` of src/store/*/…-sql.ts), so that it is the
// index's expression.
const MEMBER_SQL = (fold: (value: string) => string) =>
  `select * from memberships where organization_id = $1 and ${fold('user_name')} = ${fold('$2')}
     order by seq limit 100`;
const SQLITE_MEMBER_SQL = MEMBER_SQL((value) => `lower(${value})`);
const POSTGRES_MEMBER_SQL = MEMBER_SQL((value) => `lower(${value} COLLATE "C")`);

function sqliteFloor(path: string): FloorDatabase {
  const database = new Database(path, { readonly: true, fileMustExist: true });
  const tokenQuery = database.prepare<[string], Grant>(TOKEN_SQL.replaceAll(/\$\d/g, '?'));
  const memberQuery = database.prepare<[string, string], MemberRow>(
    SQLITE_MEMBER_SQL.replaceAll(/\$\d/g, '?'),
  );
  return {
    grant: (tokenHash) => tokenQuery.get(tokenHash),
    members: (organizationId, userName) => memberQuery.all(organizationId, userName),
  };
}

function postgresFloor(url: string): FloorDatabase {
  const pool = new pg.Pool({ connectionString: url, max: Number(process.env.DATABASE_POOL_SIZE) || 10 });
  return {
    async grant(tokenHash) {
      const result = await pool.query<Grant>({ name: 'floor_token', text: TOKEN_SQL, values: [tokenHash] });
      return result.rows[0];
    },
    async members(organizationId, userName) {
      const result = await pool.query<MemberRow>({
        name: 'floor_member',
        text: POSTGRES_MEMBER_SQL,
        values: [organizationId, userName],
      });
      return result.rows;
    },
  };
}

const location = process.env.FLOOR_DATABASE ?? '';
const database = /^postgres(ql)?:/.test(location) ? postgresFloor(location) : sqliteFloor(location);
const USER_NAME_EQ = /^userName eq "([^"]*)"$/;
const base = process.env.PUBLIC_URL ?? 'http://127.0.0.1';

const app = Fastify({ logger: false });
app.get<{ Querystring: { filter?: string } }>('/scim/v2/Users', async (request, reply) => {
  const bearer = request.headers.authorization?.slice('Bearer '.length) ?? '';
  const grant = await database.grant(createHash('sha256').update(bearer).digest('hex'));
  if (!grant || grant.revoked_at || (grant.expires_at && grant.expires_at <= new Date().toISOString()))
    return reply.code(401).send({ status: '401' });
  const userName = USER_NAME_EQ.exec(request.query.filter ?? '')?.[1];
  if (userName === undefined) return reply.code(400).send({ status: '400', scimType: 'invalidFilter' });
  const resources = (await database.members(grant.organization_id, userName)).map((row) => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    id: row.id,
    ...JSON.parse(row.profile),
    userName: row.user_name,
    externalId: row.external_id ?? undefined,
    active: row.status === 'active',
    roles: row.role ? [{ value: row.role, display: row.role, primary: true }] : [],
    meta: {
      resourceType: 'User',
      created: row.created_at,
      lastModified: row.updated_at,
      location: `${base}/scim/v2/Users/${row.id}`,
      version: `W/"${row.version}"`,
    },
  }));
  reply.header('content-type', 'application/scim+json; charset=utf-8');
  return {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
    totalResults: resources.length,
    itemsPerPage: resources.length,
    startIndex: 1,
    Resources: resources,
  };
});
app.get('/', async () => 'floor');

await app.listen({ port: Number(process.env.PORT) || 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
