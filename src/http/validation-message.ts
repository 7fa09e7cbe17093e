// A request that fails a route's JSON schema (api-schemas.ts) is a 400 `invalid_value` whose
// message names the field and says what it must be, in the words the hand-written checks used
// ("role must be "admin" or "member""). Ajv's own messages name JSON pointers ("body/role must be
// equal to one of the allowed values"), which clients cannot act on.
import type { FastifySchemaValidationError } from 'fastify';

/** The part of the request that failed (Fastify's `validationContext`). */
type SchemaErrorDataVar = 'body' | 'headers' | 'params' | 'querystring';

const TYPE_WORDS: Record<string, string> = {
  boolean: 'true or false',
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  array: 'an array',
  object: 'an object',
  null: 'null',
};

/** `/domains/0` → `domains[0]`. */
function fieldOf(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

function expected(error: FastifySchemaValidationError): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type': {
      const types = ([] as unknown[]).concat(params.type).map(String);
      return `must be ${types.map((type) => TYPE_WORDS[type] ?? type).join(' or ')}`;
    }
    case 'enum':
      return `must be ${(params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(' or ')}`;
    default:
      return error.message ?? 'is not valid';
  }
}

function where(context: SchemaErrorDataVar): string {
  return context === 'body' ? '' : context === 'querystring' ? 'query parameter ' : `${context} `;
}

/** The message of Fastify's validation error (its `schemaErrorFormatter`). */
export function validationMessage(
  errors: FastifySchemaValidationError[],
  context: SchemaErrorDataVar,
): string {
  const [error] = errors;
  if (!error) return `the request's ${context} is not valid`;
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') return `${where(context)}${String(params.missingProperty)} is required`;
  if (error.keyword === 'additionalProperties') {
    return `${where(context)}${String(params.additionalProperty)} is not a field this request takes`;
  }
  const field = fieldOf(error.instancePath);
  if (field === '') {
    return context === 'body'
      ? `the request body ${expected(error).replace('an object', 'a JSON object')}`
      : `the ${context} ${expected(error)}`;
  }
  return `${where(context)}${field} ${expected(error)}`;
}
