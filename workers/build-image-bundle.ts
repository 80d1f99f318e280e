/**
 * The worker image's bundle (workers/Dockerfile, stage 1, run from the build context's root): the same build as local
 * mode's (bundle.ts), for the image's Node 22, into dist/.
 */
import { join } from 'node:path';
import { bundleWorkers } from './bundle';

bundleWorkers(process.cwd(), join(process.cwd(), 'dist'), 'node22');
