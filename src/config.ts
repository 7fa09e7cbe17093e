// Environment → one validated Config. Anything wrong fails at boot with a message naming the variable.
import { isIP } from 'node:net';
import { redactDatabaseUrl } from './store/redact-url.ts';

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** `json`: one JSON object a line (for log collectors); `pretty`: coloured lines for people. */
  logFormat: 'json' | 'pretty';
  /** Where people and IdPs reach this instance, without a trailing slash; used for Location headers. */
  publicUrl: string;
  /** Largest accepted request body, in bytes. */
  bodyLimit: number;
  /** Requests per token and per organization in each window, per instance; 0 turns a limit off. */
  rateLimit: { perToken: number; perOrganization: number; windowSeconds: number };
  /** Largest form body of `POST /saml/{slug}/acs`, in bytes. */
  samlBodyLimit: number;
  /** SAML sign-in requests (login and ACS) per client address and per organization in each window. */
  samlRateLimit: { perAddress: number; perOrganization: number; windowSeconds: number };
  /** Longest time a client may take to send a whole request (slow clients); 0: no limit. */
  requestTimeoutSeconds: number;
  /** Longest inactivity on a connection before it is closed; 0: no limit. */
  connectionTimeoutSeconds: number;
  /**
   * The DNS servers that SSO domain verification asks for TXT records (`DNS_SERVERS`, e.g.
   * `127.0.0.1:5353,[::1]:53`); null: the system's resolver.
   */
  dnsServers: string[] | null;
  /** PostgreSQL connections one instance opens at most. */
  databasePoolSize: number;
  /**
   * Which `X-Forwarded-For` entries to believe, counted from the right (the entry the nearest proxy
   * appended): none (`false`), the last `n` hops, or those appended by these proxy addresses/CIDRs.
   */
  trustProxy: false | number | string[];
  /**
   * Outgoing mail (invitations, password resets): `SMTP_URL` (`smtp://user:pass@host:587`, or
   * `smtps://` for implicit TLS), null to send none (the dashboard always shows the link); `MAIL_FROM`
   * the sender.
   */
  mail: { smtpUrl: string | null; from: string };
  /**
   * The bearer token Prometheus sends to scrape `/metrics`; null: no metrics are collected and
   * `/metrics` is a 404.
   */
  metricsToken: string | null;
  /** Events and settled webhook deliveries are kept this many days (the events API replays them). */
  eventsRetentionDays: number;
  webhooks: WebhookSettings;
}

export interface WebhookSettings {
  /** Deliver to loopback, private, link-local and metadata addresses too (tests, closed networks). */
  allowPrivateNetworks: boolean;
  /** Longest a delivery may take, connection to last byte of the answer. */
  timeoutSeconds: number;
  /** Seconds to wait before each retry; after the last one fails, the delivery fails for good. */
  retrySchedule: number[];
}

/** About three days: 5 s, 5 min, 30 min, 2 h, 5 h, then 10 h six times (Standard Webhooks' guidance). */
export const DEFAULT_RETRY_SCHEDULE = [
  5, 300, 1800, 7200, 18_000, 36_000, 36_000, 36_000, 36_000, 36_000, 36_000,
];

function retrySchedule(raw: string | undefined): number[] {
  if (raw === undefined || raw.trim() === '') return DEFAULT_RETRY_SCHEDULE;
  const steps = raw.split(',').map((part) => part.trim());
  if (steps.length > 50 || steps.some((step) => !/^\d{1,7}$/.test(step))) {
    throw new ConfigError(
      `WEBHOOK_RETRY_SCHEDULE must be up to 50 comma-separated numbers of seconds, such as 5,300,1800 (got "${raw}")`,
    );
  }
  return steps.map(Number);
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new ConfigError(`${name} must be true or false (got "${env[name]}")`);
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  // Decimal digits only: Number() would read "  " as 0 (PORT=" " listening on a random port) and
  // accept "0x50" or "8e3".
  const value = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

/** `DNS_SERVERS`: comma-separated addresses, each an IP with an optional port (IPv6 with a port in brackets). */
function dnsServers(raw: string | undefined): string[] | null {
  if (raw === undefined || raw.trim() === '') return null;
  const servers = raw.split(',').map((part) => part.trim());
  for (const server of servers) {
    const match = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(server) ?? /^([^:]+)(?::(\d{1,5}))?$/.exec(server);
    const address = match?.[1] ?? server;
    const port = match?.[2] === undefined ? 53 : Number(match[2]);
    if (isIP(address) === 0 || port < 1 || port > 65535) {
      throw new ConfigError(
        `DNS_SERVERS must be comma-separated IP addresses with optional ports, such as 127.0.0.1:5353 or [::1]:53 (got "${server}")`,
      );
    }
  }
  return servers;
}

// A host name (RFC 1123 labels) or an IP address. A dotted number that is no IPv4 address
// ("999.1.1.1") would otherwise go to DNS and fail at listen with getaddrinfo ENOTFOUND.
const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

function hostOf(env: NodeJS.ProcessEnv): string {
  const raw = env.HOST;
  if (raw === undefined || raw === '') return 'localhost';
  const host = raw.trim();
  const bracketless = host.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bracketless) !== 0) return bracketless;
  if (HOST_NAME.test(host) && !/^[\d.]+$/.test(host)) return host;
  throw new ConfigError(
    `HOST must be an IP address of this machine or a host name such as localhost (got "${raw}"); 0.0.0.0 listens on every interface`,
  );
}

