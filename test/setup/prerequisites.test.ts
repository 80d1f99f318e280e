import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { missingPrerequisites } from '../support/prerequisites';

const bin = mkdtempSync(join(tmpdir(), 'prerequisites-'));
afterAll(() => rmSync(bin, { recursive: true, force: true }));

describe('npm test on a machine without Java, ffmpeg or Chromium', () => {
  it('names what is missing and the apt command that installs it, in one line', () => {
    expect(missingPrerequisites({ PATH: bin })).toBe(
      "npm test needs java (DynamoDB Local), ffmpeg (video tests), ffprobe (video tests), chromium (gallery browser tests), python3 with requests (the Python example's test): install with `sudo apt-get install -y default-jre-headless ffmpeg chromium python3-requests`, or run `bash .ci/run`, which installs them and runs the tests",
    );
    expect(missingPrerequisites(process.env)).toBeUndefined();
  });

  it('stops `vitest run` before it starts any server, printing that one line', () => {
    symlinkSync(process.execPath, join(bin, 'node'));
    const started = Date.now();
    const run = spawnSync(process.execPath, [join('node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/planner'], {
      cwd: join(import.meta.dirname, '..', '..'),
      env: { PATH: bin, HOME: bin },
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^npm test needs java \(DynamoDB Local\), /)]);
    expect(Date.now() - started).toBeLessThan(15_000); // vitest's own start-up on a loaded machine; the check is instant
  });
});
