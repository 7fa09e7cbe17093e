// The layers of issue 16, checked on every run: each module of src/ imports only from the modules
// below it, and no file imports itself back through others. Imports are read with TypeScript's own
// import scanner (already a dev dependency, as the type checker): static `import … from`,
// `export … from`, side-effect `import '…'` and dynamic `import('…')`, type-only ones included —
// a type import is a dependency on a module's vocabulary all the same.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** File → the project files it imports (paths relative to the repository root, with `/`). */
type ImportGraph = ReadonlyMap<string, readonly string[]>;

/**
 * Bottom to top: a module may import only from a module of a lower row. A module is a top-level
 * directory of src/, or one of the files src/config.ts, src/errors.ts, src/main.ts. The CLI is
 * above main because `roster serve` starts the server through main's `serve`.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['scim', 'errors'],
  ['store'],
  ['config'],
  ['mail'],
  ['audit'],
  ['events'],
  ['webhooks'],
  ['auth'],
  ['membership'],
  ['accounts'],
  ['provisioning'],
  ['sign-in'],
  ['web'],
  ['dashboard'],
  ['oidc'],
  ['http'],
  ['main'],
  ['cli'],
];

/** Narrower than the rows: of these lower modules, only these files may be imported. */
const ONLY: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  // The store takes a validated filter AST; parsing and validating it are the protocol's business.
  store: { scim: ['src/scim/filter/ast.ts'] },
  config: { store: ['src/store/redact-url.ts'] },
};

/** Entry points: run, never imported (what the CLI's commands share is in src/cli/output.ts). */
const ENTRY_POINTS: readonly string[] = ['src/cli/main.ts'];

interface Exception {
  from: string;
  to: string;
  why: string;
}

/**
 * Imports allowed against the layers, named one by one with the reason. None today: the store
 * compiles a validated filter AST and raises its own errors. A new entry must say why, and the last
 * test fails on one no longer needed.
 */
const EXCEPTIONS: readonly Exception[] = [];

const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;
/** Tests and their fixtures may reach anywhere. */
const TEST_FILE = /\.(test|fixture)\.[cm]?[jt]s$/;

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Source files under `dir`, as paths from the repository root. */
function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = posix.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return SOURCE.test(entry.name) && !TEST_FILE.test(entry.name) ? [path] : [];
  });
}

/** What a source text imports, in order: packages and relative paths alike. */
function importSpecifiers(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((imported) => imported.fileName);
}

/** The project's import graph under `dir`; throws on a relative import that names no file. */
function readImportGraph(dir: string): ImportGraph {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(dir)) {
    const targets = importSpecifiers(readFileSync(join(ROOT, file), 'utf8'))
      .filter((specifier) => specifier.startsWith('./') || specifier.startsWith('../'))
      .map((specifier) => {
        const target = posix.join(posix.dirname(file), specifier);
        if (!existsSync(join(ROOT, target)))
          throw new Error(`${file} imports '${specifier}', which is no file`);
        return target;
      });
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

function moduleOf(file: string): string | undefined {
  const parts = file.split('/');
  if (parts[0] !== 'src' || parts.length < 2) return undefined;
  return parts.length === 2 ? parts[1]!.replace(SOURCE, '') : parts[1];
}

function rankOf(module: string): number {
  return LAYERS.findIndex((row) => row.includes(module));
}

function below(rank: number): string {
  const modules = LAYERS.slice(0, rank).flat();
  return modules.length === 0 ? 'nothing from the project' : `only from ${modules.join(', ')}`;
}

/** Why `from` may not import `to`, or undefined when it may. */
function brokenRule(from: string, to: string): string | undefined {
  const fromModule = moduleOf(from);
  const toModule = moduleOf(to);
  if (fromModule === undefined) return undefined;
  if (toModule === undefined) return `src/ imports nothing outside src/`;
  if (ENTRY_POINTS.includes(to)) return `${to} is an entry point, imported by nothing`;
  if (fromModule === toModule) return undefined;
  const fromRank = rankOf(fromModule);
  const toRank = rankOf(toModule);
  if (fromRank < 0) return `${fromModule} is in no layer: add it to LAYERS in test/architecture.test.ts`;
  if (toRank < 0) return `${toModule} is in no layer: add it to LAYERS in test/architecture.test.ts`;
  if (toRank >= fromRank) {
    return `${fromModule} may import ${below(fromRank)}; ${toModule} is ${toRank === fromRank ? 'on the same layer' : 'above it'}`;
  }
  const allowed = ONLY[fromModule]?.[toModule];
  if (allowed && !allowed.includes(to)) {
    return `${fromModule} may import from ${toModule} only ${allowed.join(', ')}`;
  }
  return undefined;
}

/** One line per import that breaks the layers and is not an exception. */
function layerViolations(graph: ImportGraph, exceptions: readonly Exception[] = []): string[] {
  const violations: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const rule = brokenRule(from, to);
      if (rule && !exceptions.some((e) => e.from === from && e.to === to)) {
        violations.push(`${from} imports ${to}: ${rule}`);
      }
    }
  }
  return violations;
}

/**
 * Every import cycle between files, one path per strongly connected component (Tarjan), written
 * `a -> b -> a`.
 */
function importCycles(graph: ImportGraph): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[] = [];

  const connect = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!index.has(next)) {
        connect(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file)!, index.get(next)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component = new Set<string>();
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.add(member);
    } while (member !== file);
    const path = cycleThrough(graph, file, component);
    if (path) cycles.push(path.join(' -> '));
  };

  for (const file of [...graph.keys()].sort()) if (!index.has(file)) connect(file);
  return cycles;
}

