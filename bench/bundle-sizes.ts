/**
 * Size of each Lambda handler bundled the way lib/base-function.ts deploys it (esbuild, minified ESM for Node on
 * arm64, worker-only native modules external), once with the AWS SDK bundled (what is deployed: bundleAwsSDK) and once
 * with it left to the runtime, for comparison.
 *
 *   npx tsx bench/bundle-sizes.ts
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { WORKER_ONLY_MODULES } from '../lib/base-function';

const ROOT = join(import.meta.dirname, '..');
const LAMBDAS = join(ROOT, 'lambdas');

async function bundledBytes(entry: string, external: readonly string[]): Promise<number> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    mainFields: ['module', 'main'],
    external: [...WORKER_ONLY_MODULES, ...external],
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles.reduce((sum, file) => sum + file.contents.byteLength, 0);
}

const handlers = readdirSync(LAMBDAS)
  .filter(
    (name) => name !== 'shared' && statSync(join(LAMBDAS, name, 'handler.ts'), { throwIfNoEntry: false })?.isFile(),
  )
  .sort();

console.log(`${'handler'.padEnd(16)} ${'bundled (KB)'.padStart(13)} ${'SDK external (KB)'.padStart(18)}`);
for (const name of handlers) {
  const entry = join(LAMBDAS, name, 'handler.ts');
  const [full, withoutSdk] = await Promise.all([
    bundledBytes(entry, []),
    bundledBytes(entry, ['@aws-sdk/*', '@smithy/*']),
  ]);
  console.log(
    `${name.padEnd(16)} ${(full / 1024).toFixed(0).padStart(13)} ${(withoutSdk / 1024).toFixed(0).padStart(18)}`,
  );
}
