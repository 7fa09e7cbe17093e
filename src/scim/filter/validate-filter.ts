// Checks a parsed filter against the User catalogue and returns it in canonical form, or throws 400
// `invalidFilter` naming what is wrong: an unknown attribute or schema, a comparison the attribute's
// type does not support, an invalid dateTime. Run by the SQL compiler, and by anyone who wants the
// in-memory matcher to refuse what the database would refuse.
//
// Canonical form: catalogue spelling of names; core attributes without their URN, extension ones with
// the canonical URN; `emails eq "x"` written `emails.value eq "x"`; dateTime values as toISOString();
// numbers compared with a string attribute as their text (unquoted-value tolerance); `x eq null` as
// `not (x pr)` and `x ne null` as `x pr`.

import type { AttributeDefinition } from '../schemas/attribute-definition.ts';
import {
  type AttributePath,
  type CompareNode,
  type FilterNode,
  type FilterValue,
  formatAttributePath,
} from './ast.ts';
import { normaliseDateTime } from './compare-values.ts';
import { canonicalPath, comparisonTarget, resolveElementPath, resolvePath } from './resolve-filter-path.ts';
import { invalidFilter } from './tokenize-filter.ts';

export function validateFilter(filter: FilterNode): FilterNode {
  return validate(filter, undefined);
}

/** `parent` is the complex attribute whose element a bracketed filter is evaluated against. */
function validate(node: FilterNode, parent: AttributeDefinition | undefined): FilterNode {
  switch (node.kind) {
    case 'and':
    case 'or':
      return { kind: node.kind, left: validate(node.left, parent), right: validate(node.right, parent) };
    case 'not':
      return { kind: 'not', filter: validate(node.filter, parent) };
    case 'present':
      return { kind: 'present', path: resolveTarget(node.path, parent, false).path };
    case 'compare':
      return validateCompare(node, parent);
    case 'valuePath':
      return validateValuePath(node, parent);
  }
}

function validateCompare(node: CompareNode, parent: AttributeDefinition | undefined): FilterNode {
  const { path, target } = resolveTarget(node.path, parent, true);
  const name = formatAttributePath(path);
  if (node.value === null) {
    if (node.op === 'eq') return { kind: 'not', filter: { kind: 'present', path } };
    if (node.op === 'ne') return { kind: 'present', path };
    throw invalidFilter(`'${node.op}' cannot compare '${name}' with null; only eq and ne can`);
  }
  return { kind: 'compare', path, op: node.op, value: checkValue(name, target, node.op, node.value) };
}

function validateValuePath(
  node: FilterNode & { kind: 'valuePath' },
  parent: AttributeDefinition | undefined,
) {
  const written = formatAttributePath(node.path);
  if (parent !== undefined) throw invalidFilter(`value filters cannot be nested ('${written}[…]')`);
  const resolved = resolvePath(node.path);
  if (typeof resolved === 'string') throw invalidFilter(resolved);
  if (resolved.subAttribute !== undefined || resolved.attribute.type !== 'complex') {
    throw invalidFilter(`'${written}[…]' needs a complex attribute before '[', such as 'emails'`);
  }
  const filter = validate(node.filter, resolved.attribute);
  return { kind: 'valuePath' as const, path: canonicalPath(resolved), filter };
}

function resolveTarget(
  written: AttributePath,
  parent: AttributeDefinition | undefined,
  comparing: boolean,
): { path: AttributePath; target: AttributeDefinition } {
  if (parent !== undefined) {
    const sub = resolveElementPath(parent, written);
    if (typeof sub === 'string') throw invalidFilter(sub);
    return { path: { attribute: sub.name }, target: sub };
  }
  const resolved = resolvePath(written);
  if (typeof resolved === 'string') throw invalidFilter(resolved);
  if (!comparing)
    return { path: canonicalPath(resolved), target: resolved.subAttribute ?? resolved.attribute };
  const target = comparisonTarget(resolved);
  if (target === undefined) {
    const example = resolved.attribute.subAttributes?.[0]?.name ?? 'value';
    throw invalidFilter(
      `'${formatAttributePath(written)}' is a complex attribute: compare one of its sub-attributes, such as '${resolved.attribute.name}.${example}'`,
    );
  }
  const sub = resolved.subAttribute ?? (resolved.attribute.type === 'complex' ? target : undefined);
  return { path: canonicalPath(resolved, sub), target };
}

function checkValue(
  name: string,
  target: AttributeDefinition,
  op: CompareNode['op'],
  value: Exclude<FilterValue, null>,
): FilterValue {
  if (target.type === 'boolean') {
    if (op !== 'eq' && op !== 'ne') {
      throw invalidFilter(`'${name}' is a boolean: only eq, ne and pr apply to it, not '${op}'`);
    }
    if (typeof value !== 'boolean') {
      throw invalidFilter(
        `'${name}' is a boolean: compare it with true or false, not ${JSON.stringify(value)}`,
      );
    }
    return value;
  }
  if (target.type === 'dateTime') {
    if (op === 'co' || op === 'sw' || op === 'ew') {
      throw invalidFilter(`'${name}' is a dateTime: use eq, ne, gt, ge, lt or le, not '${op}'`);
    }
    const normalised = typeof value === 'string' ? normaliseDateTime(value) : undefined;
    if (normalised === undefined) {
      throw invalidFilter(
        `'${name}' is a dateTime: ${JSON.stringify(value)} is not an xsd:dateTime such as "2024-01-31T12:00:00Z"`,
      );
    }
    return normalised;
  }
  if (target.type === 'integer' || target.type === 'decimal') {
    throw invalidFilter(`'${name}' is a number; filtering on numbers is not supported`);
  }
  if (typeof value === 'boolean') {
    throw invalidFilter(`'${name}' is a string: compare it with a quoted string, not ${value}`);
  }
  return typeof value === 'number' ? String(value) : value;
}
