import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScimError } from '../scim-error.ts';
import { parseGroupFilter } from './group-filter.ts';
import { parseGroupPatch } from './parse-group-patch.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const body = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });

describe('parseGroupPatch', () => {
  const accepted: [string, unknown, unknown][] = [
    [
      "Okta's path-less replace with the read-only id",
      body({ op: 'replace', value: { id: 'g1', displayName: 'Eng' } }),
      [{ kind: 'displayName', value: 'Eng' }],
    ],
    [
      "Okta's add of a members list",
      body({ op: 'add', path: 'members', value: [{ value: 'u1', display: 'Jane' }] }),
      [{ kind: 'addMembers', ids: ['u1'] }],
    ],
    [
      "Okta's remove with members[value eq]",
      body({ op: 'remove', path: 'members[value eq "u1"]' }),
      [{ kind: 'removeMembers', ids: ['u1'] }],
    ],
    [
      'a members filter joined by or',
      body({ op: 'remove', path: 'members[value eq "u1" or value eq "u2"]' }),
      [{ kind: 'removeMembers', ids: ['u1', 'u2'] }],
    ],
    [
      "Entra's capitalised Remove with a value list (only the listed members)",
      body({ op: 'Remove', path: 'members', value: [{ value: 'u1' }, { Value: 'u2' }] }),
      [{ kind: 'removeMembers', ids: ['u1', 'u2'] }],
    ],
    [
      "Entra's Replace of displayName by path, then Add",
      body(
        { op: 'Replace', path: 'displayName', value: 'Sales' },
        { op: 'Add', path: 'members', value: [{ value: 'u3' }] },
      ),
      [
        { kind: 'displayName', value: 'Sales' },
        { kind: 'addMembers', ids: ['u3'] },
      ],
    ],
    [
      'remove of members without a value: every member',
      body({ op: 'remove', path: 'members' }),
      [{ kind: 'removeAllMembers' }],
    ],
    [
      'replace of members: the new list, repeats dropped',
      body({ op: 'replace', path: 'members', value: [{ value: 'u1' }, { value: 'u1' }] }),
      [{ kind: 'replaceMembers', ids: ['u1'] }],
    ],
    [
      'a URN-prefixed path and a single member object',
      body({
        op: 'add',
        path: 'urn:ietf:params:scim:schemas:core:2.0:Group:members',
        value: { value: 'u1' },
      }),
      [{ kind: 'addMembers', ids: ['u1'] }],
    ],
    [
      'remove of externalId',
      body({ op: 'remove', path: 'externalId' }),
      [{ kind: 'externalId', value: null }],
    ],
    ['an empty Operations array', body(), []],
  ];
  for (const [name, input, expected] of accepted) {
    it(`accepts ${name}`, () => assert.deepEqual(parseGroupPatch(input), expected));
  }

  const refused: [string, unknown, string][] = [
    ['remove of displayName', body({ op: 'remove', path: 'displayName' }), 'mutability'],
    ['a path-less remove', body({ op: 'remove' }), 'noTarget'],
    ['an unknown attribute', body({ op: 'add', path: 'owners', value: 'x' }), 'invalidPath'],
    [
      'add to a filtered members path',
      body({ op: 'add', path: 'members[value eq "x"]', value: [] }),
      'invalidPath',
    ],
    ['a members filter on display', body({ op: 'remove', path: 'members[display eq "x"]' }), 'invalidPath'],
    [
      'a member without a value',
      body({ op: 'add', path: 'members', value: [{ display: 'x' }] }),
      'invalidValue',
    ],
    ['a non-string displayName', body({ op: 'replace', path: 'displayName', value: 7 }), 'invalidValue'],
    ['an unknown op', body({ op: 'copy', path: 'members' }), 'invalidSyntax'],
    [
      'a PUT body sent to PATCH',
      { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'x' },
      'invalidSyntax',
    ],
    ['__proto__ as a path', body({ op: 'replace', path: '__proto__', value: {} }), 'invalidPath'],
  ];
  for (const [name, input, scimType] of refused) {
    it(`refuses ${name} with ${scimType}`, () => {
      assert.throws(
        () => parseGroupPatch(input),
        (error: unknown) => error instanceof ScimError && error.status === 400 && error.scimType === scimType,
      );
    });
  }

  it('ignores unknown keys of a path-less value instead of reaching the prototype', () => {
    const parsed = parseGroupPatch(
      body({ op: 'replace', value: JSON.parse('{"__proto__": {"x": 1}, "meta": {}, "displayName": "A"}') }),
    );
    assert.deepEqual(parsed, [{ kind: 'displayName', value: 'A' }]);
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });
});

describe('parseGroupFilter', () => {
  it('reads the filters Okta and Entra send', () => {
    assert.deepEqual(parseGroupFilter('displayName eq "Eng"'), { displayName: 'Eng' });
    assert.deepEqual(parseGroupFilter('externalId eq "e1" and members[value eq "u1"]'), {
      externalId: 'e1',
      memberId: 'u1',
    });
    assert.deepEqual(parseGroupFilter('ID EQ "g1"'), { id: 'g1' });
    assert.deepEqual(parseGroupFilter('members.value eq "u2"'), { memberId: 'u2' });
  });

  for (const filter of [
    'displayName sw "E"',
    'displayName eq "a" or id eq "b"',
    'constructor eq "x"',
    'not (id eq "x")',
  ]) {
    it(`refuses ${filter} with invalidFilter`, () => {
      assert.throws(
        () => parseGroupFilter(filter),
        (error: unknown) => error instanceof ScimError && error.scimType === 'invalidFilter',
      );
    });
  }
});
