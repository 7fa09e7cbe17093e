import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resourceTypeById, resourceTypes } from './resource-types.ts';
import type { SchemaAttributeDocument } from './schema-documents.ts';
import { schemaById, schemas } from './schema-documents.ts';
import { serviceProviderConfig } from './service-provider-config.ts';
import {
  ENTERPRISE_USER_SCHEMA,
  GROUP_SCHEMA,
  OKTA_ENTITLEMENT_SCHEMA,
  OKTA_ROLE_SCHEMA,
  RESOURCE_TYPE_SCHEMA,
  SCHEMA_SCHEMA,
  SERVICE_PROVIDER_CONFIG_SCHEMA,
  USER_SCHEMA,
} from './urns.ts';

const BASE = 'https://roster.example/scim/v2';

function attribute(list: readonly SchemaAttributeDocument[] | undefined, name: string) {
  const found = list?.find((a) => a.name === name);
  assert.ok(found, `attribute ${name} is listed`);
  return found;
}

describe('serviceProviderConfig', () => {
  const config = serviceProviderConfig(BASE);

  it('says what Roster supports: patch, filter, sort, etag', () => {
    assert.deepEqual(config.patch, { supported: true });
    assert.deepEqual(config.filter, { supported: true, maxResults: 200 });
    assert.deepEqual(config.sort, { supported: true });
    assert.deepEqual(config.etag, { supported: true });
  });

  it('says what Roster does not support: bulk and changePassword', () => {
    assert.deepEqual(config.bulk, { supported: false, maxOperations: 0, maxPayloadSize: 0 });
    assert.deepEqual(config.changePassword, { supported: false });
  });

  it('takes maxResults from the caller', () => {
    assert.equal(serviceProviderConfig(BASE, { maxResults: 50 }).filter.maxResults, 50);
  });

  it('declares one primary OAuth bearer token scheme mentioning Roster tokens', () => {
    assert.equal(config.authenticationSchemes.length, 1);
    const [scheme] = config.authenticationSchemes;
    assert.equal(scheme?.type, 'oauthbearertoken');
    assert.equal(scheme?.name, 'OAuth Bearer Token');
    assert.equal(scheme?.primary, true);
    assert.match(scheme?.description ?? '', /personal access token/);
    assert.match(scheme?.description ?? '', /service access token/);
  });

  it('has its schema and meta, with a location under the base URL (trailing slash ignored)', () => {
    assert.deepEqual(config.schemas, [SERVICE_PROVIDER_CONFIG_SCHEMA]);
    assert.deepEqual(serviceProviderConfig(`${BASE}/`).meta, {
      resourceType: 'ServiceProviderConfig',
      location: `${BASE}/ServiceProviderConfig`,
    });
  });
});

