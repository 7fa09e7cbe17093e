// `roster webhooks …`: an organization's webhook endpoints (`--org SLUG`), or the installation-wide
// ones that hear every organization (`--installation`), from the command line (the same use cases
// as the API and the dashboard, audited with the CLI as actor). The secret is printed once.
import { CLI_ACTOR } from '../audit/actor.ts';
import type { Config } from '../config.ts';
import { listDeliveries, sendTestEvent } from '../webhooks/deliveries.ts';
import { createEndpoint, deleteEndpoint, endpointView, rotateSecret } from '../webhooks/manage-endpoints.ts';
import { type Output, UsageError } from './output.ts';
import { organizationBySlug, withStore } from './store-commands.ts';

interface WebhookOptions {
  org?: string;
  installation?: boolean;
  url?: string;
  types?: string;
}

export async function webhooksCommand(
  config: Config,
  args: string[],
  options: WebhookOptions,
  out: Output,
): Promise<number> {
  const [action, id] = args;
  return withStore(config, async (store) => {
    if (options.installation && options.org !== undefined) {
      throw new UsageError('--org and --installation exclude each other');
    }
    if (!options.installation && options.org === undefined) {
      throw new UsageError('--org SLUG or --installation is required');
    }
    // Null: the installation's endpoints.
    const scope = options.installation ? null : (await organizationBySlug(store, options.org)).id;
    const scopeUsage = '--org SLUG | --installation';
    const change = {
      organizationId: scope,
      actor: CLI_ACTOR,
      allowPrivate: config.webhooks.allowPrivateNetworks,
    };
    switch (action) {
      case 'create': {
        if (!options.url) throw new UsageError('--url is required');
        const types = (options.types ?? '*').split(',').map((type) => type.trim());
        const { endpoint, secret } = await createEndpoint(store, { ...change, url: options.url, types });
        out.print(
          [
            `Created ${scope === null ? 'the installation-wide ' : ''}webhook endpoint ${endpoint.id} for ${endpoint.url} (${endpoint.types.join(', ')}).`,
            'Its signing secret, shown once:',
            '',
            `  ${secret}`,
          ].join('\n'),
          { ...endpoint, secret },
        );
        return 0;
      }
      case 'list': {
        const endpoints = (await store.webhooks.listEndpoints(scope)).map(endpointView);
        const lines = endpoints.map(
          (e) =>
            `${e.id}\t${e.enabled ? 'enabled' : e.disabledReason ? 'disabled by Roster' : 'disabled'}\t${e.url}\t${e.types.join(',')}`,
        );
        out.print(lines.length === 0 ? 'no webhook endpoints' : lines.join('\n'), endpoints);
        return 0;
      }
      case 'delete': {
        if (!id) throw new UsageError(`usage: roster webhooks delete ${scopeUsage} ID`);
        await deleteEndpoint(store, { ...change, id });
        out.print(`Deleted webhook endpoint ${id}.`, { id, deleted: true });
        return 0;
      }
      case 'rotate-secret': {
        if (!id) throw new UsageError(`usage: roster webhooks rotate-secret ${scopeUsage} ID`);
        const { endpoint, secret } = await rotateSecret(store, { ...change, id });
        out.print(
          [
            `New signing secret of ${endpoint.id} (the previous one also signs for a day), shown once:`,
            '',
            `  ${secret}`,
          ].join('\n'),
          { ...endpoint, secret },
        );
        return 0;
      }
      case 'test': {
        if (!id) throw new UsageError(`usage: roster webhooks test ${scopeUsage} ID`);
        const delivery = await sendTestEvent(store, { ...change, id });
        out.print(`Queued a test event (${delivery.eventId}); a running server delivers it.`, delivery);
        return 0;
      }
      case 'deliveries': {
        if (!id) throw new UsageError(`usage: roster webhooks deliveries ${scopeUsage} ID`);
        const deliveries = await listDeliveries(store, scope, id, 50);
        const lines = deliveries.map(
          (d) =>
            `${d.id}\t${d.eventType}\t${d.state}\tattempts ${d.attempts}\t${d.lastStatus ?? d.lastError ?? '-'}\tnext ${d.nextAttemptAt ?? '-'}`,
        );
        out.print(lines.length === 0 ? 'no deliveries' : lines.join('\n'), deliveries);
        return 0;
      }
      default:
        throw new UsageError('usage: roster webhooks create|list|delete|rotate-secret|test|deliveries');
    }
  });
}
