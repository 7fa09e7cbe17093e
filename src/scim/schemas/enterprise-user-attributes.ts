// The Enterprise User extension (RFC 7643 §4.3, §8.7.2). Entra ID sends it on create; in a
// resource it lives under the ENTERPRISE_USER_SCHEMA key.

import type { AttributeDefinition } from './attribute-definition.ts';
import { defineAttribute as attr } from './attribute-definition.ts';

export const ENTERPRISE_USER_ATTRIBUTES: readonly AttributeDefinition[] = [
  attr('employeeNumber', 'string', 'A string identifier of the user, assigned by the organization.'),
  attr('costCenter', 'string', 'The name of a cost center.'),
  attr('organization', 'string', 'The name of an organization.'),
  attr('division', 'string', 'The name of a division.'),
  attr('department', 'string', 'The name of a department.'),
  attr('manager', 'complex', "The user's manager.", {
    subAttributes: [
      attr('value', 'string', 'The id of the SCIM resource representing the manager.'),
      attr('$ref', 'reference', 'The URI of the SCIM resource representing the manager.', {
        referenceTypes: ['User'],
      }),
      // RFC 7643 §4.3: the manager's displayName is derived by the service provider.
      attr('displayName', 'string', 'The display name of the manager.', { mutability: 'readOnly' }),
    ],
  }),
];
