// Finds what an attribute path of a filter refers to in the User schema catalogue
// (src/scim/schemas). Shared by the validator (which turns a failure into a 400) and the in-memory
// matcher (which treats it as "absent"), so both read names the same way: case-insensitively
// (RFC 7643 §2.1), core attributes with or without their schema URN, extension attributes only with
// theirs (RFC 7644 §3.10). Attributes never returned (`password`) cannot be filtered on.

import type { AttributeDefinition } from '../schemas/attribute-definition.ts';
import { ENTERPRISE_USER_ATTRIBUTES } from '../schemas/enterprise-user-attributes.ts';
import { findAttribute } from '../schemas/resolve-attribute.ts';
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from '../schemas/urns.ts';
import { COMMON_ATTRIBUTES, USER_ATTRIBUTES } from '../schemas/user-attributes.ts';
import { type AttributePath, formatAttributePath } from './ast.ts';

const ALL_CORE_ATTRIBUTES = [...COMMON_ATTRIBUTES, ...USER_ATTRIBUTES];
const CORE_ATTRIBUTES = ALL_CORE_ATTRIBUTES.filter((attribute) => attribute.returned !== 'never');

export type UserSchema = typeof USER_SCHEMA | typeof ENTERPRISE_USER_SCHEMA;

export interface ResolvedPath {
  schema: UserSchema;
  attribute: AttributeDefinition;
  subAttribute?: AttributeDefinition;
}

/** Resolves a top-level path; a string result is the reason it names nothing. */
export function resolvePath(path: AttributePath): ResolvedPath | string {
  const schema = resolveSchema(path.schema);
  if (schema === undefined) {
    return `attribute '${path.attribute}' is in schema '${path.schema}', which Users do not have`;
  }
  const catalogue = schema === USER_SCHEMA ? CORE_ATTRIBUTES : ENTERPRISE_USER_ATTRIBUTES;
  const attribute = findAttribute(catalogue, path.attribute);
  if (attribute === undefined) {
    const extension = findAttribute(ENTERPRISE_USER_ATTRIBUTES, path.attribute);
    const hint =
      extension !== undefined && schema === USER_SCHEMA
        ? `; extension attributes take their schema URN: '${ENTERPRISE_USER_SCHEMA}:${extension.name}'`
        : '';
    if (findAttribute(ALL_CORE_ATTRIBUTES, path.attribute) !== undefined && schema === USER_SCHEMA) {
      return `attribute '${path.attribute}' is never returned, so it cannot be filtered on`;
    }
    return `unknown attribute '${path.attribute}'${hint}`;
  }
  if (path.subAttribute === undefined) return { schema, attribute };
  const subAttribute = findAttribute(attribute.subAttributes ?? [], path.subAttribute);
  if (subAttribute === undefined) {
    return (attribute.subAttributes ?? []).length === 0
      ? `attribute '${attribute.name}' has no sub-attributes`
      : `attribute '${attribute.name}' has no sub-attribute '${path.subAttribute}'`;
  }
  return { schema, attribute, subAttribute };
}

/** Resolves a path inside `parent[…]`: a bare sub-attribute name of one element. */
export function resolveElementPath(
  parent: AttributeDefinition,
  path: AttributePath,
): AttributeDefinition | string {
  if (path.schema !== undefined || path.subAttribute !== undefined) {
    return `inside '${parent.name}[…]' name a sub-attribute of one element (such as 'value'), not '${formatAttributePath(path)}'`;
  }
  return (
    findAttribute(parent.subAttributes ?? [], path.attribute) ??
    `attribute '${parent.name}' has no sub-attribute '${path.attribute}'`
  );
}

/**
 * What a comparison compares: the named (sub-)attribute, or — for a multi-valued complex attribute
 * named alone, as in `emails eq "x"` — its `value` sub-attribute. `undefined` for a singular complex
 * attribute (`name eq "x"`), which has no value of its own.
 */
export function comparisonTarget(resolved: ResolvedPath): AttributeDefinition | undefined {
  if (resolved.subAttribute !== undefined) return resolved.subAttribute;
  if (resolved.attribute.type !== 'complex') return resolved.attribute;
  if (!resolved.attribute.multiValued) return undefined;
  return resolved.attribute.subAttributes?.find((sub) => sub.name === 'value');
}

/** The canonical form of a resolved path: core names unqualified, the extension with its URN. */
export function canonicalPath(resolved: ResolvedPath, subAttribute = resolved.subAttribute): AttributePath {
  return {
    ...(resolved.schema === USER_SCHEMA ? {} : { schema: resolved.schema }),
    attribute: resolved.attribute.name,
    ...(subAttribute === undefined ? {} : { subAttribute: subAttribute.name }),
  };
}

function resolveSchema(schema: string | undefined): UserSchema | undefined {
  if (schema === undefined) return USER_SCHEMA;
  const lower = schema.toLowerCase();
  if (lower === USER_SCHEMA.toLowerCase()) return USER_SCHEMA;
  if (lower === ENTERPRISE_USER_SCHEMA.toLowerCase()) return ENTERPRISE_USER_SCHEMA;
  return undefined;
}