const CIDR = /^(.+)\/(\d{1,3})$/;

function proxyAddress(entry: string): boolean {
  const cidr = CIDR.exec(entry);
  if (cidr === null) return isIP(entry) !== 0;
  const version = isIP(cidr[1]!);
  return version !== 0 && Number(cidr[2]) <= (version === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY: `false` (or unset), the number of proxies in front of Roster, or their addresses.
 * `true` meant "believe the leftmost X-Forwarded-For", which any client writes: refused, so that an
 * upgrade cannot keep that meaning silently. Any other word is refused too, never read as "off".
 */
function trustProxyOf(env: NodeJS.ProcessEnv): Config['trustProxy'] {
  const raw = env.TRUST_PROXY;
  const value = raw?.trim() ?? '';
  if (value === '' || value.toLowerCase() === 'false') return false;
  if (value.toLowerCase() === 'true') {
    throw new ConfigError(
      `TRUST_PROXY cannot be "${raw}": it believed the leftmost X-Forwarded-For, which clients write. ` +
        'Give the number of proxies in front of Roster (usually TRUST_PROXY=1) or their addresses (such as TRUST_PROXY=10.0.0.0/8)',
    );
  }
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 10)
      throw new ConfigError(`TRUST_PROXY must be a number of proxies from 0 to 10 (got "${raw}")`);
    return hops === 0 ? false : hops;
  }
  const entries = value.split(',').map((entry) => entry.trim());
  const wrong = entries.find((entry) => !proxyAddress(entry));
  if (wrong !== undefined) {
    throw new ConfigError(
      `TRUST_PROXY must be false, a number of proxies (such as 1), or a comma-separated list of proxy addresses or CIDRs (got "${raw}"; "${wrong}" is none of these)`,
    );
  }
  return entries;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = integer(env, 'PORT', 8080, 0, 65535);
  const host = hostOf(env);

  const databaseUrl = env.DATABASE_URL || 'sqlite:./data/roster.db';
  if (!/^(sqlite:|postgres:\/\/|postgresql:\/\/)/.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be sqlite:<path> or postgres://user@host:port/database');
  }
  if (databaseUrl.startsWith('postgres')) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(databaseUrl);
    } catch {
      // reported below
    }
    if (parsed === undefined || parsed.hostname === '') {
      throw new ConfigError(
        `DATABASE_URL must be postgres://user:password@host:port/database, percent-encoding special characters (got "${redactDatabaseUrl(databaseUrl)}")`,
      );
    }
  }

  const logLevel = (env.LOG_LEVEL || 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${env.LOG_LEVEL}")`);
  }

  const logFormat = (env.LOG_FORMAT || 'json').toLowerCase();
  if (logFormat !== 'json' && logFormat !== 'pretty') {
    throw new ConfigError(`LOG_FORMAT must be json or pretty (got "${env.LOG_FORMAT}")`);
  }

  const publicUrl = (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, '');
  try {
    const url = new URL(publicUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
  } catch {
    throw new ConfigError(
      `PUBLIC_URL must be an http(s) URL such as https://roster.example.com (got "${publicUrl}")`,
    );
  }

  const bodyLimit = integer(env, 'BODY_LIMIT', 1024 * 1024, 1024, 100 * 1024 * 1024);
  const databasePoolSize = integer(env, 'DATABASE_POOL_SIZE', 10, 1, 1000);

  // A limit must never slow an identity provider's initial push (a lookup and a POST per person, about
  // 10 at a time from Okta): the defaults sit above what one instance answers (docs/benchmarks.md)
  // and stop only a runaway client. 600 a minute would have stretched a 100k-person push over hours.
  const rateLimit = {
    perToken: integer(env, 'RATE_LIMIT_PER_TOKEN', 60_000, 0, 10_000_000),
    perOrganization: integer(env, 'RATE_LIMIT_PER_ORG', 120_000, 0, 10_000_000),
    windowSeconds: integer(env, 'RATE_LIMIT_WINDOW_SECONDS', 60, 1, 86_400),
  };
  // The SAML endpoints answer anyone (docs/sso-okta.md, "Limits on the SAML response"). 256 KiB
  // carries the largest response Roster accepts (128 KiB of XML is 171 KiB of base64, and the form
  // encoding turns each '+' and '/' into three characters) with room to spare; it can only be lowered.
  // A sign-in is two requests (login, ACS); a thousand people behind one office address signing in
  // within ten minutes stay under the per-address default, and a morning rush of 300 sign-ins a
  // minute stays under the per-organization one, per instance.
  const samlBodyLimit = integer(env, 'SAML_BODY_LIMIT', 256 * 1024, 8 * 1024, 256 * 1024);
  const samlRateLimit = {
    perAddress: integer(env, 'SAML_RATE_LIMIT_PER_ADDRESS', 300, 0, 1_000_000),
    perOrganization: integer(env, 'SAML_RATE_LIMIT_PER_ORG', 600, 0, 1_000_000),
    windowSeconds: integer(env, 'SAML_RATE_LIMIT_WINDOW_SECONDS', 60, 1, 86_400),
  };
  const requestTimeoutSeconds = integer(env, 'REQUEST_TIMEOUT_SECONDS', 60, 0, 3600);
  const connectionTimeoutSeconds = integer(env, 'CONNECTION_TIMEOUT_SECONDS', 120, 0, 3600);

  const metricsToken = env.METRICS_TOKEN?.trim() || null;
  if (metricsToken !== null && !/^[\x21-\x7e]{16,200}$/.test(metricsToken)) {
    throw new ConfigError(
      'METRICS_TOKEN must be 16 to 200 printable characters without spaces (generate one with: openssl rand -hex 24)',
    );
  }

  return {
    port,
    host,
    databaseUrl,
    logLevel: logLevel as Config['logLevel'],
    logFormat,
    publicUrl,
    bodyLimit,
    rateLimit,
    samlBodyLimit,
    samlRateLimit,
    requestTimeoutSeconds,
    connectionTimeoutSeconds,
    dnsServers: dnsServers(env.DNS_SERVERS),
    databasePoolSize,
    trustProxy: trustProxyOf(env),
    mail: mailOf(env, publicUrl),
    metricsToken,
    eventsRetentionDays: integer(env, 'EVENTS_RETENTION_DAYS', 30, 1, 3650),
    webhooks: {
      allowPrivateNetworks: flag(env, 'WEBHOOK_ALLOW_PRIVATE_NETWORKS'),
      timeoutSeconds: integer(env, 'WEBHOOK_TIMEOUT_SECONDS', 15, 1, 120),
      retrySchedule: retrySchedule(env.WEBHOOK_RETRY_SCHEDULE),
    },
  };
}

/** `SMTP_URL` (smtp: or smtps:) and `MAIL_FROM`, checked at boot. */
function mailOf(env: NodeJS.ProcessEnv, publicUrl: string): Config['mail'] {
  const raw = env.SMTP_URL?.trim() || '';
  let smtpUrl: string | null = null;
  if (raw !== '') {
    let protocol = '';
    try {
      protocol = new URL(raw).protocol;
    } catch {
      // reported below, without echoing a URL that may carry a password
    }
    if (protocol !== 'smtp:' && protocol !== 'smtps:') {
      throw new ConfigError('SMTP_URL must be smtp://[user:password@]host[:port] or smtps://…');
    }
    smtpUrl = raw;
  }
  const from = env.MAIL_FROM?.trim() || `Roster <roster@${new URL(publicUrl).hostname}>`;
  if (from.length > 200 || /[\r\n]/.test(from)) throw new ConfigError('MAIL_FROM must be one line');
  return { smtpUrl, from };
}
