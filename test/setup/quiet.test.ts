import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { testApp } from '../synth/synth-app';

const REPO_ROOT = join(import.meta.dirname, '..', '..');

describe('nothing to silence', () => {
  it('npm commands in the repository print no configuration warning (no unknown .npmrc key)', () => {
    const npm = spawnSync('npm', ['config', 'get', 'registry'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(npm.status).toBe(0);
    expect(npm.stderr).toBe('');
  });

  it('synth tests write their cloud assemblies under the run scratch folder, not into /tmp/cdk.out*', () => {
    expect(testApp().outdir.startsWith(inject('scratchDir'))).toBe(true);
  });
});
