import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NewScimRequest, ScimRequestRepo } from '../store/repos/scim-requests.ts';
import { batchWriter, SCIM_REQUESTS_KEPT } from './scim-request-log.ts';

/** A repository that records what the writer asks of it. */
function recordingRepo(options: { failInsert?: boolean } = {}) {
  const inserts: NewScimRequest[][] = [];
  const trims: string[] = [];
  const repo = {
    async insertMany(rows: readonly NewScimRequest[]) {
      if (options.failInsert) throw new Error('disk full');
      inserts.push([...rows]);
    },
    async trim(organizationId: string) {
      trims.push(organizationId);
      return 0;
    },
  } as unknown as ScimRequestRepo;
  return { repo, inserts, trims };
}

function request(organizationId: string, n: number): NewScimRequest {
  return {
    organization_id: organizationId,
    occurred_at: '2026-11-29T12:00:00.000Z',
    method: 'GET',
    path: `/scim/v2/Users/${n}`,
    status: 200,
    duration_ms: 1,
    user_agent: null,
    detail: null,
    request_id: null,
  };
}

/** A writer on a recording repository that fails the test at the end if any write failed. */
function writerOn(repo: ScimRequestRepo) {
  const errors: unknown[] = [];
  const writer = batchWriter(repo, (error) => errors.push(error));
  return {
    ...writer,
    async idle() {
      await writer.idle();
      assert.deepEqual(errors, []);
    },
  };
}

const pathsOf = (rows: readonly NewScimRequest[]) => rows.map((row) => row.path);
const paths = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `/scim/v2/Users/${from + i}`);

describe('the SCIM request log writer', () => {
  it('writes nothing before it is flushed, then every row gathered, oldest first', async () => {
    const { repo, inserts } = recordingRepo();
    const writer = writerOn(repo);
    for (let i = 0; i < 3; i++) writer.add(request('org-a', i));
    assert.equal(inserts.length, 0);
    await writer.idle();
    assert.deepEqual(inserts.map(pathsOf), [paths(0, 3)]);
  });

  it(`writes only the newest ${SCIM_REQUESTS_KEPT} rows of an organization, however many gathered`, async () => {
    for (const gathered of [SCIM_REQUESTS_KEPT + 1, 2 * SCIM_REQUESTS_KEPT, 5 * SCIM_REQUESTS_KEPT + 7]) {
      const { repo, inserts } = recordingRepo();
      const writer = writerOn(repo);
      for (let i = 0; i < gathered; i++) writer.add(request('org-a', i));
      await writer.idle();
      assert.deepEqual(
        inserts.flat().map((row) => row.path),
        paths(gathered - SCIM_REQUESTS_KEPT, gathered),
      );
    }
  });

  it("keeps each organization's newest rows apart, in INSERTs of at most 200 rows", async () => {
    const { repo, inserts } = recordingRepo();
    const writer = writerOn(repo);
    for (let i = 0; i < 3 * SCIM_REQUESTS_KEPT; i++) {
      writer.add(request('org-a', i));
      if (i % 3 === 0) writer.add(request('org-b', i));
    }
    await writer.idle();
    const written = inserts.flat();
    assert.ok(inserts.every((rows) => rows.length <= 200));
    const of = (organizationId: string) =>
      pathsOf(written.filter((row) => row.organization_id === organizationId));
    assert.deepEqual(of('org-a'), paths(2 * SCIM_REQUESTS_KEPT, 3 * SCIM_REQUESTS_KEPT));
    const b = Array.from({ length: SCIM_REQUESTS_KEPT }, (_, i) => `/scim/v2/Users/${3 * i}`);
    assert.deepEqual(of('org-b'), b);
  });

  it('trims each organization that a batch wrote to, after every batch', async () => {
    const { repo, trims } = recordingRepo();
    const writer = writerOn(repo);
    for (let i = 0; i < 24; i++) writer.add(request('org-a', i));
    writer.add(request('org-b', 0));
    await writer.idle();
    assert.deepEqual(trims.sort(), ['org-a', 'org-b']);
    writer.add(request('org-a', 24));
    await writer.idle();
    assert.deepEqual(trims.sort(), ['org-a', 'org-a', 'org-b']);
    await writer.idle();
    assert.equal(trims.length, 3, 'an empty batch trims nothing');
  });

  it('reports a failed write and drops its rows instead of retrying them', async () => {
    const { repo } = recordingRepo({ failInsert: true });
    const errors: unknown[] = [];
    const writer = batchWriter(repo, (error) => errors.push(error));
    writer.add(request('org-a', 0));
    await writer.idle();
    writer.add(request('org-a', 1));
    await writer.idle();
    assert.equal(errors.length, 2);
    assert.match(String(errors[0]), /disk full/);
  });
});
