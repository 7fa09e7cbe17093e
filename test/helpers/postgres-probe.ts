// Whether a PostgreSQL answers, shared by the tests (test/helpers/stores.ts) and bench/.
import pg from 'pg';

/**
 * Undefined when `url` answers `select 1` within 15 s, else why not (one line). A server that is down
 * refuses at once; the long wait is for a machine busy with the whole suite, where a connection can
 * take seconds.
 */
export async function postgresProblem(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 15_000 });
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