describe('resourceTypes', () => {
  it('lists User first, with the optional enterprise extension', () => {
    const types = resourceTypes(BASE);
    assert.deepEqual(
      types.map((t) => t.id),
      ['User', 'Group', 'Role', 'Workspace'],
    );
    const [user] = types;
    assert.equal(user?.endpoint, '/Users');
    assert.equal(user?.schema, USER_SCHEMA);
    assert.deepEqual(user?.schemaExtensions, [{ schema: ENTERPRISE_USER_SCHEMA, required: false }]);
    assert.deepEqual(user?.schemas, [RESOURCE_TYPE_SCHEMA]);
    assert.deepEqual(user?.meta, { resourceType: 'ResourceType', location: `${BASE}/ResourceTypes/User` });
  });

  it('advertises Groups at /Groups with the core Group schema and no extension', () => {
    const group = resourceTypeById(BASE, 'group');
    assert.equal(group?.endpoint, '/Groups');
    assert.equal(group?.schema, GROUP_SCHEMA);
    assert.deepEqual(group?.schemaExtensions, []);
  });

  // Okta, "Build a SCIM 2.0 server with entitlements", "ResourceTypes": Okta reads every resource
  // type whose schema is its Role or Entitlement URN and lists the values at its `endpoint`; an
  // entitlement's `type` is the resource type's `name`.
  it("advertises the organization's roles at /Roles under Okta's Role schema", () => {
    assert.deepEqual(resourceTypeById(BASE, 'role'), {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: 'Role',
      name: 'Role',
      endpoint: '/Roles',
      description: "The organization's roles (Admin, Member), assigned to Users as roles[].value.",
      schema: OKTA_ROLE_SCHEMA,
      schemaExtensions: [],
      meta: { resourceType: 'ResourceType', location: `${BASE}/ResourceTypes/Role` },
    });
  });

  it("advertises workspaces at /Workspaces under Okta's Entitlement schema, named Workspace", () => {
    const workspace = resourceTypeById(BASE, 'WORKSPACE');
    assert.equal(workspace?.name, 'Workspace');
    assert.equal(workspace?.endpoint, '/Workspaces');
    assert.equal(workspace?.schema, OKTA_ENTITLEMENT_SCHEMA);
    assert.deepEqual(workspace?.schemaExtensions, []);
  });

  it('finds User by id in any case', () => {
    assert.equal(resourceTypeById(BASE, 'user')?.id, 'User');
  });
});

