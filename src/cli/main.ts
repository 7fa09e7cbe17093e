// The `roster` command. Every command but `serve` takes --json for scripts; errors go to stderr
// with a non-zero exit code (1 for a refused operation, 2 for a usage mistake).
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { RosterError } from '../errors.ts';
import { StoreOpenError } from '../store/errors.ts';
import { copyCommand } from './copy-command.ts';
import { groupsCommand } from './groups-command.ts';
import { initCommand } from './init-command.ts';
import { installationTokensCommand } from './installation-tokens-command.ts';
import { type CliStream, output, UsageError } from './output.ts';
import { migrateCommand, orgsCommand } from './store-commands.ts';
import { tokensCommand } from './tokens-command.ts';
import { usersCommand } from './users-command.ts';
import { webhooksCommand } from './webhooks-command.ts';

export const USAGE = `Usage: roster <command> [options]

Commands:
  serve                         run the server (what \`npm start\` runs)
  migrate                       apply pending database migrations
  init --org-name NAME --admin-email EMAIL [--admin-name "GIVEN FAMILY"] [--org-slug SLUG]
       [--admin-password PASSWORD]
                                create an organization, its default workspace and first Admin
  orgs list                     list organizations
  tokens create --org SLUG --name NAME --role admin|member (--user EMAIL | --service) [--expires DATE]
                                create an access token and print it once
  tokens list --org SLUG        list tokens (never their values)
  tokens revoke ID              revoke a token
  installation-tokens create --name NAME
                                create an installation token (the organizations API) and print it once
  installation-tokens list      list installation tokens (never their values)
  installation-tokens revoke ID revoke an installation token
  users reset-password EMAIL [--password PASSWORD]
                                print a one-time reset link, or set the password (every session ends)
  webhooks create (--org SLUG | --installation) --url URL [--types TYPE,TYPE]
                                add a webhook endpoint (all events unless --types) and print its secret once;
                                --installation: an endpoint that hears every organization's events
  webhooks list --org SLUG | --installation
                                list webhook endpoints
  webhooks delete|rotate-secret|test|deliveries (--org SLUG | --installation) ID
                                delete an endpoint, rotate its secret, queue a test event, show its deliveries
  groups list --org SLUG        list the groups the identity provider pushed, with member counts
  groups show --org SLUG ID     show a group, what it gives, and its members
  groups map --org SLUG GROUP [--role admin|none] [--workspace NAME …] [--no-workspaces]
                                map a group (id or name) to the Admin role and/or workspaces
  copy --from DATABASE_URL --to DATABASE_URL
                                copy every row into an empty database (SQLite → PostgreSQL or back)
  sso status --org SLUG         show an organization's SAML SSO settings and domain records
  sso require --org SLUG on|off turn "SSO required" on or off (the break-glass switch)
  sso verify --org SLUG DOMAIN  check an email domain's DNS TXT record and mark it verified
  sso release-domain --org SLUG DOMAIN
                                remove an organization's email domain (verified or not)
  sso allow-sha1 --org SLUG on|off
                                accept (on) or refuse (off, the default) SAML signatures over SHA-1
  sso idp-initiated --org SLUG on|off
                                accept or refuse IdP-initiated sign-in (app tiles)
  apps create --name NAME --redirect-uri URL [--redirect-uri URL …] [--post-logout-redirect-uri URL …] [--backchannel-logout-uri URL]
                                register an app that signs people in with Roster; prints its client secret once
  apps list                     list apps (never their secrets)
  apps revoke CLIENT_ID         revoke an app: its sign-ins and tokens end at once
  keys rotate                   add a new signing key for the OpenID Connect provider (the old one stays published)
  test-idp --org SLUG [--port 7000] [--configure] [--domain DOMAIN]
                                run a SAML test identity provider on 127.0.0.1 for local trials

Every command but serve accepts --json. The database is DATABASE_URL (default sqlite:./data/roster.db).`;

/**
 * Where `runCli` reads its settings and writes: the process's own by default (bin/roster.js); a
 * test passes its buffers and an environment. The database drivers still read their own variables
 * (PGOPTIONS and the like) from process.env.
 */
export interface CliIo {
  stdout?: CliStream;
  stderr?: CliStream;
  env?: NodeJS.ProcessEnv;
}

/** Runs `roster …argv` and resolves with its exit code (`serve` once the server has stopped). */
export async function runCli(argv: string[], io: CliIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const env = io.env ?? process.env;
  let json = argv.includes('--json');
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        'org-name': { type: 'string' },
        'org-slug': { type: 'string' },
        'admin-email': { type: 'string' },
        'admin-name': { type: 'string' },
        'admin-password': { type: 'string' },
        org: { type: 'string' },
        name: { type: 'string' },
        role: { type: 'string' },
        user: { type: 'string' },
        service: { type: 'boolean' },
        expires: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        port: { type: 'string' },
        domain: { type: 'string' },
        configure: { type: 'boolean' },
        password: { type: 'string' },
        url: { type: 'string' },
        types: { type: 'string' },
        workspace: { type: 'string', multiple: true },
        'no-workspaces': { type: 'boolean' },
        installation: { type: 'boolean' },
        'redirect-uri': { type: 'string', multiple: true },
        'post-logout-redirect-uri': { type: 'string', multiple: true },
        'backchannel-logout-uri': { type: 'string' },
      },
    });
    json = values.json === true;
    const [command, ...rest] = positionals;
    if (values.help || !command || command === 'help') {
      stdout.write(`${USAGE}\n`);
      return command || values.help ? 0 : 2;
    }
    const out = output(json, stdout, stderr);
    switch (command) {
      case 'serve': {
        const { serve } = await import('../main.ts');
        await serve(loadConfig(env));
        return 0;
      }
      case 'migrate':
        return await migrateCommand(loadConfig(env), out);
      case 'init':
        return await initCommand(loadConfig(env), values, out);
      case 'orgs':
        return await orgsCommand(loadConfig(env), rest, out);
      case 'tokens':
        return await tokensCommand(loadConfig(env), rest, values, out);
      case 'installation-tokens':
        return await installationTokensCommand(loadConfig(env), rest, values, out);
      case 'users':
        return await usersCommand(loadConfig(env), rest, values, out);
      case 'webhooks':
        return await webhooksCommand(loadConfig(env), rest, values, out);
      case 'groups':
        return await groupsCommand(loadConfig(env), rest, values, out);
      // Loaded on demand: the OpenID Connect provider's libraries.
      case 'apps':
        return await (await import('./apps-command.ts')).appsCommand(loadConfig(env), rest, values, out);
      case 'keys':
        return await (await import('./apps-command.ts')).keysCommand(loadConfig(env), rest, out);
      case 'copy':
        return await copyCommand(values, out);
      // Loaded on demand: SAML brings XML and X.509 libraries the other commands do not need.
      case 'sso':
        return await (await import('./sso-command.ts')).ssoCommand(loadConfig(env), rest, values, out);
      case 'test-idp':
        return await (await import('./sso-command.ts')).testIdpCommand(loadConfig(env), values, out);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    const usage =
      error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    const known =
      usage ||
      error instanceof ConfigError ||
      error instanceof StoreOpenError ||
      error instanceof RosterError;
    const message = known
      ? (error as Error).message
      : `unexpected error: ${(error as Error).stack ?? String(error)}`;
    stderr.write(json ? `${JSON.stringify({ error: message })}\n` : `roster: ${message}\n`);
    if (usage && !json) stderr.write(`\n${USAGE}\n`);
    return usage ? 2 : 1;
  }
}
