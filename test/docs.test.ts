// The documentation against the code, both ways where it is cheap: every API error code, audit
// action, SSO failure reason, environment variable and CLI command is documented, and what the
// docs' reference tables list exists; the dashboard's Okta steps are docs/okta.md's. A new code, action, reason, variable or command fails here
// until its docs are written.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { AUDIT_ACTIONS } from '../src/audit/actions.ts';
import { SSO_FAILURE_REASONS } from '../src/auth/saml/sso-failure.ts';
import { USAGE } from '../src/cli/main.ts';
import { OKTA_STEPS } from '../src/dashboard/pages/scim-setup.ts';
import { ERROR_CATALOGUE } from '../src/errors.ts';

function read(path: string): string {
  return readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
}

/** The text of `file` from the line `start` up to the next heading of the same or a higher level. */
function section(file: string, start: string): string {
  const text = read(file);
  const from = text.indexOf(`\n${start}\n`);
  assert.ok(from >= 0, `${file} has no "${start}"`);
  const level = /^#+/.exec(start)?.[0].length ?? 2;
  const next = new RegExp(`\\n#{1,${level}} `, 'g');
  next.lastIndex = from + start.length + 1;
  const end = next.exec(text)?.index ?? text.length;
  return text.slice(from, end);
}

/** The backticked first cells of a Markdown table's rows. */
function firstCells(text: string): string[] {
  return [...text.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1] as string);
}

function sorted(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

describe('the documentation', () => {
  it('lists every API error code of the catalogue, with its status and scimType, in docs/dashboard.md', () => {
    const table = section('docs/dashboard.md', '### Error codes');
    const documented = [...table.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \| (?:—|`(\w+)`) \|/gm)].map(
      ([, code, status, scimType]) => ({ code, status: Number(status), scimType }),
    );
    const catalogued = Object.entries(ERROR_CATALOGUE).map(([code, entry]) => ({
      code,
      status: entry.status,
      scimType: 'scimType' in entry ? entry.scimType : undefined,
    }));
    const byCode = (a: { code?: string }, b: { code?: string }) =>
      String(a.code).localeCompare(String(b.code));
    assert.deepEqual(documented.sort(byCode), catalogued.sort(byCode));
  });

  it('explains every audit action in docs/dashboard.md, and names no action Roster does not write', () => {
    const audit = section('docs/dashboard.md', '## The audit log');
    const missing = AUDIT_ACTIONS.filter((action) => !audit.includes(`\`${action}\``));
    assert.deepEqual(missing, []);
    const list = audit.slice(audit.indexOf('**Actions Roster writes**'), audit.indexOf('**Counted'));
    // member.linked: written before member.created covered linking; old logs still hold it.
    const known = new Set<string>([...AUDIT_ACTIONS, 'member.linked']);
    const named = sorted([...list.matchAll(/`([a-z]+\.[a-z_]+)`/g)].map((match) => match[1] as string));
    assert.deepEqual(
      named.filter((action) => !known.has(action)),
      [],
    );
  });

  it("explains every SSO failure reason in docs/sso-okta.md's troubleshooting table, and no other", () => {
    const table = section('docs/sso-okta.md', '## Troubleshooting');
    assert.deepEqual(sorted(firstCells(table)), sorted(SSO_FAILURE_REASONS));
  });

  it('documents every environment variable config.ts reads in the README, and lists only those', () => {
    const source = read('src/config.ts');
    const read_ = [...source.matchAll(/\benv\.([A-Z][A-Z0-9_]+)|\benv, '([A-Z][A-Z0-9_]+)'/g)].map(
      (match) => (match[1] ?? match[2]) as string,
    );
    const variables = sorted(read_);
    assert.ok(variables.includes('DATABASE_URL') && variables.includes('TRUST_PROXY'), variables.join());
    assert.deepEqual(sorted(firstCells(section('README.md', '## Configuration'))), variables);
    // docs/deploy.md explains them for several instances: it may skip some, but invent none.
    const deploy = firstCells(section('docs/deploy.md', '## Environment variables'));
    assert.deepEqual(
      deploy.filter((variable) => !variables.includes(variable)),
      [],
    );
  });

  it('documents every CLI command and subcommand in the README, and lists only those the CLI has', () => {
    const commandOf = (line: string) => /^ {2}([a-z][a-z-]*)(?: ([a-z][a-z0-9-]*)(?= |$))?/.exec(line);
    const usage = sorted(
      USAGE.split('\n')
        .map(commandOf)
        .filter((match) => match !== null)
        .map((match) => [match[1], match[2]].filter(Boolean).join(' ')),
    );
    const dispatched = [...read('src/cli/main.ts').matchAll(/^ {6}case '([a-z-]+)':/gm)].map(
      (match) => match[1] as string,
    );
    assert.deepEqual(sorted(usage.map((command) => command.split(' ')[0] as string)), sorted(dispatched));
    const readme = sorted(
      firstCells(section('README.md', '## CLI'))
        .map((cell) => /^roster ([a-z][a-z-]*)(?: ([a-z][a-z0-9-]*)(?= |$))?/.exec(cell))
        .filter((match) => match !== null)
        .map((match) => [match[1], match[2]].filter(Boolean).join(' ')),
    );
    assert.deepEqual(readme, usage);
  });

  it("gives the dashboard's Okta steps as docs/okta.md does: the same steps, the same Okta controls in order", () => {
    const configure = section('docs/okta.md', '## Configure Okta');
    const steps = configure.slice(configure.indexOf('\n1. ') + 1).split(/\n\n/)[0] ?? '';
    const documented = steps
      .split(/\n(?=\d\. )/)
      .map((step) => [...step.matchAll(/\*\*([^*]+)\*\*/g)].map((m) => m[1]));
    const shown = OKTA_STEPS.map((step) =>
      [...String(step).matchAll(/<strong>([^<]+)<\/strong>/g)].map((m) => m[1]),
    );
    assert.equal(shown.length, 5);
    assert.deepEqual(shown, documented);
  });
});