/** A shortest path from `start` back to itself inside `component` (breadth first), if any. */
function cycleThrough(
  graph: ImportGraph,
  start: string,
  component: ReadonlySet<string>,
): string[] | undefined {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const file = queue[i]!;
    for (const next of graph.get(file) ?? []) {
      if (!component.has(next)) continue;
      if (next === start) {
        const chain: string[] = [];
        for (let at = file; at !== start; at = cameFrom.get(at)!) chain.unshift(at);
        return [start, ...chain, start];
      }
      if (!cameFrom.has(next)) {
        cameFrom.set(next, file);
        queue.push(next);
      }
    }
  }
  return undefined;
}

describe('architecture', () => {
  const graph = readImportGraph('src');

  it('every module of src/ imports only from the layers below it', () => {
    const violations = layerViolations(graph, EXCEPTIONS);
    assert.deepEqual(violations, [], `imports against the layers:\n${violations.join('\n')}`);
  });

  it('no file of src/ imports itself back through other files', () => {
    const cycles = importCycles(graph);
    assert.deepEqual(cycles, [], `import cycles:\n${cycles.join('\n')}`);
  });

  it('every exception is still needed (delete the ones that are not)', () => {
    const stale = EXCEPTIONS.filter((e) => !graph.get(e.from)?.includes(e.to)).map(
      (e) => `${e.from} no longer imports ${e.to}`,
    );
    assert.deepEqual(stale, []);
  });

  it('reads the whole of src/, dynamic imports included', () => {
    assert.ok(graph.size > 100, `only ${graph.size} files read`);
    assert.ok(graph.get('src/cli/main.ts')?.includes('src/main.ts'), 'the dynamic import of main');
  });
});

describe('the architecture checker', () => {
  it('reads static, re-export, side-effect, dynamic and type-only imports, not comments or strings', () => {
    const source = `import assert from 'node:assert/strict';
      import type { FilterNode } from '../scim/filter/ast.ts';
      import {
        type Store,
        openStore,
      } from './store.ts';
      import './side-effect.ts';
      export { html } from './html.ts';
      export type * from './types.ts';
      // import './commented-out.ts';
      const text = "import './in-a-string.ts'";
      const later = await import('./later.ts');`;
    assert.deepEqual(importSpecifiers(source), [
      'node:assert/strict',
      '../scim/filter/ast.ts',
      './store.ts',
      './side-effect.ts',
      './html.ts',
      './types.ts',
      './later.ts',
    ]);
  });

  it('reports an upward import, a same-layer import, a file outside the allowed ones and an entry point', () => {
    const graph: ImportGraph = new Map([
      ['src/scim/filter/parse-filter.ts', ['src/scim/filter/ast.ts', 'src/http/create-app.ts']],
      ['src/errors.ts', ['src/scim/scim-error.ts']],
      ['src/store/repos/members.ts', ['src/scim/filter/ast.ts', 'src/scim/filter/validate-filter.ts']],
      ['src/config.ts', ['src/store/redact-url.ts', 'src/store/store.ts']],
      ['src/http/create-app.ts', ['src/dashboard/dashboard-routes.ts', 'src/web/session.ts']],
      ['src/web/session.ts', ['src/dashboard/context.ts']],
      ['src/cli/main.ts', ['src/main.ts']],
      ['src/cli/tokens-command.ts', ['src/cli/output.ts', 'src/cli/main.ts']],
    ]);
    assert.deepEqual(layerViolations(graph), [
      'src/scim/filter/parse-filter.ts imports src/http/create-app.ts: scim may import nothing from the project; http is above it',
      'src/errors.ts imports src/scim/scim-error.ts: errors may import nothing from the project; scim is on the same layer',
      'src/store/repos/members.ts imports src/scim/filter/validate-filter.ts: store may import from scim only src/scim/filter/ast.ts',
      'src/config.ts imports src/store/store.ts: config may import from store only src/store/redact-url.ts',
      'src/web/session.ts imports src/dashboard/context.ts: web may import only from scim, errors, store, config, mail, audit, events, webhooks, auth, membership, accounts, provisioning, sign-in; dashboard is above it',
      'src/cli/tokens-command.ts imports src/cli/main.ts: src/cli/main.ts is an entry point, imported by nothing',
    ]);
  });

  it('lets a named exception through, and only that import', () => {
    const graph: ImportGraph = new Map([
      ['src/store/filter/sql-leaf.ts', ['src/scim/scim-error.ts', 'src/scim/fold-case.ts']],
    ]);
    const exception = { from: 'src/store/filter/sql-leaf.ts', to: 'src/scim/scim-error.ts', why: 'test' };
    assert.deepEqual(layerViolations(graph, [exception]), [
      'src/store/filter/sql-leaf.ts imports src/scim/fold-case.ts: store may import from scim only src/scim/filter/ast.ts',
    ]);
  });

  it('reports each import cycle with its path, and none in a graph without one', () => {
    const graph: ImportGraph = new Map([
      ['src/http/a.ts', ['src/http/b.ts']],
      ['src/http/b.ts', ['src/http/c.ts', 'src/web/x.ts']],
      ['src/http/c.ts', ['src/http/a.ts']],
      ['src/web/x.ts', ['src/web/y.ts']],
      ['src/web/y.ts', ['src/web/y.ts']],
    ]);
    assert.deepEqual(importCycles(graph), [
      'src/web/y.ts -> src/web/y.ts',
      'src/http/a.ts -> src/http/b.ts -> src/http/c.ts -> src/http/a.ts',
    ]);
    assert.deepEqual(importCycles(new Map([['src/http/a.ts', ['src/http/b.ts']]])), []);
  });
});
