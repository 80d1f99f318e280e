import { join } from 'node:path';
import { buildSync } from 'esbuild';

/** Left as imports: native addons, which find their binaries relative to their own package folder. */
const NATIVE_PACKAGES = ['sharp', 'onnxruntime-node'];

/** CommonJS code bundled into ES modules still calls require() (node built-ins, lazy requires); give it one. */
const REQUIRE_BANNER =
  "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);";

/**
 * Bundles the workers' entry point (workers/main.ts, the repository code and the packages it imports, native addons
 * aside) into JavaScript, once per start of the local service. Each ECS task then starts `node` on it instead of
 * transpiling every TypeScript file again through tsx (a start went from 1.6 to 1.1 CPU-seconds). Split into one
 * chunk per task (main.ts imports each task when it runs), a task loads only its own code: 0.8–0.9 CPU-seconds per
 * start. With the packages bundled too, a start reads a few files instead of resolving and loading hundreds of small
 * ones: 0.35–0.55 CPU-seconds (bench/README.md, issue 9). Source maps are written beside the chunks but not switched
 * on, as for the Lambda bundles (lib/base-function.ts): Node would parse every map, packages included, at each start
 * (0.3–0.5 CPU-seconds more); `node --enable-source-maps` on the bundle shows TypeScript lines. The bundle lies
 * under node_modules/.cache so that the native addons resolve to the repository's node_modules; chunk names carry
 * their content hash, so services started from other code do not overwrite each other's chunks.
 */
export function bundleWorkers(repoRoot: string): string {
  const outdir = join(repoRoot, 'node_modules', '.cache', 'add-media-local', 'workers');
  buildSync({
    entryPoints: [join(repoRoot, 'workers', 'main.ts')],
    outdir,
    outExtension: { '.js': '.mjs' },
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Packages' ES-module builds where they ship one (the AWS SDK's): smaller chunks than their CommonJS builds.
    mainFields: ['module', 'main'],
    external: NATIVE_PACKAGES,
    banner: { js: REQUIRE_BANNER },
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'error',
  });
  return join(outdir, 'main.mjs');
}
