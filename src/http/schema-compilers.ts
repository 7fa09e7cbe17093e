// Route schemas are compiled once per process, not once per app. Fastify builds a new Ajv and
// fast-json-stringify compiler for every instance, and compiling the API's schemas was most of the
// cost of making an app (about half of its CPU: bench/app-cost.ts; every test file makes dozens
// of apps; a server makes one). The schemas are module constants, so a compiled validator or
// serializer is kept per schema object, within a pool per set of shared schemas and options (the
// same key Fastify's own compilers pool by).
//
// Handing Fastify its compilers makes it treat the validator as custom, which changes one thing: a
// `headers` schema is no longer lower-cased for it. No route validates headers; one that does must
// write its property names in lower case.
import { AjvCompiler } from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

type Compile<R> = (route: {
  schema: unknown;
  httpPart?: string;
  httpStatus?: string;
  contentType?: string;
}) => R;
type Build<R> = (externalSchemas: unknown, options: unknown) => Compile<R>;

function compiledOncePerSchema<R>(build: Build<R>): Build<R> {
  const pools = new Map<string, Compile<R>>();
  return (externalSchemas, options) => {
    const key = JSON.stringify([externalSchemas, options]);
    let pooled = pools.get(key);
    if (!pooled) {
      const compile = build(externalSchemas, options);
      const compiled = new WeakMap<object, Map<string, R>>();
      pooled = (route) => {
        if (typeof route.schema !== 'object' || route.schema === null) return compile(route);
        const part = `${route.httpPart ?? ''} ${route.httpStatus ?? ''} ${route.contentType ?? ''}`;
        let byPart = compiled.get(route.schema);
        if (!byPart) {
          byPart = new Map();
          compiled.set(route.schema, byPart);
        }
        let result = byPart.get(part);
        if (result === undefined) {
          result = compile(route);
          byPart.set(part, result);
        }
        return result;
      };
      pools.set(key, pooled);
    }
    return pooled;
  };
}

/** Fastify's `schemaController` option: its own compilers, shared by every app of the process. */
export const SHARED_SCHEMA_COMPILERS: NonNullable<FastifyServerOptions['schemaController']> = {
  compilersFactory: {
    buildValidator: compiledOncePerSchema(AjvCompiler() as Build<unknown>) as never,
    buildSerializer: compiledOncePerSchema(SerializerSelector() as Build<unknown>) as never,
  },
};
