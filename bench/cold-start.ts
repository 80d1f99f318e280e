/**
 * Cold import time of every deployed Lambda asset: the app is synthesized with bundling (what `cdk synth` writes to
 * cdk.out), each function's asset is copied without any node_modules, and its handler module is imported in 5 fresh
 * node processes with the function's environment; the median is printed (wall ms and CPU ms of the import).
 *
 * Variants, to choose the bundling settings (lib/base-function.ts lambdaBuildOptions):
 *   deployed      the asset as synthesized, with the function's environment
 *   maps-on       the same files with NODE_OPTIONS=--enable-source-maps (Node then reads the linked source maps)
 *   single-file   the entry rebuilt without code splitting: every `await import()` inlined into index.mjs
 *   default-chain rebuilt without splitting and with the SDK's default credential chain: the settings before both
 *   runtime-sdk   the entry rebuilt with @aws-sdk/* and @smithy/* left to the runtime (node_modules beside it, as
 *                 /var/runtime/node_modules is in Lambda)
 *
 *   npx tsx bench/cold-start.ts [variant ...]   (default: all)
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { type BuildOptions, build } from 'esbuild';
import { AppStack } from '../lib/app-stack';
import { lambdaBuildOptions, lambdaEntry, REPO_ROOT, WORKER_ONLY_MODULES } from '../lib/base-function';
import { loadDeploymentConfig } from '../lib/config';
import { loadAverage } from './measure';

const RUNS = 5;
const VARIANTS = ['deployed', 'maps-on', 'single-file', 'default-chain', 'runtime-sdk'] as const;
type Variant = (typeof VARIANTS)[number];

/** Values for the environment variables that the template fills with references. */
const PLACEHOLDERS: Readonly<Record<string, string>> = {
  BUCKET_NAME: 'media-bucket',
  TABLE_NAME: 'data-table',
  ADD_MEDIA_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:AddMedia',
  REINDEX_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:Reindex',
  AUTH_JWT_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:jwt-AbC123',
  GPU_SPOT_CAPACITY_PROVIDER: 'gpu-spot',
  GPU_ON_DEMAND_CAPACITY_PROVIDER: 'gpu-on-demand',
  GPU_TASK_DEFINITION_ARN: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/gpu:1',
  CPU_TASK_DEFINITION_ARN: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/cpu:1',
  SUBNET_IDS: 'subnet-1,subnet-2',
  SECURITY_GROUP_IDS: 'sg-1',
};

// The child measures only the import of the handler module, as the runtime's first `import()` of it.
const PROBE = `
const c0 = process.cpuUsage(); const t0 = performance.now();
await import(process.argv[1]);
const wall = performance.now() - t0; const cpu = process.cpuUsage(c0);
process.stdout.write(JSON.stringify({ wall, cpu: (cpu.user + cpu.system) / 1000 }));
`;

interface FunctionProperties {
  readonly Code: { readonly S3Key: string };
  readonly Environment?: { readonly Variables?: Record<string, unknown> };
}

interface DeployedFunction {
  readonly name: string;
  readonly assetDir: string;
  readonly environment: Record<string, string>;
}

function synthesizedFunctions(outdir: string): DeployedFunction[] {
  const context = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')).context;
  const app = new App({ outdir, context });
  new AppStack(app, 'AddMediaBackend', { config: loadDeploymentConfig(app) });
  const template = app.synth().getStackByName('AddMediaBackend').template as {
    Resources: Record<string, { Type: string; Properties: FunctionProperties }>;
  };
  return Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::Lambda::Function')
    .filter((resource) => resource.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME)
    .map((resource) => {
      const variables = resource.Properties.Environment!.Variables!;
      const environment = Object.fromEntries(
        Object.entries(variables).map(([key, value]) => [
          key,
          typeof value === 'string' ? value : (PLACEHOLDERS[key] ?? 'x'),
        ]),
      );
      return {
        name: environment.POWERTOOLS_SERVICE_NAME!,
        // Code.S3Key is `<asset hash>.zip`; cdk.out keeps the asset as asset.<hash>/.
        assetDir: join(outdir, `asset.${String(resource.Properties.Code.S3Key).replace(/\.zip$/, '')}`),
        environment,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The bundling settings of each rebuilt variant, as changes to lambdaBuildOptions. */
const REBUILT: Partial<Record<Variant, Partial<BuildOptions>>> = {
  'single-file': { splitting: false },
  'default-chain': { splitting: false, alias: {} },
  'runtime-sdk': { external: [...WORKER_ONLY_MODULES, '@aws-sdk/*', '@smithy/*'] },
};

/** The asset copied to a directory of its own: no node_modules anywhere above it (or beside it, for runtime-sdk). */
async function prepare(fn: DeployedFunction, variant: Variant, scratch: string): Promise<string> {
  const dir = join(scratch, `${fn.name}-${variant}`);
  mkdirSync(dir, { recursive: true });
  const rebuilt = REBUILT[variant];
  if (!rebuilt) {
    cpSync(fn.assetDir, dir, { recursive: true });
    return join(dir, 'index.mjs');
  }
  await build({ ...lambdaBuildOptions(lambdaEntry(fn.name), dir), ...rebuilt, logLevel: 'silent' });
  // Lambda's runtime resolves the SDK from /var/runtime/node_modules; here the repository's stands in for it.
  if (variant === 'runtime-sdk') symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return join(dir, 'index.mjs');
}

function importOnce(file: string, fn: DeployedFunction, variant: Variant): { wall: number; cpu: number } {
  const nodeOptions = variant === 'maps-on' ? '--enable-source-maps' : '';
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', PROBE, file], {
    env: {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'eu-west-1',
      ...fn.environment,
      NODE_OPTIONS: nodeOptions,
      // Node 20 here: the SDK's notice that it will soon need Node 22 (Lambda runs 24) is not a finding.
      NODE_NO_WARNINGS: '1',
    },
    encoding: 'utf8',
  });
  return JSON.parse(output);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const variants = (process.argv.slice(2).length ? process.argv.slice(2) : VARIANTS) as Variant[];
const scratch = mkdtempSync(join(tmpdir(), 'cold-start-'));
try {
  const functions = synthesizedFunctions(join(scratch, 'cdk.out'));
  console.log(`load average ${loadAverage()}; median of ${RUNS} fresh processes; wall ms / CPU ms of the import`);
  console.log(
    `${'function'.padEnd(16)} ${'KiB idx/all'.padStart(11)} ${variants.map((v) => v.padStart(17)).join(' ')}`,
  );
  for (const fn of functions) {
    const cells: string[] = [];
    for (const variant of variants) {
      const file = await prepare(fn, variant, scratch);
      const runs = Array.from({ length: RUNS }, () => importOnce(file, fn, variant));
      const wall = median(runs.map((run) => run.wall));
      const cpu = median(runs.map((run) => run.cpu));
      cells.push(`${wall.toFixed(0).padStart(8)} / ${cpu.toFixed(0).padStart(6)}`);
    }
    const code = readdirSync(fn.assetDir).filter((file) => file.endsWith('.mjs'));
    const kib = (files: string[]) =>
      files.reduce((sum, file) => sum + statSync(join(fn.assetDir, file)).size, 0) / 1024;
    const sizes = `${kib(['index.mjs']).toFixed(0)} / ${kib(code).toFixed(0)}`;
    console.log(`${fn.name.padEnd(16)} ${sizes.padStart(11)} ${cells.join(' ')}`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
