import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScimError } from '../scim-error.ts';
import type { ResolvedFilter, ResolvedFilterPath } from './ast.ts';
import { parseFilter } from './parse-filter.ts';
import { resolveFilter, resolveSortBy } from './resolve-filter.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** A resolved path as the names it stands for, to compare with what a filter says. */
function names(path: ResolvedFilterPath): string {
  const name = [path.attribute.name, path.subAttribute?.name].filter(Boolean).join('.');
  return path.schema === undefined ? name : `${path.schema}:${name}`;
}

describe('resolveFilter', () => {
  it('gives each path the catalogue definitions it names, in canonical spelling', () => {
    const filter = resolveFilter(parseFilter('NAME.GIVENNAME eq "Ann"'));
    assert.equal(filter.kind, 'compare');
    const { path } = filter as ResolvedFilter & { kind: 'compare' };
    assert.equal(names(path), 'name.givenName');
    assert.equal(path.attribute.type, 'complex');
    assert.equal(path.subAttribute?.type, 'string');
    assert.equal(path.subAttribute?.caseExact, false);
  });

  it('keeps the canonical URN of extension attributes only', () => {
    const filter = resolveFilter(parseFilter(`${ENTERPRISE.toUpperCase()}:Department pr`));
    assert.equal(filter.kind, 'present');
    assert.equal(names((filter as ResolvedFilter & { kind: 'present' }).path), `${ENTERPRISE}:department`);
    const core = resolveFilter(parseFilter('urn:ietf:params:scim:schemas:core:2.0:User:userName pr'));
    assert.equal((core as ResolvedFilter & { kind: 'present' }).path.schema, undefined);
  });

  it("resolves paths inside a value filter to the element's sub-attributes", () => {
    const filter = resolveFilter(parseFilter('emails[TYPE eq "work" and primary eq true]'));
    assert.equal(filter.kind, 'valuePath');
    const { path, filter: inner } = filter as ResolvedFilter & { kind: 'valuePath' };
    assert.equal(names(path), 'emails');
    assert.equal(path.attribute.multiValued, true);
    assert.equal(inner.kind, 'and');
    const { left, right } = inner as ResolvedFilter & { kind: 'and' };
    assert.deepEqual(
      [left, right].map((node) => (node.kind === 'compare' ? [names(node.path), node.value] : node.kind)),
      [
        ['type', 'work'],
        ['primary', true],
      ],
    );
  });

  it('carries the values validateFilter normalised', () => {
    const written = resolveFilter(parseFilter('meta.created gt "2024-01-15T11:00:00+01:00" or title eq 7'));
    const { left, right } = written as ResolvedFilter & { kind: 'or' };
    assert.deepEqual(
      [left, right].map((node) => node.kind === 'compare' && node.value),
      ['2024-01-15T10:00:00.000Z', '7'],
    );
    assert.deepEqual(
      resolveFilter(parseFilter('title eq null')),
      resolveFilter(parseFilter('not (title pr)')),
    );
  });

  it('refuses what validateFilter refuses, with the same 400 invalidFilter', () => {
    assert.throws(
      () => resolveFilter(parseFilter('favoriteColor eq "blue"')),
      (error: unknown) =>
        error instanceof ScimError &&
        error.scimType === 'invalidFilter' &&
        error.detail === "Invalid filter: unknown attribute 'favoriteColor'",
    );
  });
});

describe('resolveSortBy', () => {
  it("sorts a multi-valued attribute by its value, and keeps the client's spelling for messages", () => {
    const sort = resolveSortBy('Emails');
    assert.equal(names(sort.path), 'emails');
    assert.equal(sort.key.name, 'value');
    assert.equal(sort.text, 'Emails');
  });

  it('sorts a sub-attribute by itself', () => {
    const sort = resolveSortBy('name.familyName');
    assert.equal(names(sort.path), 'name.familyName');
    assert.equal(sort.key.name, 'familyName');
  });

  for (const [sortBy, detail] of [
    ['shoeSize', "Invalid sortBy: unknown attribute 'shoeSize'"],
    ['name', "Invalid sortBy: 'name' is a complex attribute: sort by one of its sub-attributes"],
    ['', 'the attribute path is empty'],
  ] as const) {
    it(`refuses ${JSON.stringify(sortBy)} with 400 invalidValue`, () => {
      assert.throws(
        () => resolveSortBy(sortBy),
        (error: unknown) =>
          error instanceof ScimError &&
          error.status === 400 &&
          error.scimType === 'invalidValue' &&
          error.detail === detail,
      );
    });
  }
});
