// Okta's "import users" (and an admin's export script): the whole organization read in pages of 100,
// `GET /Users?startIndex=…&count=100` from the first page to the last. Each connection takes the
// next page in turn and starts over after the last, so every page of the organization is read,
// not the same few. Also the way the from-empty phase learns the members' ids, for Okta's
// deactivations.
import type { RequestSpec } from 'autocannon';
import { type Measurement, measure, oktaHeaders, type ScenarioTarget, USERS } from './scenarios.ts';

export const PAGE_SIZE = 100;

function pagePath(startIndex: number): string {
  return `${USERS}?startIndex=${startIndex}&count=${PAGE_SIZE}`;
}

/** The pages of `members` members, each connection taking the next, round and round. */
function nextPages(members: number): RequestSpec {
  const pages = Math.max(1, Math.ceil(members / PAGE_SIZE));
  let next = 0;
  return {
    method: 'GET',
    setupRequest(request) {
      const page = next % pages;
      next += 1;
      return { ...request, path: pagePath(1 + page * PAGE_SIZE) };
    },
  };
}

/** The import, measured like the other scenarios (drained, warmed up, `target.seconds`): pages/s is req/s. */
export async function importScenario(target: ScenarioTarget, label: string): Promise<Measurement> {
  return measure(target, label, target.seconds, [nextPages(target.members)]);
}

/**
 * Up to `wanted` members' ids (never the first member, the Admin, whom a deactivation would leave
 * the organization without), read as an import reads them: pages of 100, spread over the whole
 * organization.
 */
export async function sampleMemberIds(target: ScenarioTarget, wanted: number): Promise<string[]> {
  const pages = Math.max(1, Math.ceil(target.members / PAGE_SIZE));
  const step = Math.max(1, Math.floor(pages / Math.ceil(wanted / PAGE_SIZE)));
  const ids: string[] = [];
  for (let page = 0; page < pages && ids.length < wanted; page += step) {
    const response = await fetch(`${target.baseUrl}${pagePath(1 + page * PAGE_SIZE)}`, {
      headers: oktaHeaders(target),
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`page ${page + 1} answered ${response.status}: ${text}`);
    const body = JSON.parse(text) as { Resources: { id: string; userName: string }[] };
    for (const resource of body.Resources) {
      if (page === 0 && resource === body.Resources[0]) continue;
      ids.push(resource.id);
    }
  }
  return ids.slice(0, wanted);
}
