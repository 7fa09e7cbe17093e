// Whether a PostgreSQL answers, shared by the tests (test/helpers/stores.ts) and bench/.
import pg from 'pg';

/** Undefined when `url` answers `select 1` within 3 s, else why not (one line). */
export async function postgresProblem(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}
