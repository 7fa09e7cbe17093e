// OpenID Connect Back-Channel Logout 1.0 when Roster ends a person's access (deactivation): the
// transaction that deactivates a member queues a notice per app session (store/repos/oidc.ts,
// `revokeMembership`), and a listening instance delivers them — a Logout Token signed by the
// provider (oidc-provider's `backchannelLogout`, §2.4), POSTed to the app's
// `backchannel_logout_uri` (§2.5). A notice is claimed for LEASE_MS, so that two instances do not
// both send it, and retried with a growing delay when the app does not answer 200 (§2.8), up to
// MAX_ATTEMPTS. The person's grants and tokens are already gone: the notice only tells the app.
import type Provider from 'oidc-provider';
import type { Store } from '../store/store.ts';

const LEASE_MS = 60_000;
const BATCH = 50;
export const MAX_ATTEMPTS = 6;

/** Delivers the notices due now; returns how many were delivered. */
export async function deliverLogoutNotices(
  store: Store,
  providerOf: () => Promise<Provider>,
  log?: { warn(object: object, message: string): void },
): Promise<number> {
  const at = Date.now();
  const notices = await store.oidc.claimLogoutNotices(
    new Date(at).toISOString(),
    new Date(at + LEASE_MS).toISOString(),
    BATCH,
  );
  if (notices.length === 0) return 0;
  const provider = await providerOf();
  let delivered = 0;
  for (const notice of notices) {
    const client = await provider.Client.find(notice.client_id);
    if (!client?.backchannelLogoutUri) {
      await store.oidc.deleteLogoutNotice(notice.id);
      continue;
    }
    try {
      // Present in oidc-provider's Client (models/client.js), missing from its type definitions.
      const sender = client as unknown as { backchannelLogout(sub: string, sid: string): Promise<void> };
      await sender.backchannelLogout(notice.account_id, notice.sid ?? '');
      await store.oidc.deleteLogoutNotice(notice.id);
      delivered += 1;
    } catch (error) {
      const attempts = notice.attempts + 1;
      log?.warn({ err: error, clientId: notice.client_id, attempts }, 'back-channel logout not delivered');
      if (attempts >= MAX_ATTEMPTS) await store.oidc.deleteLogoutNotice(notice.id);
      else {
        const delay = 2 ** attempts * 5_000;
        await store.oidc.retryLogoutNotice(notice.id, attempts, new Date(Date.now() + delay).toISOString());
      }
    }
  }
  return delivered;
}
