import type { Config } from '../config.ts';
import { RosterError } from '../errors.ts';
import { createDialect, openStore } from '../store/open-store.ts';
import type { Store } from '../store/store.ts';
import { createStore } from '../store/store.ts';
import { type Output, UsageError } from './output.ts';

export async function withStore<T>(config: Config, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(config.databaseUrl);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** The organization a command's `--org SLUG` names; a usage error without one, 404 for an unknown one. */
export async function organizationBySlug(store: Store, slug: string | undefined) {
  if (!slug) throw new UsageError('--org SLUG is required');
  const organization = await store.organizations.getBySlug(slug);
  if (!organization) throw new RosterError('not_found', `no organization with the slug "${slug}"`);
  return organization;
}

export async function migrateCommand(config: Config, out: Output): Promise<number> {
  const store = createStore(await createDialect(config.databaseUrl));
  try {
    const applied = await store.migrate();
    out.print(
      applied.length === 0
        ? `${store.dialect.describe()}: up to date`
        : `${store.dialect.describe()}: applied ${applied.join(', ')}`,
      { database: store.dialect.describe(), applied },
    );
    return 0;
  } finally {
    await store.close();
  }
}

export async function orgsCommand(config: Config, args: string[], out: Output): Promise<number> {
  if (args[0] !== 'list') throw new UsageError('usage: roster orgs list');
  return withStore(config, async (store) => {
    const orgs = await store.organizations.list();
    const data = orgs.map((o) => ({
      id: o.id,
      slug: o.slug,
      name: o.name,
      members: o.member_seq,
      createdAt: o.created_at,
    }));
    out.print(
      data.length === 0
        ? 'no organizations yet (roster init creates one)'
        : data.map((o) => `${o.slug}\t${o.name}\t${o.id}`).join('\n'),
      data,
    );
    return 0;
  });
}
