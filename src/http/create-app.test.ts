import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalUrl } from './create-app.ts';

describe('canonicalUrl', () => {
  const cases: [string, string][] = [
    // Already canonical (what Okta and Entra send on every lookup and change): unchanged.
    ['/scim/v2/Users', '/scim/v2/Users'],
    [
      '/scim/v2/Users?filter=userName%20eq%20%22a%2Fb%2F%22',
      '/scim/v2/Users?filter=userName%20eq%20%22a%2Fb%2F%22',
    ],
    ['/scim/v2/Users?startIndex=1&count=100&x=/', '/scim/v2/Users?startIndex=1&count=100&x=/'],
    [
      '/scim/v2/Users/0193a2b4-1c2d-7e3f-8a9b-0c1d2e3f4a5b',
      '/scim/v2/Users/0193a2b4-1c2d-7e3f-8a9b-0c1d2e3f4a5b',
    ],
    // Case and trailing slashes, as Entra's validator sends them.
    ['/scim/v2/users', '/scim/v2/Users'],
    ['/scim/v2/Users/', '/scim/v2/Users'],
    ['/scim/v2/Users//?count=1', '/scim/v2/Users?count=1'],
    ['/scim/v2/Users/abc/', '/scim/v2/Users/abc'],
    ['/SCIM/V2/USERS/abc?x=1', '/scim/v2/Users/abc?x=1'],
    ['/scim/v2/serviceproviderconfig', '/scim/v2/ServiceProviderConfig'],
    // Not a resource of ours: left to the router's 404.
    ['/scim/v2/Usersx', '/scim/v2/Usersx'],
    ['/api/v1/members/', '/api/v1/members'],
    ['/', '/'],
  ];
  for (const [url, expected] of cases) {
    it(`${url} → ${expected}`, () => assert.equal(canonicalUrl(url), expected));
  }
});
