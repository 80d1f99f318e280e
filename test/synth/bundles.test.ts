import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../core/routes';
import { lambdaBuildOptions, lambdaEntry, WORKER_ONLY_MODULES } from '../../lib/base-function';

/** Bundles one handler as createFunction does (in memory) and returns esbuild's metafile. */
async function bundle(entry: string): Promise<Metafile> {
  const result = await build({
    ...lambdaBuildOptions(entry, join(tmpdir(), 'bundles-test-unwritten')),
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return result.metafile;
}

/** The inputs of what importing index.mjs reads: the entry and the chunks it imports statically, not `import()`'s. */
function loadedAtImport(metafile: Metafile): string[] {
  const { outputs } = metafile;
  const entry = Object.keys(outputs).find((path) => outputs[path]!.entryPoint)!;
  const loaded = new Set<string>();
  const pending = [entry];
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    if (loaded.has(path)) continue;
    loaded.add(path);
    pending.push(
      ...outputs[path]!.imports.filter((i) => i.kind === 'import-statement' && !i.external).map((i) => i.path),
    );
  }
  return [...loaded].flatMap((path) => Object.keys(outputs[path]!.inputs));
}

const packagesIn = (inputs: readonly string[], packages: readonly string[]) =>
  packages.filter((name) => inputs.some((input) => input.includes(`node_modules/${name}/`)));

const API_HANDLERS = ['authorizer', ...ROUTES.map((route) => route.handler)];
/** Every deployed Lambda that calls AWS (the public routes call nothing), the pipeline's and the sweeper's included. */
const PUBLIC_HANDLERS = ROUTES.filter((route) => route.access === 'public').map((route) => route.handler);
const AWS_CALLING_HANDLERS = [
  ...API_HANDLERS.filter((handler) => !PUBLIC_HANDLERS.includes(handler)),
  'plan',
  'finalize',
  'mark-failed',
  'finish-reindex',
  'stale-lock',
  'sweeper',
];

describe('API Lambda bundles', () => {
  it.each(API_HANDLERS)('%s neither bundles nor imports a worker-only native module', async (handler) => {
    const metafile = await bundle(lambdaEntry(handler));
    const worker = new RegExp(`node_modules/(${WORKER_ONLY_MODULES.join('|')})/`);
    expect(Object.keys(metafile.inputs).filter((input) => worker.test(input))).toEqual([]);
    const leftOut = Object.values(metafile.outputs)
      .flatMap((output) => output.imports)
      .filter((i) => i.external && (WORKER_ONLY_MODULES as readonly string[]).includes(i.path));
    expect(leftOut.map((i) => i.path)).toEqual([]);
  });

  it.each(AWS_CALLING_HANDLERS)(
    '%s takes credentials from the environment only, without the default chain',
    async (handler) => {
      const inputs = Object.keys((await bundle(lambdaEntry(handler))).inputs);
      expect(
        inputs.filter((input) =>
          /node_modules\/@aws-sdk\/(credential-provider-(?!env\/)|nested-clients\/)/.test(input),
        ),
      ).toEqual([]);
      expect(inputs).toContain('core/aws/lambda-credentials.ts');
    },
  );

  it('the authorizer bundles the Secrets Manager client but reads it only when it fetches the secret', async () => {
    const metafile = await bundle(lambdaEntry('authorizer'));
    const client = ['@aws-sdk/client-secrets-manager'];
    expect(packagesIn(Object.keys(metafile.inputs), client)).toEqual(client);
    expect(packagesIn(loadedAtImport(metafile), client)).toEqual([]);
  });

  it.each(['add-media', 'create-dataset'])(
    '%s reads the sniffer, archive readers and manifest parsers only for forms that need them',
    async (handler) => {
      const metafile = await bundle(lambdaEntry(handler));
      const onDemand = ['file-type', 'yauzl', 'tar-stream', 'csv-parse', 'hyparquet'];
      expect(packagesIn(Object.keys(metafile.inputs), onDemand)).toEqual(onDemand);
      expect(packagesIn(loadedAtImport(metafile), onDemand)).toEqual([]);
      expect(packagesIn(loadedAtImport(metafile), ['busboy'])).toEqual(['busboy']);
    },
  );

  it.each(API_HANDLERS.filter((handler) => handler !== 'openapi'))(
    '%s bundles neither the OpenAPI generator nor the response schemas (it only imports their types)',
    async (handler) => {
      const metafile = await bundle(lambdaEntry(handler));
      const schemaModules = ['core/api-schema/openapi-document.ts', 'core/api-schema/response-bodies.ts'];
      expect(Object.keys(metafile.inputs).filter((input) => schemaModules.includes(input))).toEqual([]);
    },
  );
});
