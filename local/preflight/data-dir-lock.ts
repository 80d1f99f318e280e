import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const LOCK_FILE = 'service.lock';

export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
}

export interface DataDirLock {
  release(): void;
}

/**
 * Claims DATA_DIR for this process: a second service on the same folder would share dynalite's LevelDB files and fail in
 * confusing ways. The lock file holds the owner's pid; a lock whose process is gone (a crash, a SIGKILL) is taken over,
 * and so is one naming this very process (a container restarted on the same volume runs as pid 1 again).
 */
export function lockDataDir(dataDir: string, pid: number = process.pid): DataDirLock {
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner))
        throw new DataDirInUseError(
          `DATA_DIR ${dataDir} is in use by another add-media service (pid ${owner}); stop that one, or set DATA_DIR to another folder`,
        );
      rmSync(path, { force: true });
      continue;
    }
    writeSync(fd, `${pid}\n`);
    closeSync(fd);
    return {
      release: () => {
        if (readFileSync(path, 'utf8').trim() === String(pid)) rmSync(path, { force: true });
      },
    };
  }
  throw new DataDirInUseError(`DATA_DIR ${dataDir}: another service claimed it at the same moment; try again`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
