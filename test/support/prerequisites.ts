import { spawnSync } from 'node:child_process';
import { onPath } from '../../local/preflight/media-tools';

/** What the suite needs beyond Node, the apt package that provides it, and why. */
const NEEDS = [
  { tool: 'java', apt: 'default-jre-headless', why: 'DynamoDB Local' },
  { tool: 'ffmpeg', apt: 'ffmpeg', why: 'video tests' },
  { tool: 'ffprobe', apt: 'ffmpeg', why: 'video tests' },
  { tool: 'chromium', apt: 'chromium', why: 'gallery browser tests' },
] as const;

/**
 * One line naming what is missing and how to get it, or undefined when everything is there: checked before any server
 * starts, so a machine without them fails in its first second instead of in dozens of tests.
 */
export function missingPrerequisites(env: NodeJS.ProcessEnv): string | undefined {
  const path = env.PATH ?? '';
  const missing: { name: string; apt: string }[] = NEEDS.filter(({ tool }) => !onPath(tool, path)).map(
    ({ tool, apt, why }) => ({ name: `${tool} (${why})`, apt }),
  );
  const requests = onPath('python3', path) && spawnSync('python3', ['-c', 'import requests']).status === 0;
  if (!requests) missing.push({ name: "python3 with requests (the Python example's test)", apt: 'python3-requests' });
  if (missing.length === 0) return undefined;
  const packages = [...new Set(missing.map(({ apt }) => apt))].join(' ');
  return `npm test needs ${missing.map(({ name }) => name).join(', ')}: install with \`sudo apt-get install -y ${packages}\`, or run \`bash .ci/run\`, which installs them and runs the tests`;
}
