// The secrets of one-time links stay out of the server logs (even at trace level) and out of the
// database, which holds only their hashes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createInvitation } from '../../src/accounts/invitations.ts';
import { createPasswordReset } from '../../src/accounts/passwords.ts';
import { createSetupLink } from '../../src/accounts/setup-links.ts';
import { CLI_ACTOR } from '../../src/audit/actor.ts';
import { hashToken } from '../../src/auth/token-format.ts';
import { loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/http/create-app.ts';
import { linkUrl } from '../../src/web/link-paths.ts';
import { captureLogs } from '../helpers/log-capture.ts';
import { initTestOrganization } from '../helpers/seed.ts';
import { openTestStore } from '../helpers/stores.ts';

describe('link secrecy (sqlite)', () => {
  it('never logs a link secret, and stores only its hash', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    const { logger, lines } = captureLogs('trace');
    const app = createApp(loadConfig({ PUBLIC_URL: 'https://roster.test' }), store, { logger });
    try {
      const init = await initTestOrganization(store);
      const organizationId = init.organization.id;
      const invitation = await createInvitation(store, {
        organizationId,
        email: 'new@example.com',
        role: 'member',
        actor: CLI_ACTOR,
      });
      const reset = await createPasswordReset(store, { userId: init.user.id, actor: CLI_ACTOR });
      const setup = await createSetupLink(store, { organizationId, actor: CLI_ACTOR });
      assert.ok(reset);
      const links = [
        linkUrl('https://roster.test', 'invitation', invitation.secret),
        linkUrl('https://roster.test', 'passwordReset', reset.secret),
        linkUrl('https://roster.test', 'setupLink', setup.secret),
      ];
      for (const link of links) {
        const path = new URL(link).pathname;
        assert.equal((await app.inject({ url: path })).statusCode, 200, path);
        // A form posted without its CSRF token: refused, and logged as such.
        assert.equal((await app.inject({ method: 'POST', url: path })).statusCode, 403, path);
      }
      const logged = lines.join('\n');
      assert.match(logged, /\[redacted\]/);
      for (const secret of [invitation.secret, reset.secret, setup.secret]) {
        assert.ok(!logged.includes(secret), 'a link secret reached the log');
      }
      const stored = JSON.stringify([
        await store.db.selectFrom('invitations').selectAll().execute(),
        await store.db.selectFrom('password_resets').selectAll().execute(),
        await store.db.selectFrom('setup_links').selectAll().execute(),
      ]);
      for (const secret of [invitation.secret, reset.secret, setup.secret]) {
        assert.ok(!stored.includes(secret), 'a link secret is stored');
        assert.ok(stored.includes(hashToken(secret)), 'its hash is stored');
      }
    } finally {
      await app.close();
      await cleanup();
    }
  });
});
