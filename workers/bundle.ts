import { join } from 'node:path';
import { buildSync } from 'esbuild';

/** Left as imports: native addons, which find their binaries relative to their own package folder. */
const NATIVE_PACKAGES = ['sharp', 'onnxruntime-node'];

/** CommonJS code bundled into ES modules still calls require() (node built-ins, lazy requires); give it one. */
const REQUIRE_BANNER =
  "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);";

/**
 * Bundles the workers' entry point (workers/main.ts, the repository code and the packages it imports, native addons
 * aside) into ES modules under `outdir`, for Node `target`; returns the entry file. The one build of the workers: local
 * mode runs it at each start of the service (local/workflows/worker-bundle.ts), the worker image at build time
 * (workers/build-image-bundle.ts), so both run the same JavaScript.
 * - Split into one chunk per task (main.ts imports each task when it runs): a task loads only its own code.
 * - The packages bundled too: a start reads a few files instead of resolving and loading hundreds of small ones
 *   (0.35–0.55 CPU-seconds per start against 0.8–0.9; bench/README.md, issue 9).
 * - Source maps written beside the chunks but not switched on, as for the Lambda bundles (lib/base-function.ts): Node
 *   would parse every map, packages included, at each start (0.3–0.5 CPU-seconds more); `node --enable-source-maps`
 *   on the bundle shows TypeScript lines.
 */
export function bundleWorkers(repoRoot: string, outdir: string, target: string): string {
  buildSync({
    entryPoints: [join(repoRoot, 'workers', 'main.ts')],
    outdir,
    outExtension: { '.js': '.mjs' },
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target,
    // Packages' ES-module builds where they ship one (the AWS SDK's): smaller chunks than their CommonJS builds.
    mainFields: ['module', 'main'],
    external: NATIVE_PACKAGES,
    banner: { js: REQUIRE_BANNER },
    sourcemap: 'linked',
    sourcesContent: false,
    absWorkingDir: repoRoot,
    logLevel: 'error',
  });
  return join(outdir, 'main.mjs');
}
