// Reading a form body (application/x-www-form-urlencoded, parsed by @fastify/formbody), for the
// dashboard's forms and the SAML "Continue as …?" answer alike: the CSRF token is read this way.

/** A form field's value: the first when a name is repeated, '' when absent. */
export function field(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | null | undefined)?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : '';
}

/** Every value of a repeated form field (checkboxes), in order; none when absent. */
export function fields(body: unknown, name: string): string[] {
  const value = (body as Record<string, unknown> | null | undefined)?.[name];
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.filter((v): v is string => typeof v === 'string');
}
