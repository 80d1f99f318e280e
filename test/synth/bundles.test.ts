import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../core/routes';
import { BUNDLE_TARGET, lambdaEntry, WORKER_ONLY_MODULES } from '../../lib/base-function';

/** Bundles one handler as BaseFunction does (in memory) and returns esbuild's metafile. */
async function bundle(entry: string): Promise<Metafile> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE_TARGET,
    mainFields: ['module', 'main'],
    external: [...WORKER_ONLY_MODULES],
    logLevel: 'silent',
  });
  return result.metafile;
}

const API_HANDLERS = ['authorizer', ...ROUTES.map((route) => route.handler)];

describe('API Lambda bundles', () => {
  it.each(API_HANDLERS)('%s neither bundles nor imports a worker-only native module', async (handler) => {
    const metafile = await bundle(lambdaEntry(handler));
    const worker = new RegExp(`node_modules/(${WORKER_ONLY_MODULES.join('|')})/`);
    expect(Object.keys(metafile.inputs).filter((input) => worker.test(input))).toEqual([]);
    const output = Object.values(metafile.outputs)[0]!;
    const leftOut = output.imports.filter(
      (i) => i.external && (WORKER_ONLY_MODULES as readonly string[]).includes(i.path),
    );
    expect(leftOut.map((i) => i.path)).toEqual([]);
  });

  it.each(API_HANDLERS.filter((handler) => handler !== 'openapi'))(
    '%s bundles neither the OpenAPI generator nor the response schemas (it only imports their types)',
    async (handler) => {
      const metafile = await bundle(lambdaEntry(handler));
      const schemaModules = ['core/api-schema/openapi-document.ts', 'core/api-schema/response-bodies.ts'];
      expect(Object.keys(metafile.inputs).filter((input) => schemaModules.includes(input))).toEqual([]);
    },
  );
});
