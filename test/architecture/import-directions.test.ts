import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The allowed import directions of docs/DESIGN.md, by top-level folder. `core/` is the domain and imports only itself;
 * `lambdas/` (HTTP/auth adapters and handlers), `workers/` and `lib/` (the CDK app) build on it; `local/` hosts the
 * Lambda adapters as they are deployed, so it may import `lambdas/` too, but never a worker's or the CDK's internals
 * (workers run as child processes, found by path): only the workers' build, which it runs at start.
 */
const ALLOWED: Record<string, readonly string[]> = {
  core: ['core'],
  lambdas: ['lambdas', 'core'],
  workers: ['workers', 'core'],
  lib: ['lib', 'core'],
  local: ['local', 'lambdas', 'core'],
  bin: ['bin', 'lib', 'core'],
};

/** Files outside a folder's directions that it may import all the same, by importing folder. */
const SHARED_FILES: Record<string, readonly string[]> = { local: ['workers/bundle'] };

const IMPORT_SPECIFIER = /(?:\bfrom|\bimport)\s*\(?\s*['"]([^'"]+)['"]/g;

function sourceFiles(folder: string): string[] {
  return readdirSync(join(REPO_ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.m?ts$/.test(name))
    .map((name) => join(folder, name));
}

/** Relative imports of a file, as repository-relative paths. */
function relativeImports(file: string): string[] {
  const source = readFileSync(join(REPO_ROOT, file), 'utf8');
  return [...source.matchAll(IMPORT_SPECIFIER)]
    .map((match) => match[1]!)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => relative(REPO_ROOT, resolve(REPO_ROOT, dirname(file), specifier)));
}

const topFolder = (path: string): string => path.split('/')[0]!;

/** `lambdas/<route>/` folders are entry points: no handler imports another one's files. */
const HANDLER_SHARED = new Set(['auth', 'http', 'requests']);
const handlerFolder = (path: string): string | undefined => {
  const [top, second] = path.split('/');
  return top === 'lambdas' && second !== undefined && !HANDLER_SHARED.has(second) ? second : undefined;
};

/** What is wrong with one file's imports: each forbidden target, named. */
function forbiddenImports(file: string, targets: readonly string[]): string[] {
  const allowed = ALLOWED[topFolder(file)]!;
  return targets
    .filter((target) => {
      if (SHARED_FILES[topFolder(file)]?.includes(target)) return false;
      if (!allowed.includes(topFolder(target))) return true;
      const targetHandler = handlerFolder(target);
      return targetHandler !== undefined && targetHandler !== handlerFolder(file);
    })
    .map((target) => `${file} imports ${target}`);
}

describe('import directions (docs/DESIGN.md)', () => {
  it('core imports only core; adapters import core and never each other’s internals', () => {
    const found = Object.keys(ALLOWED).flatMap((folder) =>
      sourceFiles(folder).flatMap((file) => forbiddenImports(file, relativeImports(file))),
    );
    expect(found).toEqual([]);
  });

  it('names the imports that break the rule', () => {
    expect(
      forbiddenImports('core/operations/list-media.ts', ['lambdas/http/responses', 'core/store/table-schema']),
    ).toEqual(['core/operations/list-media.ts imports lambdas/http/responses']);
    expect(forbiddenImports('local/runtime.ts', ['workers/model/model-source', 'lib/api/api'])).toHaveLength(2);
    expect(forbiddenImports('local/workflows/worker-bundle.ts', ['workers/bundle'])).toEqual([]);
    expect(forbiddenImports('lambdas/http/responses.ts', ['workers/bundle'])).toHaveLength(1);
    expect(
      forbiddenImports('lambdas/reindex/handler.ts', ['lambdas/add-media/handler', 'lambdas/http/responses']),
    ).toEqual(['lambdas/reindex/handler.ts imports lambdas/add-media/handler']);
  });

  it('reads relative imports of a real file as repository paths', () => {
    expect(relativeImports('local/embedded/ensure-table.ts')).toContain('core/store/table-schema');
  });
});
