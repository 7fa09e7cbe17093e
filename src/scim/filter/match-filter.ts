// Evaluates a filter against one SCIM User resource in wire JSON, in memory — for PATCH value paths,
// for stores without SQL, and as the reference the SQL compiler is tested against.
//
// It never throws: a path the catalogue does not know, or a comparison of the wrong type, simply does
// not match (and so `not (…)` of it does). Run `validateFilter` first to turn those into a 400, as the
// SQL compiler does; on a valid filter both give the same answer.

import { foldCase } from '../fold-case.ts';
import type { AttributeDefinition } from '../schemas/attribute-definition.ts';
import { ENTERPRISE_USER_SCHEMA } from '../schemas/urns.ts';
import type { CompareNode, FilterNode, FilterValue } from './ast.ts';
import { compareCodePoints, isPresent, parseDateTime } from './compare-values.ts';
import { comparisonTarget, resolveElementPath, resolvePath } from './resolve-filter-path.ts';

interface Scope {
  resource: Record<string, unknown>;
  /** Set inside `attr[…]`: the one element the bracketed filter is evaluated against. */
  element?: { parent: AttributeDefinition; value: unknown };
}

/** What a path designates: the definition compared against and every value found there. */
interface Located {
  target: AttributeDefinition | undefined;
  values: unknown[];
}

/** Case-insensitive comparisons fold ASCII letters only, as both stores do (../fold-case.ts). */
export function matchFilter(filter: FilterNode, resource: Record<string, unknown>): boolean {
  return evaluate(filter, { resource });
}

function evaluate(node: FilterNode, scope: Scope): boolean {
  switch (node.kind) {
    case 'and':
      return evaluate(node.left, scope) && evaluate(node.right, scope);
    case 'or':
      return evaluate(node.left, scope) || evaluate(node.right, scope);
    case 'not':
      return !evaluate(node.filter, scope);
    case 'present':
      return isPresent(locate(node, scope)?.values);
    case 'compare':
      return evaluateCompare(node, scope);
    case 'valuePath':
      return evaluateValuePath(node, scope);
  }
}

function evaluateCompare(node: CompareNode, scope: Scope): boolean {
  // `ne` is "not eq" (true when the attribute is absent); `eq null` is "not present" (RFC 7644 §3.4.2.2
  // gives null no other meaning, and a SCIM service never stores nulls: RFC 7643 §2.5).
  if (node.op === 'ne') return !evaluateCompare({ ...node, op: 'eq' }, scope);
  const located = locate(node, scope);
  if (node.value === null) return node.op === 'eq' && !isPresent(located?.values);
  const target = located?.target;
  if (located === undefined || target === undefined) return false;
  return located.values.some((actual) => compareValue(actual, node.op, node.value, target));
}

function evaluateValuePath(node: FilterNode & { kind: 'valuePath' }, scope: Scope): boolean {
  if (scope.element !== undefined) return false; // value filters do not nest (RFC 7644 valFilter)
  const resolved = resolvePath(node.path);
  if (typeof resolved === 'string' || resolved.subAttribute !== undefined) return false;
  if (resolved.attribute.type !== 'complex') return false;
  const container =
    resolved.schema === ENTERPRISE_USER_SCHEMA ? lookup(scope.resource, resolved.schema) : scope.resource;
  const raw = lookup(container, resolved.attribute.name);
  // A singular complex attribute (`name[givenName eq "J"]`) is one element.
  const elements = Array.isArray(raw) ? raw : [raw];
  return elements.some(
    (value) =>
      isObject(value) && evaluate(node.filter, { ...scope, element: { parent: resolved.attribute, value } }),
  );
}

function locate(node: FilterNode & { kind: 'compare' | 'present' }, scope: Scope): Located | undefined {
  if (scope.element !== undefined) {
    const sub = resolveElementPath(scope.element.parent, node.path);
    if (typeof sub === 'string') return undefined;
    return { target: sub, values: [lookup(scope.element.value, sub.name)] };
  }
  const resolved = resolvePath(node.path);
  if (typeof resolved === 'string') return undefined;
  const container =
    resolved.schema === ENTERPRISE_USER_SCHEMA ? lookup(scope.resource, resolved.schema) : scope.resource;
  const raw = lookup(container, resolved.attribute.name);
  const target = comparisonTarget(resolved);
  // Comparisons on a multi-valued attribute match when any element does (RFC 7644 §3.4.2.2); `pr` of
  // `emails` asks whether the list has a present element, so it keeps the list whole.
  const sub = resolved.subAttribute ?? (node.kind === 'compare' ? target : undefined);
  if (resolved.attribute.type !== 'complex' || sub === undefined) return { target, values: [raw] };
  const elements = Array.isArray(raw) ? raw : [raw];
  return { target, values: elements.map((element) => lookup(element, sub.name)) };
}

function compareValue(
  actual: unknown,
  op: CompareNode['op'],
  expected: FilterValue,
  target: AttributeDefinition,
): boolean {
  if (target.type === 'boolean') return op === 'eq' && typeof expected === 'boolean' && actual === expected;
  if (typeof actual !== 'string') return false;
  if (target.type === 'dateTime') {
    const left = parseDateTime(actual);
    const right = typeof expected === 'string' ? parseDateTime(expected) : undefined;
    if (left === undefined || right === undefined || ['co', 'sw', 'ew'].includes(op)) return false;
    return order(op, left - right);
  }
  // A number can only reach a string attribute through the unquoted-value tolerance: compare its text.
  const raw = typeof expected === 'number' ? String(expected) : expected;
  if (typeof raw !== 'string') return false;
  const a = target.caseExact ? actual : foldCase(actual);
  const b = target.caseExact ? raw : foldCase(raw);
  if (op === 'co') return a.includes(b);
  if (op === 'sw') return a.startsWith(b);
  if (op === 'ew') return a.endsWith(b);
  return order(op, compareCodePoints(a, b));
}

function order(op: CompareNode['op'], difference: number): boolean {
  if (op === 'eq') return difference === 0;
  if (op === 'gt') return difference > 0;
  if (op === 'ge') return difference >= 0;
  if (op === 'lt') return difference < 0;
  if (op === 'le') return difference <= 0;
  return false;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own keys only, compared case-insensitively (RFC 7643 §2.1); never reaches a prototype. */
function lookup(container: unknown, name: string): unknown {
  if (!isObject(container)) return undefined;
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(container)) {
    if (key.toLowerCase() === lower) return value;
  }
  return undefined;
}
