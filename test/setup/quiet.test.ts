import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
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

  it('leaves nothing in /tmp: temporary files of tests and the processes they start go under the run scratch folder', () => {
    expect(tmpdir().startsWith(inject('scratchDir'))).toBe(true);
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(require("node:os").tmpdir())'], {
      encoding: 'utf8',
    });
    expect(child.stdout.startsWith(inject('scratchDir'))).toBe(true);
  });

  it('synth tests write their cloud assemblies under the run scratch folder, not into /tmp/cdk.out*', () => {
    expect(testApp().outdir.startsWith(inject('scratchDir'))).toBe(true);
  });
});
