// The abstract syntax tree of a SCIM filter (RFC 7644 §3.4.2.2). Produced by `parseFilter`, checked
// and normalised by `validateFilter`, evaluated in memory by `matchFilter`, and resolved by
// `resolveFilter` into the ResolvedFilter below, which `src/store/filter/compile-filter.ts` turns into
// SQL. The tree says what was written; meaning lives in those modules.

/** The comparison operators of RFC 7644 §3.4.2.2, table 3 (`pr` is a node of its own). */
export type CompareOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

export const COMPARE_OPERATORS: readonly CompareOperator[] = [
  'eq',
  'ne',
  'co',
  'sw',
  'ew',
  'gt',
  'ge',
  'lt',
  'le',
];

/** `compValue` of the RFC grammar: a JSON string, number, `true`, `false` or `null`. */
export type FilterValue = string | number | boolean | null;

/**
 * `attrPath = [URI ":"] ATTRNAME *1subAttr`. `schema` is the URN exactly as written (absent when the
 * filter did not qualify the name); names keep the case the client used until `validateFilter`
 * replaces them with the catalogue's spelling. Inside a value filter (`emails[type eq "work"]`) paths
 * are relative to one element: `{ attribute: 'type' }`.
 */
export interface AttributePath {
  schema?: string;
  attribute: string;
  subAttribute?: string;
}

/** `attrPath compareOp compValue`, e.g. `userName eq "jane@acme.com"`. */
export interface CompareNode {
  kind: 'compare';
  path: AttributePath;
  op: CompareOperator;
  value: FilterValue;
}

/** `attrPath pr`: the attribute has a non-empty value. */
export interface PresentNode {
  kind: 'present';
  path: AttributePath;
}

export interface AndNode {
  kind: 'and';
  left: FilterNode;
  right: FilterNode;
}

export interface OrNode {
  kind: 'or';
  left: FilterNode;
  right: FilterNode;
}

/** `not (filter)`: logical negation of the operand (RFC 7644 §3.4.2.2, table 4). */
export interface NotNode {
  kind: 'not';
  filter: FilterNode;
}

/**
 * `valuePath = attrPath "[" valFilter "]"`: `filter` must hold for ONE element of the multi-valued
 * (or complex) attribute `path`; its paths are relative to that element.
 *
 * The PATCH-path shape `emails[type eq "work"].value eq "x"`, which Entra ID also puts in filters, is
 * not a node of its own: the parser writes it as `emails[type eq "work" and value eq "x"]` (the same
 * per-element meaning), and the `ne` form as `not (emails[type eq "work" and value eq "x"])`, so that
 * `ne` keeps meaning "not eq" everywhere.
 */
export interface ValuePathNode {
  kind: 'valuePath';
  path: AttributePath;
  filter: FilterNode;
}

export type FilterNode = CompareNode | PresentNode | AndNode | OrNode | NotNode | ValuePathNode;

/** `a.b` or `urn:…:User:a.b`, for error messages and tests. */
export function formatAttributePath(path: AttributePath): string {
  const name = path.subAttribute === undefined ? path.attribute : `${path.attribute}.${path.subAttribute}`;
  return path.schema === undefined ? name : `${path.schema}:${name}`;
}

// A validated filter (`resolveFilter`): the canonical tree of `validateFilter`, each path carrying
// the catalogue definitions it names. This is what the SQL compiler takes; it looks nothing up.

/**
 * What a compiler reads of a catalogue attribute: src/scim/schemas' AttributeDefinitions are
 * FilterAttributes, handed over as they are.
 */
/** The data types of RFC 7643 §2.3. */
export type AttributeType =
  | 'string'
  | 'boolean'
  | 'complex'
  | 'dateTime'
  | 'reference'
  | 'integer'
  | 'decimal'
  | 'binary';

export interface FilterAttribute {
  readonly name: string;
  readonly type: AttributeType;
  readonly multiValued: boolean;
  readonly caseExact: boolean;
  readonly subAttributes?: readonly FilterAttribute[];
}

/**
 * A resolved path. `schema` is the canonical URN of an extension attribute, absent for core ones.
 * Inside a value filter (`emails[type eq "work"]`) paths are relative to one element, as in
 * AttributePath: `attribute` is then the element's sub-attribute (`type`).
 */
export interface ResolvedFilterPath {
  readonly schema?: string;
  readonly attribute: FilterAttribute;
  readonly subAttribute?: FilterAttribute;
}

/** A comparison, its value normalised: text for string and dateTime attributes, true/false for booleans. */
export interface ResolvedCompare {
  readonly kind: 'compare';
  readonly path: ResolvedFilterPath;
  readonly op: CompareOperator;
  readonly value: string | boolean;
}

export type ResolvedFilter =
  | ResolvedCompare
  | { readonly kind: 'present'; readonly path: ResolvedFilterPath }
  | { readonly kind: 'and'; readonly left: ResolvedFilter; readonly right: ResolvedFilter }
  | { readonly kind: 'or'; readonly left: ResolvedFilter; readonly right: ResolvedFilter }
  | { readonly kind: 'not'; readonly filter: ResolvedFilter }
  /** `path` is a complex attribute; `filter` is evaluated against one of its elements. */
  | { readonly kind: 'valuePath'; readonly path: ResolvedFilterPath; readonly filter: ResolvedFilter };

/** A validated `sortBy`: the attribute, and the (sub-)attribute whose value is the sort key. */
export interface ResolvedSort {
  readonly path: ResolvedFilterPath;
  readonly key: FilterAttribute;
  /** The `sortBy` as the client wrote it, for messages. */
  readonly text: string;
}
