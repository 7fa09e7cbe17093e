import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auditSnapshot, loadMember, memberDocument } from './loaded-member.ts';
import { newMemberRow } from './member-row.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const JANE = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  id: 'from-the-client',
  active: true,
  userName: 'Jane.Doe@acme.test',
  externalId: '00u1',
  displayName: 'Jane Doe',
  nickName: null,
  name: { givenName: 'Jane', familyName: 'Doe' },
  emails: [
    { value: 'jane.doe@acme.test', type: 'work', primary: true },
    { value: '', type: 'home' },
    { value: 'jane@home.test' },
  ],
  [ENTERPRISE]: { department: 'Sales' },
};

describe('newMemberRow', () => {
  it('derives the columns and the email index from the document, keeping no server-owned attribute', () => {
    const { row, emails, profile } = newMemberRow({
      organizationId: 'org-1',
      userId: 'user-1',
      seq: 7,
      document: JANE,
      source: 'scim',
      role: 'member',
      at: '2024-01-01T00:00:00.000Z',
    });
    assert.deepEqual(
      {
        user_name: row.user_name,
        external_id: row.external_id,
        display_name: row.display_name,
        given_name: row.given_name,
        family_name: row.family_name,
      },
      {
        user_name: 'Jane.Doe@acme.test',
        external_id: '00u1',
        display_name: 'Jane Doe',
        given_name: 'Jane',
        family_name: 'Doe',
      },
    );
    assert.deepEqual(JSON.parse(row.profile), profile);
    for (const key of ['schemas', 'id', 'active', 'nickName']) assert.equal(key in profile, false, key);
    assert.deepEqual(emails, [
      { value: 'jane.doe@acme.test', type: 'work', primary: true },
      { value: 'jane@home.test', type: null, primary: false },
    ]);
    assert.deepEqual(
      {
        organization_id: row.organization_id,
        user_id: row.user_id,
        seq: row.seq,
        role: row.role,
        previous_role: row.previous_role,
        status: row.status,
        source: row.source,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
        deactivated_at: row.deactivated_at,
      },
      {
        organization_id: 'org-1',
        user_id: 'user-1',
        seq: 7,
        role: 'member',
        previous_role: null,
        status: 'active',
        source: 'scim',
        version: 1,
        created_at: '2024-01-01T00:00:00.000Z',
        updated_at: '2024-01-01T00:00:00.000Z',
        deactivated_at: null,
      },
    );
  });

  it('creates a deactivated member with no role, keeping the role as the one to get back', () => {
    const { row } = newMemberRow({
      organizationId: 'org-1',
      userId: 'user-1',
      seq: 1,
      document: { userName: 'leaver@acme.test' },
      source: 'scim',
      role: 'admin',
      active: false,
      at: '2024-01-02T00:00:00.000Z',
    });
    assert.equal(row.status, 'deactivated');
    assert.equal(row.role, null);
    assert.equal(row.previous_role, 'admin');
    assert.equal(row.deactivated_at, '2024-01-02T00:00:00.000Z');
  });

  it('gives every row its own id unless one is given', () => {
    const input = {
      organizationId: 'o',
      userId: 'u',
      seq: 1,
      document: { userName: 'a' },
      source: 'cli' as const,
      role: 'admin' as const,
    };
    assert.notEqual(newMemberRow(input).row.id, newMemberRow(input).row.id);
    assert.equal(newMemberRow({ ...input, id: 'mem-a' }).row.id, 'mem-a');
  });
});

describe('a loaded member', () => {
  const created = newMemberRow({
    organizationId: 'org-1',
    userId: 'user-1',
    seq: 1,
    document: JANE,
    source: 'scim',
    role: 'admin',
  });
  const { row } = created;

  it('is the row with its profile parsed: the profile the factory stored', () => {
    const member = loadMember(row);
    assert.equal(member.row, row);
    assert.deepEqual(member.profile, created.profile);
  });

  it('parses the profile when first read, and only once', () => {
    const unreadable = loadMember({ ...row, profile: '{not json' });
    assert.equal(unreadable.row.profile, '{not json');
    assert.throws(() => unreadable.profile, SyntaxError);
    const member = loadMember(row);
    assert.equal(member.profile, member.profile);
  });

  it('shows its IdP view with userName and active from the row, as a new object each time', () => {
    const member = loadMember({ ...row, user_name: 'jane.doe@acme.test', status: 'deactivated', role: null });
    const document = memberDocument(member);
    assert.equal(document.userName, 'jane.doe@acme.test');
    assert.equal(document.active, false);
    assert.equal(document.displayName, 'Jane Doe');
    assert.notEqual(memberDocument(member), document);
    document.displayName = 'Changed';
    assert.equal(member.profile.displayName, 'Jane Doe');
  });

  it('audits its IdP view with its role and status', () => {
    const snapshot = auditSnapshot(loadMember(row));
    assert.equal(snapshot.role, 'admin');
    assert.equal(snapshot.previousRole, null);
    assert.equal(snapshot.status, 'active');
    assert.equal(snapshot.userName, 'Jane.Doe@acme.test');
  });
});
