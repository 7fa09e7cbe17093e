// Queries compiled once per shape. Kysely builds an immutable operation tree and compiles it to SQL
// for every query it runs; in a SCIM lookup's mix of queries that cost about 100 µs a query on our
// benchmark machine, several times the indexed lookup itself. A template is the query built once
// with placeholder values and compiled: later runs of the same shape bind the real values to the
// compiled SQL and go straight to the driver.
//
// `build(values)` must write the same SQL for any values under one key; whatever changes the SQL
// text (a filter's shape, a sort attribute, a LIMIT written into the text) belongs in the key. A
// query the placeholders cannot stand for — one that transforms a value before binding it (a LIKE
// pattern), writes it into the SQL text, or refuses it (a dateTime filter checks its value) — is
// remembered as such and built afresh every time, exactly as without templates. A change that
// leaves the placeholder as it was (lower-casing, trimming: it has no letters or spaces) cannot be
// seen, so `build` must bind values as it receives them and leave such work to SQL (`lower(?)`,
// the dialect's `fold`).
import { type Compilable, type CompiledQuery, type Insertable, type Kysely, sql } from 'kysely';
import type { StoreDialect } from './dialect.ts';
import type { Database } from './schema.ts';

/** Text no value can contain: NUL is refused at the HTTP edge and never stored. */
const MARK = '\u0000';
const placeholder = (index: number) => `${MARK}${index}${MARK}`;

/** The value index a placeholder stands for, or undefined for any other text. */
function placeholderIndex(text: string): number | undefined {
  if (text.length < 3 || !text.startsWith(MARK) || !text.endsWith(MARK)) return undefined;
  const digits = text.slice(1, -1);
  return /^\d+$/.test(digits) ? Number(digits) : undefined;
}

interface Template {
  readonly compiled: CompiledQuery;
  /** For each parameter of the compiled query: the index of the value it binds, or -1 (a constant). */
  readonly slots: readonly number[];
}

export const TEMPLATE_CAPACITY = 500;

function compileTemplate(build: (values: readonly unknown[]) => Compilable<unknown>, arity: number) {
  let compiled: CompiledQuery;
  try {
    compiled = build(Array.from({ length: arity }, (_, i) => placeholder(i))).compile();
  } catch {
    return null; // refused a placeholder: the real values will say why, if they are wrong
  }
  if (compiled.sql.includes(MARK)) return null;
  const slots: number[] = [];
  for (const parameter of compiled.parameters) {
    if (typeof parameter === 'string' && parameter.includes(MARK)) {
      const index = placeholderIndex(parameter);
      if (index === undefined) return null; // the value was transformed before it was bound
      slots.push(index);
    } else {
      slots.push(-1);
    }
  }
  return { compiled, slots };
}

export class QueryTemplates {
  // A Map iterates in insertion order: re-inserting on use makes its first key the least recent.
  private readonly templates = new Map<string, Template | null>();

  constructor(private readonly capacity = TEMPLATE_CAPACITY) {}

  /** How many shapes are remembered (tests). */
  get size(): number {
    return this.templates.size;
  }

  /** Runs the query `build(values)` makes, from its template when the shape `key` has one. */
  async run<Row>(
    db: Kysely<Database>,
    key: string,
    values: readonly unknown[],
    build: (values: readonly unknown[]) => Compilable<Row>,
  ): Promise<Row[]> {
    let template = this.templates.get(key);
    if (template === undefined) {
      template = compileTemplate(build, values.length);
      if (this.templates.size >= this.capacity) {
        const oldest = this.templates.keys().next().value;
        if (oldest !== undefined) this.templates.delete(oldest);
      }
    } else {
      this.templates.delete(key);
    }
    this.templates.set(key, template);
    const compiled: CompiledQuery = template
      ? {
          ...template.compiled,
          parameters: template.slots.map((slot, i) =>
            slot === -1 ? template.compiled.parameters[i] : values[slot],
          ),
        }
      : build(values).compile();
    const result = await db.executeQuery(compiled);
    return result.rows as Row[];
  }

