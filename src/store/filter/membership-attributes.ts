// Where each SCIM User attribute lives in the database (see migrations/001-initial.ts and
// membership/member-row.ts): a few have columns of their own on `memberships` (with the expression
// indexes that make IdP lookups fast), emails are also indexed row by row in `member_emails`,
// `active`/`meta` are derived from server-owned columns, `roles`/`entitlements` are the IdP's
// assignments in `member_entitlements`, `groups` are `group_members`, and everything else is read from the
// `profile` JSON document, which holds the identity provider's view in SCIM wire shape.
import { type Expression, type SqlBool, sql } from 'kysely';
import type { FilterAttribute, ResolvedFilterPath } from '../../scim/filter/ast.ts';
import type { SqlDialect } from '../dialect.ts';
import type { Leaf } from './sql-leaf.ts';

/** The alias the memberships table must have in the query: `selectFrom('memberships as m')`. */
export const MEMBERSHIP_ALIAS = 'm';

/** The elements of one multi-valued attribute of the member, wherever they are stored. */
export interface ElementSource {
  /** Whether some element satisfies `condition` (written over `leaf()`s); never NULL. */
  exists(condition: Expression<SqlBool>): Expression<SqlBool>;
  leaf(sub: FilterAttribute): Leaf;
  /** `expr` on the primary element, else the first (sortBy, RFC 7644 §3.4.2.3). */
  first(expr: Expression<unknown>): Expression<unknown>;
}

const m = (column: string) => sql.ref(`${MEMBERSHIP_ALIAS}.${column}`);

/** The identity provider's view of the member in SCIM wire shape: JSON in a TEXT column. */
const PROFILE = m('profile');

/** Columns with an (organization_id, fold(col)) index, or (organization_id, col) for externalId. */
const INDEXED_COLUMNS: ReadonlySet<string> = new Set([
  'user_name',
  'display_name',
  'given_name',
  'family_name',
  'external_id',
]);

function column(name: string, nullable: boolean, definition: FilterAttribute): Leaf {
  // dateTime columns hold toISOString() text and the filter's value is normalised to it (validateFilter).
  const caseExact = definition.caseExact || definition.type === 'dateTime';
  return { kind: 'text', expr: m(name), nullable, caseExact, indexed: INDEXED_COLUMNS.has(name) };
}

function jsonLeaf(dialect: SqlDialect, path: string[], definition: FilterAttribute): Leaf {
  if (definition.type === 'boolean') {
    return { kind: 'opaque', name: path.join('.'), reason: 'this boolean is not stored for filtering' };
  }
  return {
    kind: 'text',
    expr: dialect.jsonText(PROFILE, path),
    nullable: true,
    caseExact: definition.caseExact,
  };
}

/** The leaf of a single-valued attribute, or of a sub-attribute of a single-valued complex one. */
export function rowLeaf(resolved: ResolvedFilterPath, dialect: SqlDialect): Leaf {
  const { attribute, subAttribute } = resolved;
  const definition = subAttribute ?? attribute;
  const names = subAttribute === undefined ? [attribute.name] : [attribute.name, subAttribute.name];
  // Extension attributes (the enterprise User's) are kept in the profile under their schema URN.
  if (resolved.schema !== undefined) return jsonLeaf(dialect, [resolved.schema, ...names], definition);
  switch (names.join('.')) {
    case 'id':
      return column('id', false, definition);
    case 'externalId':
      return column('external_id', true, definition);
    case 'userName':
      return column('user_name', false, definition);
    case 'displayName':
      return column('display_name', true, definition);
    case 'name.givenName':
      return column('given_name', true, definition);
    case 'name.familyName':
      return column('family_name', true, definition);
    case 'active':
      return {
        kind: 'boolean',
        isTrue: sql<SqlBool>`(${m('status')} = 'active')`,
        isFalse: sql<SqlBool>`(${m('status')} <> 'active')`,
        present: sql<SqlBool>`(1 = 1)`,
      };
    case 'meta.created':
      return column('created_at', false, definition);
    case 'meta.lastModified':
      return column('updated_at', false, definition);
    case 'meta.resourceType':
      return { kind: 'text', expr: sql.lit('User'), nullable: false, caseExact: definition.caseExact };
    case 'meta.version':
      // The ETag as provisioning/member-resource.ts writes it: W/"<version>".
      return { kind: 'text', expr: sql`('W/"' || ${m('version')} || '"')`, nullable: false, caseExact: true };
    case 'meta.location':
      return { kind: 'opaque', name: 'meta.location', reason: "it depends on the server's public base URL" };
    default:
      return jsonLeaf(dialect, names, definition);
  }
}

