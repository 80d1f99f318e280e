import { join } from 'node:path';
import { buildSync } from 'esbuild';

/**
 * Bundles the workers' entry point (workers/main.ts and the repository code it imports; npm packages stay imports)
 * into one JavaScript file, once per start of the local service. Each ECS task then starts `node` on it instead of
 * transpiling every TypeScript file again through tsx: measured here, a task's start went from 1.6 to 1.1 CPU-seconds
 * and from 4.5 s to 2.3 s of wall time on a loaded machine. The bundle lies under node_modules/.cache so that its
 * package imports resolve to the repository's node_modules.
 */
export function bundleWorkers(repoRoot: string): string {
  const outfile = join(repoRoot, 'node_modules', '.cache', 'add-media-local', 'workers.mjs');
  buildSync({
    entryPoints: [join(repoRoot, 'workers', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'error',
  });
  return outfile;
}
