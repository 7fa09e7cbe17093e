import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, DEFAULT_RETRY_SCHEDULE, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('falls back to defaults that run out of the box on SQLite', () => {
    assert.deepEqual(loadConfig({}), {
      port: 8080,
      host: 'localhost',
      databaseUrl: 'sqlite:./data/roster.db',
      logLevel: 'info',
      logFormat: 'json',
      metricsToken: null,
      mail: { smtpUrl: null, from: 'Roster <roster@localhost>' },
      eventsRetentionDays: 30,
      webhooks: { allowPrivateNetworks: false, timeoutSeconds: 15, retrySchedule: DEFAULT_RETRY_SCHEDULE },
      publicUrl: 'http://localhost:8080',
      bodyLimit: 1024 * 1024,
      rateLimit: { perToken: 60_000, perOrganization: 120_000, windowSeconds: 60 },
      samlBodyLimit: 256 * 1024,
      samlRateLimit: { perAddress: 300, perOrganization: 600, windowSeconds: 60 },
      requestTimeoutSeconds: 60,
      connectionTimeoutSeconds: 120,
      dnsServers: null,
      databasePoolSize: 10,
      trustProxy: false,
    });
  });

  it('treats empty variables as unset', () => {
    const env = {
      PORT: '',
      HOST: '',
      DATABASE_URL: '',
      LOG_LEVEL: '',
      PUBLIC_URL: '',
      BODY_LIMIT: '',
      RATE_LIMIT_PER_TOKEN: '',
      RATE_LIMIT_PER_ORG: '',
      RATE_LIMIT_WINDOW_SECONDS: '',
      SAML_BODY_LIMIT: '',
      SAML_RATE_LIMIT_PER_ADDRESS: '',
      SAML_RATE_LIMIT_PER_ORG: '',
      SAML_RATE_LIMIT_WINDOW_SECONDS: '',
      REQUEST_TIMEOUT_SECONDS: '',
      CONNECTION_TIMEOUT_SECONDS: '',
      DNS_SERVERS: '',
      DATABASE_POOL_SIZE: '',
      TRUST_PROXY: '',
    };
    assert.deepEqual(loadConfig(env), loadConfig({}));
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '3000',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://roster@db.internal:5432/roster',
      LOG_LEVEL: 'debug',
      PUBLIC_URL: 'https://roster.example.com',
      BODY_LIMIT: '2048',
      RATE_LIMIT_PER_TOKEN: '10',
      RATE_LIMIT_PER_ORG: '0',
      RATE_LIMIT_WINDOW_SECONDS: '1',
      SAML_BODY_LIMIT: '65536',
      SAML_RATE_LIMIT_PER_ADDRESS: '5',
      SAML_RATE_LIMIT_PER_ORG: '0',
      SAML_RATE_LIMIT_WINDOW_SECONDS: '10',
      REQUEST_TIMEOUT_SECONDS: '0',
      CONNECTION_TIMEOUT_SECONDS: '30',
      DNS_SERVERS: '127.0.0.1:5353, [::1]:53,9.9.9.9',
      DATABASE_POOL_SIZE: '25',
      TRUST_PROXY: '2',
      LOG_FORMAT: 'pretty',
      METRICS_TOKEN: 'scrape-me-0123456789',
      SMTP_URL: 'smtps://mailer:secret@smtp.example.com:465',
      MAIL_FROM: 'Example <access@example.com>',
      EVENTS_RETENTION_DAYS: '90',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      WEBHOOK_TIMEOUT_SECONDS: '5',
      WEBHOOK_RETRY_SCHEDULE: '1, 60,3600',
    });
    assert.deepEqual(config, {
      port: 3000,
      host: '0.0.0.0',
      databaseUrl: 'postgres://roster@db.internal:5432/roster',
      logLevel: 'debug',
      logFormat: 'pretty',
      metricsToken: 'scrape-me-0123456789',
      mail: { smtpUrl: 'smtps://mailer:secret@smtp.example.com:465', from: 'Example <access@example.com>' },
      eventsRetentionDays: 90,
      webhooks: { allowPrivateNetworks: true, timeoutSeconds: 5, retrySchedule: [1, 60, 3600] },
      publicUrl: 'https://roster.example.com',
      bodyLimit: 2048,
      rateLimit: { perToken: 10, perOrganization: 0, windowSeconds: 1 },
      samlBodyLimit: 65536,
      samlRateLimit: { perAddress: 5, perOrganization: 0, windowSeconds: 10 },
      requestTimeoutSeconds: 0,
      connectionTimeoutSeconds: 30,
      dnsServers: ['127.0.0.1:5353', '[::1]:53', '9.9.9.9'],
      databasePoolSize: 25,
      trustProxy: 2,
    });
  });

  it('derives the default public URL from the port', () => {
    assert.equal(loadConfig({ PORT: '9000' }).publicUrl, 'http://localhost:9000');
  });

  it('drops trailing slashes from the public URL', () => {
    assert.equal(
      loadConfig({ PUBLIC_URL: 'https://roster.example.com/' }).publicUrl,
      'https://roster.example.com',
    );
    assert.equal(
      loadConfig({ PUBLIC_URL: 'https://example.com/roster//' }).publicUrl,
      'https://example.com/roster',
    );
  });

  it('accepts the log level in any case', () => {
    assert.equal(loadConfig({ LOG_LEVEL: 'WARN' }).logLevel, 'warn');
  });

  it('refuses a METRICS_TOKEN that is short or has spaces, without echoing it', () => {
    for (const token of ['short', 'sixteen chars ok?']) {
      assert.throws(
        () => loadConfig({ METRICS_TOKEN: token }),
        (error: Error) =>
          /^METRICS_TOKEN must be 16 to 200/.test(error.message) && !error.message.includes(token),
      );
    }
  });

  it('refuses a log format other than json or pretty, naming LOG_FORMAT', () => {
    assert.throws(() => loadConfig({ LOG_FORMAT: 'xml' }), /LOG_FORMAT must be json or pretty \(got "xml"\)/);
  });

  it('accepts sqlite:, postgres:// and postgresql:// database URLs', () => {
    for (const url of ['sqlite:/var/lib/roster.db', 'postgres://u@h/db', 'postgresql://u:p@h:5433/db']) {
      assert.equal(loadConfig({ DATABASE_URL: url }).databaseUrl, url);
    }
  });

  it('accepts port 0 and 65535, and surrounding spaces around a number', () => {
    assert.equal(loadConfig({ PORT: '0' }).port, 0);
    assert.equal(loadConfig({ PORT: '65535' }).port, 65535);
    assert.equal(loadConfig({ PORT: ' 8081 ' }).port, 8081);
  });

  const invalid: Array<[variable: string, value: string]> = [
    ['PORT', 'http'],
    ['PORT', '-1'],
    ['PORT', '65536'],
    ['PORT', '80.5'],
    // Regression: Number(" ") is 0, so a blank PORT used to mean "listen on a random port".
    ['PORT', ' '],
    ['PORT', '0x1f90'],
    ['PORT', '8e3'],
    ['DATABASE_URL', 'mysql://root@localhost/roster'],
    ['DATABASE_URL', './data/roster.db'],
    ['LOG_LEVEL', 'verbose'],
    ['PUBLIC_URL', 'roster.example.com'],
    ['PUBLIC_URL', 'ftp://roster.example.com'],
    ['BODY_LIMIT', '1023'],
    ['BODY_LIMIT', String(100 * 1024 * 1024 + 1)],
    ['BODY_LIMIT', 'lots'],
    ['RATE_LIMIT_PER_TOKEN', '-5'],
    ['RATE_LIMIT_PER_ORG', 'many'],
    ['RATE_LIMIT_WINDOW_SECONDS', '0'],
    // The SAML body limit can only be lowered: a larger response would be refused by the shape check anyway.
    ['SAML_BODY_LIMIT', String(256 * 1024 + 1)],
    ['SAML_BODY_LIMIT', '100'],
    ['SAML_RATE_LIMIT_PER_ADDRESS', '-1'],
    ['SAML_RATE_LIMIT_PER_ORG', 'lots'],
    ['SAML_RATE_LIMIT_WINDOW_SECONDS', '0'],
    ['REQUEST_TIMEOUT_SECONDS', '1.5'],
    ['CONNECTION_TIMEOUT_SECONDS', '3601'],
    ['DNS_SERVERS', 'dns.example.com'],
    ['DNS_SERVERS', '127.0.0.1:99999'],
    ['DNS_SERVERS', '127.0.0.1,,10.0.0.1'],
    ['DNS_SERVERS', '999.1.1.1'],
    // Regression: not validated at all, then read as 10 by the PostgreSQL adapter.
    ['DATABASE_POOL_SIZE', '0'],
    ['DATABASE_POOL_SIZE', 'ten'],
    ['DATABASE_URL', 'postgres://roster:pa/ss@/roster'],
    // Regression: a dotted number that is no IPv4 address went to DNS and crashed the listen.
    ['HOST', '999.1.1.1'],
    ['HOST', '10.0.0'],
    ['HOST', 'my host'],
    ['HOST', 'http://localhost'],
    // Regression: any value but "true" silently meant "off"; "true" trusted the leftmost entry.
    ['TRUST_PROXY', 'yes'],
    ['TRUST_PROXY', 'on'],
    ['TRUST_PROXY', 'true'],
    ['TRUST_PROXY', 'TRUE'],
    ['TRUST_PROXY', '-1'],
    ['TRUST_PROXY', '11'],
    ['TRUST_PROXY', '1.5'],
    ['TRUST_PROXY', '10.0.0.0/33'],
    ['TRUST_PROXY', '10.0.0.1, proxy.internal'],
  ];
  for (const [variable, value] of invalid) {
    it(`refuses ${variable}=${JSON.stringify(value)} with a ConfigError naming ${variable}`, () => {
      assert.throws(
        () => loadConfig({ [variable]: value }),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.equal(error.name, 'ConfigError');
          assert.ok(error.message.startsWith(`${variable} `), error.message);
          return true;
        },
      );
    });
  }

  it('shows the offending value in the message of a number or log level', () => {
    assert.throws(
      () => loadConfig({ PORT: 'http' }),
      /PORT must be a whole number from 0 to 65535 \(got "http"\)/,
    );
    assert.throws(() => loadConfig({ LOG_LEVEL: 'verbose' }), /LOG_LEVEL must be one of .*\(got "verbose"\)/);
  });

  it('reads TRUST_PROXY as off, a number of proxies, or proxy addresses and CIDRs', () => {
    const cases: Array<[string | undefined, false | number | string[]]> = [
      [undefined, false],
      ['false', false],
      ['0', false],
      ['1', 1],
      [' 3 ', 3],
      ['10.0.0.1', ['10.0.0.1']],
      ['10.0.0.0/8, 192.168.1.0/24,::1', ['10.0.0.0/8', '192.168.1.0/24', '::1']],
      ['fd00::/8', ['fd00::/8']],
    ];
    for (const [value, expected] of cases) {
      assert.deepEqual(
        loadConfig(value === undefined ? {} : { TRUST_PROXY: value }).trustProxy,
        expected,
        value,
      );
    }
  });

  it('tells what to give instead of TRUST_PROXY=true', () => {
    assert.throws(() => loadConfig({ TRUST_PROXY: 'true' }), /TRUST_PROXY cannot be "true".*TRUST_PROXY=1/);
    assert.throws(
      () => loadConfig({ TRUST_PROXY: 'yes' }),
      /TRUST_PROXY must be false, a number.*\(got "yes"/,
    );
  });

  it('accepts host names and IPv4 and IPv6 addresses as HOST', () => {
    for (const host of [
      'localhost',
      '0.0.0.0',
      '127.0.0.1',
      '::',
      '::1',
      'roster-1.internal',
      'ip6-localhost',
    ]) {
      assert.equal(loadConfig({ HOST: host }).host, host);
    }
    assert.equal(loadConfig({ HOST: '[::1]' }).host, '::1');
    assert.throws(() => loadConfig({ HOST: '999.1.1.1' }), /HOST must be .*\(got "999\.1\.1\.1"\)/);
  });

  it('does not echo the password of a malformed PostgreSQL URL', () => {
    assert.throws(
      () => loadConfig({ DATABASE_URL: 'postgres://roster:hunter/2@/roster' }),
      (error: unknown) => error instanceof ConfigError && !error.message.includes('hunter'),
    );
  });

  it('does not echo a database URL, which may carry a password', () => {
    assert.throws(
      () => loadConfig({ DATABASE_URL: 'mysql://root:hunter2@localhost/roster' }),
      (error: unknown) => error instanceof ConfigError && !error.message.includes('hunter2'),
    );
  });
});