/**
 * The element source of a multi-valued attribute. `subAttributes` are the sub-attributes the
 * condition will read: emails go to the indexed `member_emails` table when only `value`/`type` are
 * read, and to the profile otherwise (`member_emails.primary` is 0 for "false" and for "not sent").
 */
export function elementSource(
  attribute: FilterAttribute,
  subAttributes: ReadonlySet<string>,
  target: { dialect: SqlDialect; organizationId?: string | undefined },
): ElementSource {
  const { dialect, organizationId } = target;
  if (attribute.name === 'groups') return GROUP_ELEMENTS;
  if (attribute.name === 'roles') return ROLE_ELEMENTS;
  if (attribute.name === 'entitlements') return WORKSPACE_ELEMENTS;
  if (
    attribute.name === 'emails' &&
    [...subAttributes].every((name) => name === 'value' || name === 'type')
  ) {
    return memberEmails(organizationId);
  }
  return profileElements(attribute, dialect);
}

const GROUP_ROWS = sql`group_members AS gm INNER JOIN groups AS g ON g.id = gm.group_id WHERE gm.membership_id = ${m('id')}`;

/**
 * `groups` (read-only, provisioning/group-resource.ts): the member's groups, by the
 * (membership_id, group_id) index of `group_members`. `type` is always "direct" (no nested groups).
 */
const GROUP_ELEMENTS: ElementSource = {
  exists: (condition) => sql<SqlBool>`EXISTS (SELECT 1 FROM ${GROUP_ROWS} AND ${condition})`,
  leaf(sub) {
    if (sub.name === 'value')
      return { kind: 'text', expr: sql.ref('gm.group_id'), nullable: false, caseExact: true };
    if (sub.name === 'display') {
      return { kind: 'text', expr: sql.ref('g.display_name'), nullable: false, caseExact: sub.caseExact };
    }
    if (sub.name === 'type')
      return { kind: 'text', expr: sql`'direct'`, nullable: false, caseExact: sub.caseExact };
    return { kind: 'opaque', name: `groups.${sub.name}`, reason: 'it depends on the request URL' };
  },
  first: (expr) => sql`(SELECT ${expr} FROM ${GROUP_ROWS} ORDER BY g.display_name, g.id LIMIT 1)`,
};

const ROLE_ROWS = sql`member_entitlements AS er WHERE er.membership_id = ${m('id')} AND er.kind = 'role'`;

/**
 * `roles`: the roles the identity provider assigned the member (provisioning/idp-assignments.ts),
 * by the primary key of `member_entitlements`; `display` is the role's name, no `type` or `primary`.
 */
const ROLE_ELEMENTS: ElementSource = {
  exists: (condition) => sql<SqlBool>`EXISTS (SELECT 1 FROM ${ROLE_ROWS} AND ${condition})`,
  leaf(sub) {
    if (sub.name === 'value')
      return { kind: 'text', expr: sql.ref('er.value'), nullable: false, caseExact: sub.caseExact };
    if (sub.name === 'display') {
      const display = sql`(CASE er.value WHEN 'admin' THEN 'Admin' WHEN 'member' THEN 'Member' END)`;
      return { kind: 'text', expr: display, nullable: true, caseExact: sub.caseExact };
    }
    return { kind: 'absent' };
  },
  first: (expr) => sql`(SELECT ${expr} FROM ${ROLE_ROWS} ORDER BY er.value LIMIT 1)`,
};

