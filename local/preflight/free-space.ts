import { statfs } from 'node:fs/promises';
import type { LocalConfig } from '../config';

const MIB = 1024 * 1024;

/** DATA_DIR holds the database, the uploaded media and the embeddings: too little room there fails operations midway. */
export async function checkFreeSpace(config: LocalConfig): Promise<string[]> {
  const stats = await statfs(config.dataDir);
  const free = stats.bavail * stats.bsize;
  if (free >= config.minFreeBytes) return [];
  return [
    `DATA_DIR ${config.dataDir} has ${Math.floor(free / MIB)} MiB free, less than the ${Math.floor(config.minFreeBytes / MIB)} MiB it needs; free some space there, set DATA_DIR to a disk with room, or lower MIN_FREE_DISK_MB`,
  ];
}
