import { join } from 'node:path';
import { bundleWorkers } from '../../workers/bundle';

/**
 * The workers bundled into JavaScript (workers/bundle.ts), once per start of the local service: each ECS task then
 * starts `node` on it instead of transpiling every TypeScript file again through tsx (a start went from 1.6 to
 * 0.35–0.55 CPU-seconds; bench/README.md, issue 9). The bundle lies under node_modules/.cache so that the native
 * addons resolve to the repository's node_modules; chunk names carry their content hash, so services started from
 * other code do not overwrite each other's chunks.
 */
export function bundleLocalWorkers(repoRoot: string): string {
  return bundleWorkers(repoRoot, join(repoRoot, 'node_modules', '.cache', 'add-media-local', 'workers'), 'node20');
}
