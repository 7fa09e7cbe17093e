// A PatchOp request body (RFC 7644 §3.5.2) → a list of typed operations, before anything is
// applied. Tolerances, each for a real client:
// - `schemas` may be absent (lenient clients); when present it must list the PatchOp URN, so a
//   PUT-style User body sent to PATCH by mistake is refused instead of half-understood;
// - `Operations`, `op`, `path`, `value` keys in any case; `op` values in any case — Entra ID sends
//   `Replace`/`Add`/`Remove` (docs/idp-requests.md failure mode 1);
// - an empty `Operations` array is a no-op (Entra's validator sends one);
// - an empty `path` string is the same as no path.

import { PATCH_OP_SCHEMA } from '../schemas/urns.ts';
import { ScimError } from '../scim-error.ts';
import type { PatchPath } from './parse-path.ts';
import { parsePath } from './parse-path.ts';

export const MAX_OPERATIONS = 100;

export type PatchOperation =
  | { readonly op: 'add' | 'replace'; readonly path: PatchPath | undefined; readonly value: unknown }
  /** `value` on remove: Entra removes only the listed values of a multi-valued attribute. */
  | { readonly op: 'remove'; readonly path: PatchPath; readonly value: unknown };

function invalidSyntax(detail: string): ScimError {
  return new ScimError(400, detail, 'invalidSyntax');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value of `name` in `object`, matching the key case-insensitively (own keys only). */
function member(object: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : object[key];
}

function hasMember(object: Record<string, unknown>, name: string): boolean {
  return Object.keys(object).some((candidate) => candidate.toLowerCase() === name);
}

function checkSchemas(schemas: unknown): void {
  if (schemas === undefined) return;
  const list = typeof schemas === 'string' ? [schemas] : schemas;
  const ok =
    Array.isArray(list) &&
    list.some((urn) => typeof urn === 'string' && urn.toLowerCase() === PATCH_OP_SCHEMA.toLowerCase());
  if (!ok) throw invalidSyntax(`schemas must contain "${PATCH_OP_SCHEMA}"`);
}

function parseOperation(raw: unknown, index: number): PatchOperation {
  const where = `Operations[${index}]`;
  if (!isObject(raw)) throw invalidSyntax(`${where} must be an object`);
  const op = member(raw, 'op');
  if (typeof op !== 'string') throw invalidSyntax(`${where}.op is required (add, replace or remove)`);
  const rawPath = member(raw, 'path');
  if (rawPath !== undefined && rawPath !== null && typeof rawPath !== 'string') {
    throw new ScimError(400, `${where}.path must be a string`, 'invalidPath');
  }
  let path: PatchPath | undefined;
  try {
    path = typeof rawPath === 'string' && rawPath.trim() !== '' ? parsePath(rawPath) : undefined;
  } catch (error) {
    throw error instanceof ScimError
      ? new ScimError(400, `${where}: ${error.detail}`, error.scimType)
      : error;
  }
  const value = member(raw, 'value');
  switch (op.toLowerCase()) {
    case 'add':
    case 'replace':
      if (!hasMember(raw, 'value')) throw invalidSyntax(`${where}: "${op}" needs a value`);
      return { op: op.toLowerCase() === 'add' ? 'add' : 'replace', path, value };
    case 'remove':
      // RFC 7644 §3.5.2.2: "If "path" is unspecified, the operation fails with … noTarget".
      if (!path) throw new ScimError(400, `${where}: remove needs a path`, 'noTarget');
      return { op: 'remove', path, value };
    default:
      throw invalidSyntax(`${where}.op "${op}" is not add, replace or remove`);
  }
}

export function parsePatchBody(body: unknown): PatchOperation[] {
  if (!isObject(body)) throw invalidSyntax('The request body must be a PatchOp JSON object');
  checkSchemas(member(body, 'schemas'));
  const operations = member(body, 'operations');
  if (!Array.isArray(operations)) throw invalidSyntax('Operations must be an array of operations');
  if (operations.length > MAX_OPERATIONS) {
    throw invalidSyntax(`Operations has ${operations.length} operations; the limit is ${MAX_OPERATIONS}`);
  }
  return operations.map(parseOperation);
}
