// Rows of several tables written by one change: in one statement where the engine allows writes in
// a WITH (PostgreSQL), where each statement is a round trip (query-templates.ts, insertTogether).
import { type InsertPart, templatesOf } from '../query-templates.ts';
import type { RepoContext } from './context.ts';

export type { InsertPart };

export class InsertRepo {
  constructor(private readonly ctx: RepoContext) {}

  /** Inserts every part's rows, in this transaction: all of them, or (on an error) none. */
  async together(parts: readonly InsertPart[]): Promise<void> {
    const { db, dialect } = this.ctx;
    await templatesOf(dialect).insertTogether(db, dialect.writesInWith, parts);
  }
}
