import { mkdirSync } from 'node:fs';
import type { LocalConfig } from '../config';
import { checkAuthSettings } from './auth-settings';
import { DataDirInUseError, type DataDirLock, lockDataDir } from './data-dir-lock';
import { checkFreeSpace } from './free-space';
import { checkVideoTools } from './media-tools';
import { checkPorts } from './ports';

export class PreflightError extends Error {
  override readonly name = 'PreflightError';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

export interface PreflightResult {
  readonly warnings: readonly string[];
  /** DATA_DIR is this process's until released (at stop). */
  readonly lock: DataDirLock;
}

/** What opening a file for writing answers on a read-only file system or a folder this user may not write. */
const NOT_WRITABLE = new Set(['EROFS', 'EACCES', 'EPERM']);

/**
 * Everything `npm start` can know before starting anything: settings, DATA_DIR (claimed, enough room), ports, video
 * tools. Every problem is reported at once, each naming the setting and what to do; nothing is left started or locked.
 */
export async function preflight(config: LocalConfig, env: NodeJS.ProcessEnv): Promise<PreflightResult> {
  const auth = checkAuthSettings(config, env);
  const problems = [...auth.problems, ...(await checkPorts(config))];
  try {
    mkdirSync(config.dataDir, { recursive: true });
  } catch (error) {
    problems.push(
      `DATA_DIR ${config.dataDir} cannot be created (${(error as NodeJS.ErrnoException).code}); set DATA_DIR to a writable folder`,
    );
    throw new PreflightError(problems);
  }
  problems.push(...(await checkFreeSpace(config)));
  let lock: DataDirLock | undefined;
  try {
    lock = lockDataDir(config.dataDir);
  } catch (error) {
    if (error instanceof DataDirInUseError) problems.push(error.message);
    else if (NOT_WRITABLE.has((error as NodeJS.ErrnoException).code ?? ''))
      problems.push(
        `DATA_DIR ${config.dataDir} is not writable (${(error as NodeJS.ErrnoException).code}); make it writable, or set DATA_DIR to a writable folder`,
      );
    else throw error;
  }
  if (problems.length > 0 || !lock) {
    lock?.release();
    throw new PreflightError(problems);
  }
  return { warnings: [...auth.warnings, ...checkVideoTools(env)], lock };
}
