// `roster copy --from URL --to URL`: moves an installation between databases (SQLite ↔ PostgreSQL).
// Both sides are opened like the server opens them, migrations included; the target must be empty.
import { existsSync } from 'node:fs';
import { RosterError } from '../errors.ts';
import { type CopiedTable, copyStore, TargetNotEmptyError } from '../store/copy-store.ts';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/store.ts';
import { type Output, UsageError } from './output.ts';

interface CopyOptions {
  from?: string;
  to?: string;
}

const DATABASE_URL = /^(sqlite:|postgres:\/\/|postgresql:\/\/)/;

function databaseUrl(option: 'from' | 'to', value: string | undefined): string {
  if (!value) throw new UsageError('copy needs --from DATABASE_URL and --to DATABASE_URL');
  if (!DATABASE_URL.test(value)) {
    throw new UsageError(`--${option} must be sqlite:<path> or postgres://user@host:port/database`);
  }
  return value;
}

/** Progress on stderr, only for a person watching a terminal: stdout stays the result. */
function progressReporter(
  out: Output,
): ((p: { table: string; rows: number; done: boolean }) => void) | undefined {
  if (out.json || !out.stderr.isTTY) return undefined;
  return ({ table, rows, done }) => {
    out.stderr.write(`\r  ${table}: ${rows} rows${done ? '\n' : ''}`);
  };
}

export async function copyCommand(options: CopyOptions, out: Output): Promise<number> {
  const fromUrl = databaseUrl('from', options.from);
  const toUrl = databaseUrl('to', options.to);
  if (fromUrl === toUrl) throw new UsageError('--from and --to name the same database');
  // Opening a missing SQLite file would create an empty installation and copy nothing.
  const fromPath = fromUrl.startsWith('sqlite:') ? fromUrl.slice('sqlite:'.length) : undefined;
  if (fromPath !== undefined && (fromPath === '' || fromPath === ':memory:' || !existsSync(fromPath))) {
    throw new RosterError('not_found', `no SQLite database at "${fromPath}"`);
  }

  const stores: Store[] = [];
  try {
    const from = await openStore(fromUrl);
    stores.push(from);
    const to = await openStore(toUrl);
    stores.push(to);
    let tables: CopiedTable[];
    try {
      const onProgress = progressReporter(out);
      tables = await copyStore(from, to, onProgress ? { onProgress } : {});
    } catch (error) {
      if (error instanceof TargetNotEmptyError) throw new RosterError('conflict', error.message);
      throw error;
    }
    const total = tables.reduce((sum, t) => sum + t.rows, 0);
    const width = Math.max(...tables.map((t) => t.table.length));
    out.print(
      [
        ...tables.map((t) => `${t.table.padEnd(width)}  ${t.rows}`),
        '',
        `Copied ${total} rows from ${from.dialect.describe()} to ${to.dialect.describe()}.`,
      ].join('\n'),
      { from: from.dialect.describe(), to: to.dialect.describe(), tables, total },
    );
    return 0;
  } finally {
    for (const store of stores) await store.close();
  }
}
