import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = join(import.meta.dirname, '..', '..');
const read = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8');

/**
 * The worker image cannot be built here (no Docker engine), so its build's agreement with local mode is checked on
 * the files: both bundle through workers/bundle.ts, for the Node the image runs.
 */
describe('worker image bundle', () => {
  const dockerfile = read('workers/Dockerfile');

  it('is built by the same bundler as local mode, not by flags of its own', () => {
    expect(dockerfile).toContain('RUN npx tsx workers/build-image-bundle.ts');
    expect(dockerfile).not.toMatch(/\besbuild\b/);
    expect(read('workers/build-image-bundle.ts')).toContain("from './bundle'");
    expect(read('local/workflows/worker-bundle.ts')).toContain("from '../../workers/bundle'");
  });

  it('targets the Node version of the image it runs in', () => {
    const major = /^ARG NODE_IMAGE=node:(\d+)-/m.exec(dockerfile)?.[1];
    expect(major).toBeDefined();
    expect(read('workers/build-image-bundle.ts')).toContain(`'node${major}'`);
    // The runtime stage copies node from the deps stage, which is built FROM the same NODE_IMAGE.
    expect(dockerfile).toMatch(/FROM \$\{NODE_IMAGE\} AS deps/);
    expect(dockerfile).toContain('COPY --from=deps /usr/local/bin/node /usr/local/bin/node');
  });
});
