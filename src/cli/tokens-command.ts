import { createToken, listTokens, revokeToken } from '../accounts/tokens.ts';
import { CLI_ACTOR } from '../audit/actor.ts';
import { isRole } from '../auth/roles.ts';
import type { Config } from '../config.ts';
import { RosterError } from '../errors.ts';
import { type Output, UsageError } from './output.ts';
import { organizationBySlug, withStore } from './store-commands.ts';

interface TokenOptions {
  org?: string;
  name?: string;
  role?: string;
  user?: string;
  service?: boolean;
  expires?: string;
}

export async function tokensCommand(
  config: Config,
  args: string[],
  options: TokenOptions,
  out: Output,
): Promise<number> {
  const [action, id] = args;
  return withStore(config, async (store) => {
    switch (action) {
      case 'create': {
        const organization = await organizationBySlug(store, options.org);
        if (!options.name) throw new UsageError('--name is required');
        if (!isRole(options.role)) throw new UsageError('--role must be admin or member');
        if (Boolean(options.user) === Boolean(options.service)) {
          throw new UsageError(
            'give either --user EMAIL (personal token) or --service (service access token)',
          );
        }
        let membershipId: string | undefined;
        if (options.user) {
          const user = await store.users.findByEmail(options.user);
          const member = user ? await store.members.findByUserId(organization.id, user.id) : undefined;
          if (!member) {
            throw new RosterError('not_found', `${options.user} is not a member of ${organization.slug}`);
          }
          membershipId = member.id;
        }
        const created = await createToken(store, {
          kind: options.service ? 'service' : 'personal',
          organizationId: organization.id,
          ...(membershipId ? { membershipId } : {}),
          name: options.name,
          role: options.role,
          expiresAt: options.expires ?? null,
          actor: CLI_ACTOR,
        });
        out.print(
          [
            `Created ${created.kind} token "${created.name}" (${created.role}) with id ${created.id}.`,
            'Copy it now; it is not shown again:',
            '',
            `  ${created.token}`,
          ].join('\n'),
          created,
        );
        return 0;
      }
      case 'list': {
        const organization = await organizationBySlug(store, options.org);
        const tokens = await listTokens(store, organization.id);
        const lines = tokens.map(
          (t) =>
            `${t.id}\t${t.kind}\t${t.role}\t${t.name}\t…${t.lastFour}\t${t.revokedAt ? 'revoked' : 'active'}\tlast used ${t.lastUsedAt ?? 'never'}`,
        );
        out.print(lines.length === 0 ? 'no tokens' : lines.join('\n'), tokens);
        return 0;
      }
      case 'revoke': {
        if (!id) throw new UsageError('usage: roster tokens revoke ID');
        const revoked = await revokeToken(store, { id, actor: CLI_ACTOR });
        out.print(`Revoked token "${revoked.name}" (${revoked.id}).`, revoked);
        return 0;
      }
      default:
        throw new UsageError('usage: roster tokens create|list|revoke');
    }
  });
}