describe('schemas', () => {
  const documents = schemas(BASE);

  it("lists the User, Enterprise User and Group schemas and Okta's Role and Entitlement, with Schema meta", () => {
    assert.deepEqual(
      documents.map((d) => d.id),
      [USER_SCHEMA, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, OKTA_ROLE_SCHEMA, OKTA_ENTITLEMENT_SCHEMA],
    );
    for (const document of documents) {
      assert.deepEqual(document.schemas, [SCHEMA_SCHEMA]);
      assert.deepEqual(document.meta, { resourceType: 'Schema', location: `${BASE}/Schemas/${document.id}` });
    }
  });

  it('finds a schema by id, case-insensitively, and nothing for an unknown id', () => {
    assert.equal(schemaById(BASE, USER_SCHEMA.toLowerCase())?.name, 'User');
    assert.equal(schemaById(BASE, ENTERPRISE_USER_SCHEMA)?.name, 'EnterpriseUser');
    assert.equal(schemaById(BASE, 'urn:ietf:params:scim:schemas:core:2.0:group')?.name, 'Group');
    assert.equal(schemaById(BASE, 'urn:okta:scim:schemas:core:1.0:role')?.name, 'Role');
    assert.equal(schemaById(BASE, 'urn:okta:scim:schemas:core:1.0:License'), undefined);
  });

  // Okta's "Entitlements schema" and "Roles schema" tables: id and displayName required, type for
  // an entitlement, description optional; `id` is common to every resource (RFC 7643 §3.1).
  it("describes Okta's Role and Entitlement attributes as read-only", () => {
    const role = schemaById(BASE, OKTA_ROLE_SCHEMA)?.attributes;
    assert.deepEqual(
      role?.map((a) => [a.name, a.required, a.mutability]),
      [
        ['displayName', true, 'readOnly'],
        ['description', false, 'readOnly'],
      ],
    );
    const entitlement = schemaById(BASE, OKTA_ENTITLEMENT_SCHEMA)?.attributes;
    assert.deepEqual(
      entitlement?.map((a) => [a.name, a.required, a.mutability]),
      [
        ['displayName', true, 'readOnly'],
        ['type', true, 'readOnly'],
        ['description', false, 'readOnly'],
      ],
    );
    assert.deepEqual(attribute(entitlement, 'type').canonicalValues, ['Workspace']);
  });

  it('describes userName as Roster treats it: required, server-unique, not caseExact', () => {
    const userName = attribute(schemaById(BASE, USER_SCHEMA)?.attributes, 'userName');
    assert.equal(userName.required, true);
    assert.equal(userName.uniqueness, 'server');
    assert.equal(userName.caseExact, false);
    assert.equal(userName.mutability, 'readWrite');
  });

  it('lists password as writeOnly and never returned', () => {
    const password = attribute(schemaById(BASE, USER_SCHEMA)?.attributes, 'password');
    assert.equal(password.mutability, 'writeOnly');
    assert.equal(password.returned, 'never');
  });

  it('makes groups read-only, down to its sub-attributes', () => {
    const groups = attribute(schemaById(BASE, USER_SCHEMA)?.attributes, 'groups');
    assert.equal(groups.mutability, 'readOnly');
    assert.equal(groups.multiValued, true);
    assert.ok(groups.subAttributes?.every((sub) => sub.mutability === 'readOnly'));
  });

  it("makes roles and entitlements the IdP's to write, entitlements of type Workspace", () => {
    const attributes = schemaById(BASE, USER_SCHEMA)?.attributes;
    for (const name of ['roles', 'entitlements']) {
      const found = attribute(attributes, name);
      assert.equal(found.mutability, 'readWrite');
      assert.equal(found.multiValued, true);
    }
    const entitlements = attribute(attributes, 'entitlements');
    assert.deepEqual(attribute(entitlements.subAttributes, 'type').canonicalValues, ['Workspace']);
  });

  it('lists every core User attribute of RFC 7643 §4.1 with its sub-attributes', () => {
    const attributes = schemaById(BASE, USER_SCHEMA)?.attributes;
    const names = attributes?.map((a) => a.name);
    assert.deepEqual(names, [
      'userName',
      'name',
      'displayName',
      'nickName',
      'profileUrl',
      'title',
      'userType',
      'preferredLanguage',
      'locale',
      'timezone',
      'active',
      'password',
      'emails',
      'phoneNumbers',
      'ims',
      'photos',
      'addresses',
      'groups',
      'entitlements',
      'roles',
      'x509Certificates',
    ]);
    const emails = attribute(attributes, 'emails');
    assert.deepEqual(
      emails.subAttributes?.map((s) => s.name),
      ['value', 'display', 'type', 'primary'],
    );
    assert.deepEqual(attribute(emails.subAttributes, 'type').canonicalValues, ['work', 'home', 'other']);
    assert.equal(attribute(emails.subAttributes, 'primary').type, 'boolean');
    assert.equal(attribute(attribute(attributes, 'x509Certificates').subAttributes, 'value').type, 'binary');
    assert.equal(attribute(attributes, 'profileUrl').type, 'reference');
    assert.deepEqual(
      attribute(attributes, 'name').subAttributes?.map((s) => s.name),
      ['formatted', 'familyName', 'givenName', 'middleName', 'honorificPrefix', 'honorificSuffix'],
    );
  });

  it('lists the Enterprise User attributes, with a read-only manager displayName', () => {
    const attributes = schemaById(BASE, ENTERPRISE_USER_SCHEMA)?.attributes;
    assert.deepEqual(
      attributes?.map((a) => a.name),
      ['employeeNumber', 'costCenter', 'organization', 'division', 'department', 'manager'],
    );
    const manager = attribute(attributes, 'manager');
    assert.deepEqual(
      manager.subAttributes?.map((s) => [s.name, s.mutability]),
      [
        ['value', 'readWrite'],
        ['$ref', 'readWrite'],
        ['displayName', 'readOnly'],
      ],
    );
  });

  it('gives every attribute all the characteristics of RFC 7643 §7', () => {
    const check = (a: SchemaAttributeDocument) => {
      for (const key of [
        'name',
        'type',
        'multiValued',
        'description',
        'required',
        'caseExact',
        'mutability',
        'returned',
        'uniqueness',
      ]) {
        assert.ok(key in a, `${a.name} has ${key}`);
      }
      for (const sub of a.subAttributes ?? []) check(sub);
    };
    for (const document of documents) for (const a of document.attributes) check(a);
  });
});
