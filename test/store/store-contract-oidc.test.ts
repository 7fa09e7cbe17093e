// The store contract for the OpenID Connect provider, run against SQLite and PostgreSQL alike: the
// adapter oidc-provider calls (upsert, find, findByUid, findByUserCode, consume, destroy,
// revokeByGrantId, expiry), apps read as clients (a revoked one is gone), the keys (made once
// whoever asks first, rotated with the old ones still published), and a membership's revocation
// with the back-channel logout notices it queues, claimed by one deliverer at a time.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { AdapterPayload } from 'oidc-provider';
import { createApp, revokeApp } from '../../src/accounts/apps.ts';
import { loadProviderKeys, RETIRED_KEYS_KEPT_MS, rotateProviderKeys } from '../../src/oidc/signing-keys.ts';
import { storeAdapter } from '../../src/oidc/store-adapter.ts';
import type { Store } from '../../src/store/store.ts';
import { addMember, insertOrganization } from '../helpers/seed.ts';
import { PARALLEL, storeTestOn } from '../helpers/store-tests.ts';
import { STORE_KINDS, skipReason } from '../helpers/stores.ts';

function adapter(store: Store, kind: string) {
  const Adapter = storeAdapter(store);
  return new Adapter(kind);
}

/** A session of `accountId` that signed in to `clientId` under `grantId`, as oidc-provider stores it. */
async function saveSession(
  store: Store,
  id: string,
  accountId: string,
  authorizations: Record<string, object>,
) {
  await adapter(store, 'Session').upsert(
    id,
    { uid: `uid-${id}`, accountId, authorizations } as AdapterPayload,
    3600,
  );
}