  /**
   * INSERTs `rows` into `table` from a template per table, column list and row count. Rows must
   * have the same columns (an undefined value is an absent column); values are bound in column
   * order.
   */
  async insert<T extends keyof Database & string>(
    db: Kysely<Database>,
    table: T,
    rows: readonly Insertable<Database[T]>[],
  ): Promise<void> {
    const first = rows[0] as Record<string, unknown> | undefined;
    if (first === undefined) return;
    const columns = definedKeys(first);
    const shape = columns.join(',');
    // Most inserts are one row (a member, a user, an audit event): nothing else to compare.
    if (rows.length > 1 && rows.some((row) => definedKeys(row).join(',') !== shape)) {
      await db
        .insertInto(table)
        .values(rows as never)
        .execute();
      return;
    }
    const key = `insert ${table} ${shape} ×${rows.length}`;
    // Not flatMap for one row: it doubled the templates' own time per create (13 → 26 µs, profiled).
    const values =
      rows.length === 1
        ? columns.map((column) => first[column])
        : rows.flatMap((row) => columns.map((column) => (row as Record<string, unknown>)[column]));
    await this.run(db, key, values, (bound) =>
      db
        .insertInto(table)
        .values(
          rows.map((_, i) =>
            Object.fromEntries(columns.map((column, j) => [column, bound[i * columns.length + j]])),
          ) as never,
        ),
    );
  }

  /**
   * INSERTs each part's rows into its table: on PostgreSQL (`writesInWith`) in one statement, all
   * parts but the last as data-modifying `WITH`s, so a change's audit event and its public event
   * (and a new member's account) cost one round trip; SQLite allows no writes in a WITH, and runs
   * one INSERT per part. Nothing may read, in the same statement, what another part inserts (the
   * parts share one snapshot): parts are independent rows. A part's rows must have the same columns.
   */
  async insertTogether(
    db: Kysely<Database>,
    writesInWith: boolean,
    parts: readonly InsertPart[],
  ): Promise<void> {
    const present = parts.filter((part) => part.rows.length > 0);
    if (!writesInWith || present.length < 2) {
      for (const part of present) await this.insert(db, part.table, part.rows as never);
      return;
    }
    const shapes = present.map((part) => {
      const columns = definedKeys(part.rows[0] as object);
      const shape = columns.join(',');
      if (part.rows.some((row) => definedKeys(row).join(',') !== shape)) {
        throw new Error(`insertTogether: the rows of ${part.table} differ in their columns`);
      }
      return { table: part.table, columns, count: part.rows.length };
    });
    const key = `insertTogether ${shapes.map((p) => `${p.table} ${p.columns.join(',')} ×${p.count}`).join(' | ')}`;
    const values: unknown[] = [];
    for (const part of present) {
      for (const row of part.rows) {
        for (const column of definedKeys(row)) values.push((row as Record<string, unknown>)[column]);
      }
    }
    await this.run(db, key, values, (bound) => {
      let next = 0;
      const rowsOf = (shape: (typeof shapes)[number]) =>
        Array.from({ length: shape.count }, () =>
          Object.fromEntries(shape.columns.map((column) => [column, bound[next++]])),
        );
      const inserts = shapes.map((shape) => ({ table: shape.table, rows: rowsOf(shape) }));
      const last = inserts.pop() as (typeof inserts)[number];
      let query = db as unknown as Kysely<Database>;
      inserts.forEach((part, i) => {
        query = query.with(`inserted_${i}`, (qb) =>
          qb
            .insertInto(part.table)
            .values(part.rows as never)
            .returning(sql<number>`1`.as('one')),
        ) as unknown as Kysely<Database>;
      });
      return query.insertInto(last.table).values(last.rows as never);
    });
  }
}

/** Rows for one table, for `insertTogether`. */
export type InsertPart = {
  [T in keyof Database & string]: { table: T; rows: readonly Insertable<Database[T]>[] };
}[keyof Database & string];

function definedKeys(row: object): string[] {
  const keys: string[] = [];
  for (const key of Object.keys(row)) {
    if ((row as Record<string, unknown>)[key] !== undefined) keys.push(key);
  }
  return keys;
}

const byDialect = new WeakMap<StoreDialect, QueryTemplates>();

/** The templates of one store (its dialect): compiled SQL is the dialect's. */
export function templatesOf(dialect: StoreDialect): QueryTemplates {
  let templates = byDialect.get(dialect);
  if (!templates) {
    templates = new QueryTemplates();
    byDialect.set(dialect, templates);
  }
  return templates;
}
