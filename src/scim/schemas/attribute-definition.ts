// Attribute characteristics as data (RFC 7643 §2.2, §7). Everything that validates, patches or
// projects a resource reads these definitions instead of hard-coding attribute names.

import type { AttributeType } from '../filter/ast.ts';

export type { AttributeType };

export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
export type Returned = 'always' | 'default' | 'never' | 'request';
export type Uniqueness = 'none' | 'server' | 'global';

export interface AttributeDefinition {
  readonly name: string;
  readonly type: AttributeType;
  readonly multiValued: boolean;
  readonly description: string;
  readonly required: boolean;
  readonly caseExact: boolean;
  readonly mutability: Mutability;
  readonly returned: Returned;
  readonly uniqueness: Uniqueness;
  readonly subAttributes?: readonly AttributeDefinition[];
  readonly canonicalValues?: readonly string[];
  readonly referenceTypes?: readonly string[];
}

type AttributeOptions = Partial<Omit<AttributeDefinition, 'name' | 'type' | 'description'>>;

/** Builds a definition with the defaults of RFC 7643 §2.2 (single-valued, optional, readWrite, …). */
export function defineAttribute(
  name: string,
  type: AttributeType,
  description: string,
  options: AttributeOptions = {},
): AttributeDefinition {
  return {
    name,
    type,
    multiValued: false,
    description,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...options,
  };
}

/**
 * The usual sub-attributes of a multi-valued attribute (RFC 7643 §2.4): value, display, type,
 * primary. `value` is overridable (a reference for photos, binary for certificates).
 */
export function multiValuedSubAttributes(
  what: string,
  canonicalTypes: readonly string[] | undefined,
  value: AttributeDefinition = defineAttribute('value', 'string', `The ${what} value.`),
): AttributeDefinition[] {
  return [
    value,
    defineAttribute('display', 'string', `A human-readable name for the ${what}, for display only.`),
    defineAttribute('type', 'string', `A label indicating the function of the ${what}.`, {
      ...(canonicalTypes ? { canonicalValues: canonicalTypes } : {}),
    }),
    defineAttribute('primary', 'boolean', `Whether this is the primary ${what}; at most one per resource.`),
  ];
}

/** Makes a definition and all its sub-attributes read-only (e.g. `groups`, `roles` in Roster). */
export function readOnly(definition: AttributeDefinition): AttributeDefinition {
  return {
    ...definition,
    mutability: 'readOnly',
    ...(definition.subAttributes ? { subAttributes: definition.subAttributes.map(readOnly) } : {}),
  };
}