const WORKSPACE_ROWS = sql`member_entitlements AS ee INNER JOIN workspaces AS ew ON ew.id = ee.value WHERE ee.membership_id = ${m('id')} AND ee.kind = 'workspace'`;

/** `entitlements`: the workspaces the identity provider granted, with their names; type "Workspace". */
const WORKSPACE_ELEMENTS: ElementSource = {
  exists: (condition) => sql<SqlBool>`EXISTS (SELECT 1 FROM ${WORKSPACE_ROWS} AND ${condition})`,
  leaf(sub) {
    if (sub.name === 'value')
      return { kind: 'text', expr: sql.ref('ee.value'), nullable: false, caseExact: sub.caseExact };
    if (sub.name === 'display')
      return { kind: 'text', expr: sql.ref('ew.name'), nullable: false, caseExact: sub.caseExact };
    if (sub.name === 'type')
      return { kind: 'text', expr: sql`'Workspace'`, nullable: false, caseExact: sub.caseExact };
    return { kind: 'absent' };
  },
  first: (expr) => sql`(SELECT ${expr} FROM ${WORKSPACE_ROWS} ORDER BY ee.value LIMIT 1)`,
};

const EMAIL_ROWS = sql`member_emails AS e WHERE e.membership_id = ${m('id')}`;

/**
 * Emails from the `member_emails` index table. When the organization is known, a condition on them
 * starts from the organization's emails — `m.id IN (its matching emails)` — uncorrelated, so it is
 * evaluated once: `emails.value eq "…"` (Entra ID's lookup before a create) is a seek on the
 * (organization_id, fold(value)) index and then each hit by primary key, and `co` one pass over that
 * index. Without it, the member's own emails are read on the (membership_id, position) primary key.
 * That EXISTS must NOT also say `e.organization_id = m.organization_id`: it invites SQLite to answer
 * it from the organization's emails index, i.e. to walk every email of the organization for every
 * member (a 10k-member `emails.value co` took 100 s).
 */
function memberEmails(organizationId: string | undefined): ElementSource {
  return {
    exists(condition) {
      if (organizationId !== undefined) {
        return sql<SqlBool>`(${m('id')} IN (SELECT e.membership_id FROM member_emails AS e WHERE e.organization_id = ${organizationId} AND ${condition}))`;
      }
      return sql<SqlBool>`EXISTS (SELECT 1 FROM ${EMAIL_ROWS} AND ${condition})`;
    },
    leaf(sub) {
      const nullable = sub.name !== 'value';
      return { kind: 'text', expr: sql.ref(`e.${sub.name}`), nullable, caseExact: sub.caseExact };
    },
    first: (expr) =>
      sql`(SELECT ${expr} FROM ${EMAIL_ROWS} ORDER BY ${sql.ref('e.primary')} DESC, e.position LIMIT 1)`,
  };
}

function profileElements(attribute: FilterAttribute, dialect: SqlDialect): ElementSource {
  const elements = dialect.jsonElements(PROFILE, attribute.name);
  const hasPrimary = attribute.subAttributes?.some((sub) => sub.name === 'primary') ?? false;
  return {
    exists: (condition) => sql<SqlBool>`EXISTS (SELECT 1 FROM ${elements.from} WHERE ${condition})`,
    leaf(sub) {
      if (sub.type === 'boolean') {
        return {
          kind: 'boolean',
          isTrue: elements.is(sub.name, true),
          isFalse: elements.is(sub.name, false),
          present: elements.has(sub.name),
        };
      }
      return { kind: 'text', expr: elements.text(sub.name), nullable: true, caseExact: sub.caseExact };
    },
    first(expr) {
      const primaryFirst = hasPrimary ? sql`${elements.is('primary', true)} DESC, ` : sql``;
      return sql`(SELECT ${expr} FROM ${elements.from} ORDER BY ${primaryFirst}${elements.position} LIMIT 1)`;
    },
  };
}