for (const kind of STORE_KINDS) {
  describe(`the store contract: OpenID Connect (${kind})`, { skip: skipReason(kind), ...PARALLEL }, () => {
    const storeTest = storeTestOn(kind);

    storeTest(
      'keeps a model by id, finds it by uid and user code, and replaces it on upsert',
      async (store) => {
        const codes = adapter(store, 'AuthorizationCode');
        await codes.upsert(
          'c1',
          { grantId: 'g1', accountId: 'u1', clientId: 'app', uid: 'x1', userCode: 'UC-1' } as AdapterPayload,
          60,
        );
        assert.deepEqual(await codes.find('c1'), {
          grantId: 'g1',
          accountId: 'u1',
          clientId: 'app',
          uid: 'x1',
          userCode: 'UC-1',
        });
        assert.equal((await codes.findByUid('x1'))?.grantId, 'g1');
        assert.equal((await codes.findByUserCode('UC-1'))?.grantId, 'g1');
        assert.equal(
          await adapter(store, 'AccessToken').find('c1'),
          undefined,
          'models are kept apart by kind',
        );
        await codes.upsert('c1', { grantId: 'g2', accountId: 'u1', clientId: 'app' } as AdapterPayload, 60);
        assert.equal((await codes.find('c1'))?.grantId, 'g2');
        assert.equal(await codes.findByUid('x1'), undefined, 'the uid went with the old payload');
        const rows = await store.db.selectFrom('oidc_models').select('id').execute();
        assert.equal(rows.length, 1);
      },
    );

    storeTest('marks a consumed model, once, and forgets expired ones', async (store) => {
      const codes = adapter(store, 'AuthorizationCode');
      await codes.upsert('c1', { grantId: 'g1' } as AdapterPayload, 60);
      assert.equal((await codes.find('c1'))?.consumed, undefined);
      await codes.consume('c1');
      const first = (await codes.find('c1'))?.consumed;
      assert.equal(typeof first, 'number');
      await codes.consume('c1');
      assert.equal((await codes.find('c1'))?.consumed, first, 'the first use stays the one recorded');

      await codes.upsert('old', { grantId: 'g1' } as AdapterPayload, 60);
      await store.db
        .updateTable('oidc_models')
        .set({ expires_at: '2000-01-01T00:00:00.000Z' })
        .where('id', '=', 'old')
        .execute();
      assert.equal(await codes.find('old'), undefined, 'an expired model is not found');
      assert.equal(await store.oidc.deleteExpired(new Date().toISOString()), 1);
      assert.ok(await codes.find('c1'));
    });

    storeTest('destroys one model, and revokes every token of a grant', async (store) => {
      const codes = adapter(store, 'AuthorizationCode');
      const refresh = adapter(store, 'RefreshToken');
      await codes.upsert('c1', { grantId: 'g1' } as AdapterPayload, 60);
      await refresh.upsert('r1', { grantId: 'g1' } as AdapterPayload, 600);
      await refresh.upsert('r2', { grantId: 'g2' } as AdapterPayload, 600);
      await codes.destroy('c1');
      assert.equal(await codes.find('c1'), undefined);
      await refresh.revokeByGrantId('g1');
      assert.equal(await refresh.find('r1'), undefined);
      assert.ok(await refresh.find('r2'), 'another grant keeps its tokens');
    });

    storeTest('reads apps as clients with their secret hashed, and not once revoked', async (store) => {
      const app = await createApp(store, {
        name: 'Product',
        redirectUris: ['https://product.example/callback'],
        backchannelLogoutUri: 'https://product.example/logout',
      });
      const clients = adapter(store, 'Client');
      const metadata = await clients.find(app.clientId);
      assert.equal(metadata?.client_id, app.clientId);
      assert.deepEqual(metadata?.redirect_uris, ['https://product.example/callback']);
      assert.equal(metadata?.backchannel_logout_uri, 'https://product.example/logout');
      assert.notEqual(metadata?.client_secret, app.clientSecret, 'only the hash is stored');
      assert.match(String(metadata?.client_secret), /^[0-9a-f]{64}$/);
      const stored = JSON.stringify(await store.db.selectFrom('oidc_clients').selectAll().execute());
      assert.ok(!stored.includes(app.clientSecret));
      await adapter(store, 'RefreshToken').upsert(
        'r1',
        { grantId: 'g', clientId: app.clientId } as AdapterPayload,
        600,
      );
      await revokeApp(store, app.clientId);
      assert.equal(await clients.find(app.clientId), undefined);
      assert.equal(
        await adapter(store, 'RefreshToken').find('r1'),
        undefined,
        "a revoked app's tokens are gone",
      );
      await assert.rejects(clients.upsert(app.clientId, {} as AdapterPayload, 0));
    });

    storeTest('makes the keys once, whoever asks first, and the same for every reader', async (store) => {
      const [a, b] = await Promise.all([loadProviderKeys(store), loadProviderKeys(store)]);
      assert.equal(a.fingerprint, b.fingerprint);
      assert.equal(a.signing.length, 1);
      assert.equal(a.signing[0]?.kid, b.signing[0]?.kid);
      assert.equal(a.signing[0]?.alg, 'RS256');
      assert.ok(a.signing[0]?.d, 'a private key');
      assert.equal(a.cookie.length, 1);
      assert.equal((await store.oidc.listKeys('signing')).length, 1);
    });

    storeTest('rotates: the new key signs, the old stays published until a later rotation', async (store) => {
      const first = await loadProviderKeys(store);
      const rotation = await rotateProviderKeys(store);
      const second = await loadProviderKeys(store);
      assert.notEqual(second.fingerprint, first.fingerprint);
      assert.equal(second.signing[0]?.kid, rotation.kid, 'the newest signs');
      assert.deepEqual(
        second.signing.map((key) => key.kid),
        [rotation.kid, first.signing[0]?.kid],
      );
      const later = new Date(Date.now() + RETIRED_KEYS_KEPT_MS + 60_000);
      const third = await rotateProviderKeys(store, later);
      assert.equal(third.pruned, 2, 'the first signing key and cookie secret are dropped');
      const keys = await loadProviderKeys(store);
      assert.deepEqual(
        keys.signing.map((key) => key.kid),
        [third.kid, rotation.kid],
      );
    });

    storeTest(
      "revokes a membership's grants and tokens, and queues a logout for the apps that listen",
      async (store) => {
        const organization = await insertOrganization(store);
        const { member, user } = await addMember(store, organization.id);
        const other = await addMember(store, organization.id);
        const listening = await createApp(store, {
          name: 'Listens',
          redirectUris: ['https://a.example/cb'],
          backchannelLogoutUri: 'https://a.example/logout',
        });
        const silent = await createApp(store, { name: 'Silent', redirectUris: ['https://b.example/cb'] });
        const grants = adapter(store, 'Grant');
        const refresh = adapter(store, 'RefreshToken');
        for (const [grantId, clientId, accountId] of [
          ['g-a', listening.clientId, user.id],
          ['g-b', silent.clientId, user.id],
          ['g-other', listening.clientId, other.user.id],
        ] as const) {
          await grants.upsert(grantId, { accountId, clientId } as AdapterPayload, 600);
          await store.oidc.bindGrant(grantId, grantId === 'g-other' ? other.member.id : member.id);
          await refresh.upsert(`r-${grantId}`, { grantId, accountId, clientId } as AdapterPayload, 600);
        }
        await saveSession(store, 's1', user.id, {
          [listening.clientId]: { sid: 'sid-a', grantId: 'g-a' },
          [silent.clientId]: { sid: 'sid-b', grantId: 'g-b' },
        });
        assert.equal(await store.oidc.grantMembership('g-a'), member.id);

        const at = new Date().toISOString();
        assert.equal(await store.transaction((tx) => tx.oidc.revokeMembership(member.id, at)), 2);
        assert.equal(await grants.find('g-a'), undefined);
        assert.equal(await refresh.find('r-g-a'), undefined);
        assert.equal(await refresh.find('r-g-b'), undefined);
        assert.ok(await refresh.find('r-g-other'), "another member's tokens stay");
        const notices = await store.db.selectFrom('oidc_logout_notices').selectAll().execute();
        assert.deepEqual(
          notices.map((n) => [n.client_id, n.account_id, n.sid]),
          [[listening.clientId, user.id, 'sid-a']],
        );
        assert.equal(
          await store.transaction((tx) => tx.oidc.revokeMembership(member.id, at)),
          0,
          'nothing left',
        );

        const lease = new Date(Date.now() + 60_000).toISOString();
        const [first, second] = await Promise.all([
          store.oidc.claimLogoutNotices(at, lease, 10),
          store.oidc.claimLogoutNotices(at, lease, 10),
        ]);
        assert.equal((first?.length ?? 0) + (second?.length ?? 0), 1, 'one deliverer claims a notice');
        assert.equal((await store.oidc.claimLogoutNotices(at, lease, 10)).length, 0, 'leased');
        await store.oidc.retryLogoutNotice(notices[0]?.id ?? '', 1, at);
        assert.equal((await store.oidc.claimLogoutNotices(at, lease, 10))[0]?.attempts, 1);
        await store.oidc.deleteLogoutNotice(notices[0]?.id ?? '');
        assert.equal(await store.oidc.countLogoutNotices(), 0);
      },
    );
  });
}
