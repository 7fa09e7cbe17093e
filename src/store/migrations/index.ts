// Versioned migrations, applied in name order by Kysely's Migrator (which also takes a lock, an
// advisory lock on PostgreSQL, so several instances may run `roster migrate` at once). Steps get the
// engine's name rather than its dialect object: what a shipped migration does must not change when
// a dialect does.
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import type { DialectName } from '../dialect.ts';
import * as initial from './001-initial.ts';
import * as dashboard from './002-dashboard.ts';
import * as sso from './003-sso.ts';
import * as samlSignaturePolicy from './004-saml-signature-policy.ts';
import * as signInSafety from './005-sign-in-safety.ts';
import * as verifiedDomains from './006-verified-domains.ts';
import * as caseFolding from './007-case-folding.ts';
import * as emailChangePolicy from './008-email-change-policy.ts';
import * as signInBinding from './009-sign-in-binding.ts';
import * as organizationStatistics from './010-organization-statistics.ts';
import * as externalIdNotUnique from './011-external-id-not-unique.ts';
import * as groups from './012-groups.ts';
import * as eventsAndWebhooks from './013-events-and-webhooks.ts';
import * as oidc from './014-oidc.ts';
import * as onboarding from './015-onboarding.ts';
import * as scimRequestUserName from './016-scim-request-user-name.ts';
import * as effectiveAccess from './017-effective-access.ts';
import * as installationWebhooks from './019-installation-webhooks.ts';

type Step = { up(db: Kysely<unknown>, dialect: DialectName): Promise<void> };

const steps: Record<string, Step> = {
  '001-initial': initial,
  '002-dashboard': dashboard,
  '003-sso': sso,
  '004-saml-signature-policy': samlSignaturePolicy,
  '005-sign-in-safety': signInSafety,
  '006-verified-domains': verifiedDomains,
  '007-case-folding': caseFolding,
  '008-email-change-policy': emailChangePolicy,
  '009-sign-in-binding': signInBinding,
  '010-organization-statistics': organizationStatistics,
  '011-external-id-not-unique': externalIdNotUnique,
  '012-groups': groups,
  '013-events-and-webhooks': eventsAndWebhooks,
  '015-onboarding': onboarding,
  '016-scim-request-user-name': scimRequestUserName,
  '014-oidc': oidc,
  '017-effective-access': effectiveAccess,
  '019-installation-webhooks': installationWebhooks,
};

export function migrationProvider(dialect: DialectName): MigrationProvider {
  return {
    async getMigrations() {
      const migrations: Record<string, Migration> = {};
      for (const [name, step] of Object.entries(steps)) {
        migrations[name] = { up: (db) => step.up(db, dialect) };
      }
      return migrations;
    },
  };
}
