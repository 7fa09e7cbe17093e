// Running tests against a store. A store contract test (test/store/store-contract*.test.ts) gets its own
// freshly migrated database, which lets the tests of a group run side by side. Use-case and HTTP
// tests may share one store per suite and keep apart by each using its own organization: on
// PostgreSQL every fresh schema costs a full migration, and migrations are serialized.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { UniqueViolationError } from '../../src/store/errors.ts';
import { newId, now } from '../../src/store/ids.ts';
import type { NewAuditEvent } from '../../src/store/repos/audit.ts';
import type { ServiceTokenRecord } from '../../src/store/repos/tokens.ts';
import type { Store } from '../../src/store/store.ts';
import { openTestStore, type StoreKind } from './stores.ts';

/** How many tests of one group run at once. */
export const PARALLEL = { concurrency: 4 };

/** `it`, with a fresh migrated store of `kind` made before and dropped after the test. */
export function storeTestOn(kind: StoreKind) {
  return (name: string, body: (store: Store) => Promise<void>) =>
    it(name, async () => {
      const { store, cleanup } = await openTestStore(kind);
      try {
        await body(store);
      } finally {
        await cleanup();
      }
    });
}

/**
 * One migrated store of `kind` for every test of the enclosing suite, opened before its first test
 * and dropped after its last. Call it at the top of a `describe`; the result gives the store.
 */
export function useSharedStore(kind: StoreKind): () => Store {
  let opened: Awaited<ReturnType<typeof openTestStore>> | undefined;
  before(async () => {
    opened = await openTestStore(kind);
  });
  after(async () => {
    await opened?.cleanup();
  });
  return () => {
    if (!opened) throw new Error('the shared store is not open yet');
    return opened.store;
  };
}

/** The driver's own unique-violation error, untranslated: what a write outside `transaction` throws. */
export function isRawUniqueViolation(store: Store) {
  return (error: unknown) => {
    assert.ok(!(error instanceof UniqueViolationError), 'a write outside transaction() is not translated');
    const code = (error as { code?: string }).code;
    assert.equal(code, store.dialect.name === 'sqlite' ? 'SQLITE_CONSTRAINT_UNIQUE' : '23505');
    return true;
  };
}

/** The store's translated error, naming the violated constraint. */
export function isUniqueViolation(constraint: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof UniqueViolationError, `expected UniqueViolationError, got ${String(error)}`);
    assert.match(error.constraint, constraint);
    return true;
  };
}

export function tokenRecord(
  organizationId: string,
  overrides: Partial<ServiceTokenRecord> = {},
): ServiceTokenRecord {
  const hash = newId().replaceAll('-', '');
  return {
    id: newId(),
    organization_id: organizationId,
    name: 'okta',
    role: 'admin',
    token_hash: hash,
    last_four: hash.slice(-4),
    created_at: now(),
    expires_at: null,
    last_used_at: null,
    revoked_at: null,
    ...overrides,
  };
}

export function auditEvent(organizationId: string, overrides: Partial<NewAuditEvent> = {}): NewAuditEvent {
  return {
    organization_id: organizationId,
    occurred_at: now(),
    actor_type: 'cli',
    actor_id: null,
    actor_label: 'roster CLI',
    action: 'test.happened',
    target_type: 'organization',
    target_id: organizationId,
    target_label: null,
    before: null,
    after: null,
    request_id: null,
    ...overrides,
  };
}
