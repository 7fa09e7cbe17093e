// Migration 006 on an installation that already had SSO domains (claimed first-come under 003):
// every row stays, as its organization's unverified claim with a token of its own, so the SSO page
// can say what to verify; none routes anyone until verified. On SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Migrator, sql } from 'kysely';
import { migrationProvider } from '../../src/store/migrations/index.ts';
import { createTestDatabase, STORE_KINDS, skipReason } from '../helpers/stores.ts';

const AT = '2026-01-02T03:04:05.000Z';

for (const kind of STORE_KINDS) {
  describe(`migration 006-verified-domains (${kind})`, { skip: skipReason(kind) }, () => {
    it('keeps the domains saved before it as unverified claims with their own tokens, routing nobody', async () => {
      const database = await createTestDatabase(kind);
      const store = database.open();
      try {
        const migrator = new Migrator({ db: store.db, provider: migrationProvider(kind) });
        const upTo003 = await migrator.migrateTo('003-sso');
        assert.equal(upTo003.error, undefined);
        for (const [id, slug] of [
          ['org-1', 'acme'],
          ['org-2', 'globex'],
        ]) {
          await sql`insert into organizations (id, slug, name, default_role, member_seq, created_at, updated_at)
            values (${id}, ${slug}, ${slug}, 'member', 0, ${AT}, ${AT})`.execute(store.db);
        }
        for (const [domain, organizationId] of [
          ['acme.test', 'org-1'],
          ['acme.example', 'org-1'],
          ['gmail-like.test', 'org-2'],
        ]) {
          await sql`insert into sso_domains (domain, organization_id, created_at)
            values (${domain}, ${organizationId}, ${AT})`.execute(store.db);
        }

        await store.migrate();

        const acme = await store.sso.listDomainClaims('org-1');
        assert.deepEqual(
          acme.map((claim) => [claim.domain, claim.verified_at, claim.created_at]),
          [
            ['acme.example', null, AT],
            ['acme.test', null, AT],
          ],
        );
        const tokens = [...acme, ...(await store.sso.listDomainClaims('org-2'))].map(
          (claim) => claim.verification_token,
        );
        assert.equal(tokens.length, 3);
        for (const token of tokens) assert.match(token, /^[0-9a-f]{32}$/);
        assert.equal(new Set(tokens).size, 3, 'each claim has its own token');
        for (const domain of ['acme.test', 'acme.example', 'gmail-like.test']) {
          assert.equal(await store.sso.organizationIdForDomain(domain), undefined, `${domain} routes nobody`);
        }
      } finally {
        await store.close();
        await database.drop();
      }
    });
  });
}
