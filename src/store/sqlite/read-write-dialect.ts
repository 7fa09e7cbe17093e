// Two connections to one SQLite file, so that writes can be committed in groups (group-commit.ts).
//
// A group's transaction stays open for a turn of the event loop while other requests join it. Reads
// must neither wait for it nor see its uncommitted rows, so while a group is open they run on a
// second, read-only connection, which in WAL mode sees the last commit. The rest of the time they
// run on the writer's connection: SQLite empties a connection's page cache whenever another
// connection has committed, so a reader used for everything would start cold after every write.
// Every statement that would write — inserts, updates and deletes sent outside `Store.transaction`,
// such as the SCIM request log's — goes to the writer as a transaction of its own in the next group.
// Which is which, SQLite itself says (`sqlite3_stmt_readonly`), so no query needs to know about it.
import type BetterSqlite3 from 'better-sqlite3';
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import type { GroupCommit } from './group-commit.ts';
import type { CachingDatabase } from './statement-cache.ts';

/** Transactions belong to `Store.transaction`: on this connection they would hold nothing. */
const TRANSACTION_CONTROL = /^\s*(begin|commit|end|rollback|savepoint|release)\b/i;

class ReadWriteConnection implements DatabaseConnection {
  constructor(
    private readonly writer: CachingDatabase,
    private readonly reader: CachingDatabase,
    private readonly commits: GroupCommit<unknown>,
  ) {}

  #prepare(query: CompiledQuery, connection: CachingDatabase): BetterSqlite3.Statement {
    if (TRANSACTION_CONTROL.test(query.sql)) {
      throw new Error(`"${query.sql.trim().split(/\s/)[0]}" runs through Store.transaction on this store`);
    }
    return connection.prepare(query.sql) as unknown as BetterSqlite3.Statement;
  }

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.#prepare(query, this.commits.open ? this.reader : this.writer);
    if (!statement.readonly) {
      return this.commits.run((writer) => writer.executeQuery<R>(query));
    }
    const parameters = query.parameters as unknown[];
    if (statement.reader) return Promise.resolve({ rows: statement.all(parameters) as R[] });
    statement.run(parameters);
    return Promise.resolve({ rows: [] });
  }

  // A stream pauses between rows, and a group may open meanwhile: streams always read on the reader.
  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const statement = this.#prepare(query, this.reader);
    if (!statement.readonly || !statement.reader) throw new Error('only reads can be streamed');
    for (const row of statement.iterate(query.parameters as unknown[])) yield { rows: [row as R] };
  }
}

class ReadWriteDriver implements Driver {
  readonly #connection: ReadWriteConnection;

  constructor(
    writerDatabase: CachingDatabase,
    private readonly reader: CachingDatabase,
    private readonly commits: GroupCommit<unknown>,
    private readonly writer: Kysely<unknown>,
  ) {
    this.#connection = new ReadWriteConnection(writerDatabase, reader, commits);
  }

  async init(): Promise<void> {}

  // Each read runs synchronously to completion, so readers need no lock; writes queue in the group.
  async acquireConnection(): Promise<DatabaseConnection> {
    return this.#connection;
  }

  async releaseConnection(): Promise<void> {}

  async beginTransaction(): Promise<void> {
    throw new Error('write transactions run through Store.transaction on this store');
  }

  async commitTransaction(): Promise<void> {
    throw new Error('write transactions run through Store.transaction on this store');
  }

  async rollbackTransaction(): Promise<void> {
    throw new Error('write transactions run through Store.transaction on this store');
  }

  async destroy(): Promise<void> {
    await this.commits.idle();
    this.reader.close();
    await this.writer.destroy();
  }
}

/**
 * A Kysely dialect that writes through `commits` on `writer` (whose connection is `writerDatabase`),
 * and reads on that same connection, or on `reader` while a group holds it.
 */
export function readWriteDialect(
  writerDatabase: CachingDatabase,
  reader: CachingDatabase,
  commits: GroupCommit<unknown>,
  writer: Kysely<unknown>,
): Dialect {
  return {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new ReadWriteDriver(writerDatabase, reader, commits, writer),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  };
}
