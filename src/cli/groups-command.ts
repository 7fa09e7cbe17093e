// `roster groups list|show|map`: the groups an organization's identity provider pushed over SCIM,
// one group's members, and what a group gives its members (the Admin role, workspaces). A group's
// name and members change only through the IdP; its mapping is the organization's.
import { mapGroup, parseGroupMapping } from '../accounts/group-mapping.ts';
import { CLI_ACTOR } from '../audit/actor.ts';
import type { Config } from '../config.ts';
import { RosterError } from '../errors.ts';
import type { GroupRow } from '../store/repos/groups.ts';
import type { Store } from '../store/store.ts';
import { type Output, UsageError } from './output.ts';
import { organizationBySlug, withStore } from './store-commands.ts';

/** Groups listed, and members shown, at most. */
const SHOWN = 1000;

const MAP_USAGE =
  'usage: roster groups map --org SLUG GROUP [--role admin|none] [--workspace NAME …] [--no-workspaces]';

/** A group by its id, or by its displayName when that names exactly one. */
async function groupNamed(
  store: Store,
  organizationId: string,
  slug: string,
  named: string,
): Promise<GroupRow> {
  const byId = await store.groups.getById(organizationId, named);
  if (byId) return byId;
  const byName = await store.groups.list(organizationId, { displayName: named }, 0, 2);
  if (byName.length > 1) {
    throw new RosterError('conflict', `several groups are named "${named}" in ${slug}: give the group's id`);
  }
  const [group] = byName;
  if (!group) throw new RosterError('not_found', `no group "${named}" in ${slug}`);
  return group;
}

function mappingLine(role: string | null, workspaces: readonly { name: string }[]): string {
  const gives = [
    ...(role === 'admin' ? ['the Admin role'] : []),
    ...(workspaces.length > 0 ? [`workspaces ${workspaces.map((w) => w.name).join(', ')}`] : []),
  ];
  return gives.length === 0 ? 'gives no access' : `gives ${gives.join(' and ')}`;
}

export async function groupsCommand(
  config: Config,
  args: string[],
  options: { org?: string; role?: string; workspace?: string[]; 'no-workspaces'?: boolean },
  out: Output,
): Promise<number> {
  const [action, id] = args;
  return withStore(config, async (store) => {
    const organization = await organizationBySlug(store, options.org);
    switch (action) {
      case 'list': {
        const groups = await store.groups.list(organization.id, {}, 0, SHOWN);
        const mapped = await store.groups.workspacesOfGroups(groups.map((g) => g.id));
        const view = groups.map((g) => ({
          id: g.id,
          displayName: g.display_name,
          externalId: g.external_id,
          memberCount: g.member_count,
          role: g.role,
          workspaces: mapped.filter((w) => w.groupId === g.id).map((w) => ({ id: w.id, name: w.name })),
          updatedAt: g.updated_at,
        }));
        const lines = view.map(
          (g) =>
            `${g.id}\t${g.displayName}\t${g.memberCount} members\t${mappingLine(g.role, g.workspaces)}\t${g.externalId ?? ''}`,
        );
        out.print(lines.length === 0 ? 'no groups' : lines.join('\n'), view);
        return 0;
      }
      case 'show': {
        if (!id) throw new UsageError('usage: roster groups show --org SLUG ID');
        const group = await groupNamed(store, organization.id, organization.slug, id);
        const [members, workspaces] = await Promise.all([
          store.groups.members(group.id, SHOWN),
          store.groups.workspacesOf(group.id),
        ]);
        const view = {
          id: group.id,
          displayName: group.display_name,
          externalId: group.external_id,
          memberCount: group.member_count,
          role: group.role,
          workspaces,
          members: members.map((m) => ({ id: m.membershipId, display: m.display })),
        };
        out.print(
          [
            `${view.displayName} (${view.memberCount} members): ${mappingLine(group.role, workspaces)}`,
            ...view.members.map((m) => `  ${m.id}\t${m.display}`),
          ].join('\n'),
          view,
        );
        return 0;
      }
      case 'map': {
        if (!id) throw new UsageError(MAP_USAGE);
        if (options.role !== undefined && options.role !== 'admin' && options.role !== 'none') {
          throw new UsageError(MAP_USAGE);
        }
        if (options.workspace !== undefined && options['no-workspaces'] === true) {
          throw new UsageError(`--workspace and --no-workspaces exclude each other\n${MAP_USAGE}`);
        }
        const group = await groupNamed(store, organization.id, organization.slug, id);
        const all = await store.workspaces.list(organization.id);
        let workspaceIds = (await store.groups.workspacesOf(group.id)).map((w) => w.id);
        if (options['no-workspaces'] === true) workspaceIds = [];
        if (options.workspace !== undefined) {
          workspaceIds = options.workspace.map((name) => {
            const found = all.find((w) => w.id === name || w.name.toLowerCase() === name.toLowerCase());
            if (!found) throw new RosterError('not_found', `no workspace "${name}" in ${organization.slug}`);
            return found.id;
          });
        }
        const mapped = await mapGroup(store, {
          organizationId: organization.id,
          groupId: group.id,
          mapping: parseGroupMapping(options.role ?? group.role, workspaceIds),
          actor: CLI_ACTOR,
        });
        const view = {
          id: mapped.group.id,
          displayName: mapped.group.display_name,
          memberCount: mapped.group.member_count,
          role: mapped.group.role,
          workspaces: mapped.workspaces,
          changed: mapped.changed,
        };
        out.print(
          `${view.displayName} ${mappingLine(view.role, view.workspaces)}${mapped.changed ? ` (${view.memberCount} members settled)` : ' (unchanged)'}`,
          view,
        );
        return 0;
      }
      default:
        throw new UsageError('usage: roster groups list|show|map --org SLUG [GROUP]');
    }
  });
}
