// `roster installation-tokens create|list|revoke`: the product's credential for the organizations
// API, made on the server by whoever runs it.
import {
  createInstallationToken,
  listInstallationTokens,
  revokeInstallationToken,
} from '../accounts/installation-tokens.ts';
import { CLI_ACTOR } from '../audit/actor.ts';
import type { Config } from '../config.ts';
import { type Output, UsageError } from './output.ts';
import { withStore } from './store-commands.ts';

export async function installationTokensCommand(
  config: Config,
  args: string[],
  options: { name?: string },
  out: Output,
): Promise<number> {
  const [action, id] = args;
  return withStore(config, async (store) => {
    switch (action) {
      case 'create': {
        if (!options.name) throw new UsageError('--name is required');
        const created = await createInstallationToken(store, { name: options.name, actor: CLI_ACTOR });
        out.print(
          [
            `Created installation token "${created.name}" with id ${created.id}.`,
            'It creates and manages organizations (/api/v1/organizations). Copy it now; it is not shown again:',
            '',
            `  ${created.token}`,
          ].join('\n'),
          created,
        );
        return 0;
      }
      case 'list': {
        const tokens = await listInstallationTokens(store);
        const lines = tokens.map(
          (t) =>
            `${t.id}\t${t.name}\t…${t.lastFour}\t${t.revokedAt ? 'revoked' : 'active'}\tlast used ${t.lastUsedAt ?? 'never'}`,
        );
        out.print(lines.length === 0 ? 'no installation tokens' : lines.join('\n'), tokens);
        return 0;
      }
      case 'revoke': {
        if (!id) throw new UsageError('usage: roster installation-tokens revoke ID');
        const revoked = await revokeInstallationToken(store, { id, actor: CLI_ACTOR });
        out.print(`Revoked installation token "${revoked.name}" (${revoked.id}).`, revoked);
        return 0;
      }
      default:
        throw new UsageError('usage: roster installation-tokens create|list|revoke');
    }
  });
}
