// SQLite's planner statistics, fixed: what the planner is told about every index does not depend on
// the data the database happened to hold when it was last analyzed.
//
// SQLite picks each query's plan from `sqlite_stat1` (rows per key of each index prefix). Without
// it, it assumes `organization_id = ?` selects about ten rows, and walked the organization rather
// than seeking an email (docs/benchmarks.md). We then ran `PRAGMA optimize` at open and every ten
// minutes, which measured the data as it was: a server started when its organization had one member
// read `1 1 1` for every memberships index, kept those statistics while Okta pushed thousands of
// people (the next analysis was ten minutes away, and another process's analysis never reaches a
// connection's loaded statistics), and verified each personal access token by SCANNING memberships
// for its owner (issue 17: 2,047 lookups/s at 3,000 members, 383 at 10,000).
//
// SQLite documents the cure (https://sqlite.org/queryplanner-ng.html#howtofix, "fixed statistics"):
// write sqlite_stat1 for the database the application is built for and never run ANALYZE. Here the
// rows describe ten organizations of a million members each, derived from the schema itself so that
// a new index is covered without a list to keep in step:
//   - a prefix that covers a unique index (or the rowid) selects 1 row;
//   - `organization_id` selects a million rows (the worst case for a plan that walks one; were it
//     the whole table, as in a single-organization database, SQLite would rather scan the table
//     than walk an index for `emails.value co`);
//   - `status` and `role` select half the rows before them (few distinct values);
//   - any other column selects ROWS_PER_VALUE rows, SQLite's own guess for an unanalyzed column.
// So every plan is the one a large organization needs, at 0 members as at a million: an index seek
// costs a few steps on a small table too. Nothing runs ANALYZE or `PRAGMA optimize` any more, and
// whatever an earlier version (or a tool) analyzed is replaced at every open and after migrations.
// test/store/query-plans.test.ts checks the plans of the hot queries; a database analyzed at one
// member and then grown is one of its cases.
import type Database from 'better-sqlite3';

/** The size the statistics describe: the largest organization we benchmark… */
export const ASSUMED_ROWS = 1_000_000;
/** …among this many of its size, so that the organization is a part of a table, not all of it. */
export const ASSUMED_ORGANIZATIONS = 10;
/** Rows per value of a column about which nothing better is known (SQLite's default guess). */
export const ROWS_PER_VALUE = 10;
/** Columns with a handful of distinct values: each halves the rows before it. */
const FEW_VALUES = new Set(['status', 'role']);

interface IndexColumn {
  /** null for an expression (`lower(user_name)`). */
  name: string | null;
}

/** The `stat` text of one index: the table's rows, then the rows per key of each prefix. */
export function indexStatistics(
  columns: readonly IndexColumn[],
  uniquePrefixes: readonly Set<string>[],
  unique: boolean,
  rowid: string | undefined,
): string {
  const counts: number[] = [];
  const total = ASSUMED_ROWS * ASSUMED_ORGANIZATIONS;
  let rows = total;
  const seen = new Set<string>();
  columns.forEach((column, i) => {
    if (column.name !== null) seen.add(column.name);
    const isUnique =
      (unique && i === columns.length - 1) ||
      (column.name !== null && column.name === rowid) ||
      uniquePrefixes.some((key) => key.size > 0 && [...key].every((name) => seen.has(name)));
    if (isUnique) rows = 1;
    else if (column.name === 'organization_id') rows = Math.min(rows, ASSUMED_ROWS);
    else if (column.name !== null && FEW_VALUES.has(column.name)) rows = Math.max(1, Math.floor(rows / 2));
    else rows = Math.min(rows, ROWS_PER_VALUE);
    counts.push(rows);
  });
  return [total, ...counts].join(' ');
}

/** The fixed sqlite_stat1 rows for every index of the database's schema. */
export function fixedStatistics(database: Database.Database): { tbl: string; idx: string; stat: string }[] {
  const tables = database
    .prepare<[], { name: string }>(
      "select name from sqlite_schema where type = 'table' and name not like 'sqlite_%' order by name",
    )
    .all();
  const rows: { tbl: string; idx: string; stat: string }[] = [];
  for (const { name: table } of tables) {
    const info = database.pragma(`table_info("${table}")`) as { name: string; type: string; pk: number }[];
    const keys = info.filter((column) => column.pk > 0);
    // An INTEGER PRIMARY KEY is the rowid: unique, and without an index of its own.
    const rowid = keys.length === 1 && keys[0]?.type.toUpperCase() === 'INTEGER' ? keys[0].name : undefined;
    const indexes = database.pragma(`index_list("${table}")`) as {
      name: string;
      unique: number;
      partial: number;
    }[];
    const columnsOf = (index: string) =>
      (database.pragma(`index_info("${index}")`) as { seqno: number; name: string | null }[])
        .sort((a, b) => a.seqno - b.seqno)
        .map((column) => ({ name: column.name }));
    // The column sets of the unique indexes without expressions: any prefix covering one is unique.
    const uniquePrefixes = indexes
      .filter((index) => index.unique === 1 && index.partial === 0)
      .map((index) => columnsOf(index.name))
      .filter((columns) => columns.every((column) => column.name !== null))
      .map((columns) => new Set(columns.map((column) => column.name as string)));
    for (const index of indexes) {
      rows.push({
        tbl: table,
        idx: index.name,
        stat: indexStatistics(
          columnsOf(index.name),
          uniquePrefixes,
          index.unique === 1 && index.partial === 0,
          rowid,
        ),
      });
    }
  }
  return rows;
}

/**
 * Replaces whatever sqlite_stat1 (and sqlite_stat4) hold with the fixed statistics and loads them
 * into this connection. Run at open and after migrations, while nothing else uses the connection.
 * Another connection loads them when it next reads the schema (which it does before its first query
 * and after every schema change).
 */
export function fixStatistics(database: Database.Database): void {
  if (database.readonly) return;
  try {
    // Creates sqlite_stat1 and sqlite_stat4 when missing (empty), and loads them.
    database.exec('analyze sqlite_schema');
    const rows = fixedStatistics(database);
    database.transaction(() => {
      database.exec('delete from sqlite_stat1');
      if (database.prepare("select 1 from sqlite_schema where name = 'sqlite_stat4'").get()) {
        database.exec('delete from sqlite_stat4');
      }
      const insert = database.prepare('insert into sqlite_stat1 (tbl, idx, stat) values (?, ?, ?)');
      for (const row of rows) insert.run(row.tbl, row.idx, row.stat);
    })();
    database.exec('analyze sqlite_schema');
  } catch (error) {
    // Another process holds the write lock (SQLITE_BUSY past busy_timeout): it writes the same rows.
    if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
  }
}
