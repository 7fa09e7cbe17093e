// `roster groups list|show`: the groups an organization's identity provider pushed over SCIM, and
// one group's members. Read-only: groups change only through the IdP.
import type { Config } from '../config.ts';
import { RosterError } from '../errors.ts';
import { type Output, UsageError } from './output.ts';
import { organizationBySlug, withStore } from './store-commands.ts';

/** Groups listed, and members shown, at most. */
const SHOWN = 1000;

export async function groupsCommand(
  config: Config,
  args: string[],
  options: { org?: string },
  out: Output,
): Promise<number> {
  const [action, id] = args;
  return withStore(config, async (store) => {
    const organization = await organizationBySlug(store, options.org);
    switch (action) {
      case 'list': {
        const groups = await store.groups.list(organization.id, {}, 0, SHOWN);
        const view = groups.map((g) => ({
          id: g.id,
          displayName: g.display_name,
          externalId: g.external_id,
          memberCount: g.member_count,
          updatedAt: g.updated_at,
        }));
        const lines = view.map(
          (g) => `${g.id}\t${g.displayName}\t${g.memberCount} members\t${g.externalId ?? ''}`,
        );
        out.print(lines.length === 0 ? 'no groups' : lines.join('\n'), view);
        return 0;
      }
      case 'show': {
        if (!id) throw new UsageError('usage: roster groups show --org SLUG ID');
        const group = await store.groups.getById(organization.id, id);
        if (!group) throw new RosterError('not_found', `no group "${id}" in ${organization.slug}`);
        const members = await store.groups.members(group.id, SHOWN);
        const view = {
          id: group.id,
          displayName: group.display_name,
          externalId: group.external_id,
          memberCount: group.member_count,
          members: members.map((m) => ({ id: m.membershipId, display: m.display })),
        };
        out.print(
          [
            `${view.displayName} (${view.memberCount} members)`,
            ...view.members.map((m) => `  ${m.id}\t${m.display}`),
          ].join('\n'),
          view,
        );
        return 0;
      }
      default:
        throw new UsageError('usage: roster groups list|show --org SLUG [ID]');
    }
  });
}
