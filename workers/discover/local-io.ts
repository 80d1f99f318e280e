import { constants as fsConstants } from 'node:fs';
import { open } from 'node:fs/promises';

export type LocalHeadRead =
  | { readonly ok: true; readonly head: Buffer; readonly size: number }
  | { readonly ok: false; readonly reason: string };

/**
 * The first `bytes` bytes of a regular file and its size, opened without following a symbolic link (and without blocking,
 * so a FIFO named like media is refused instead of waiting for a writer).
 */
export async function readLocalHead(path: string, bytes: number): Promise<LocalHeadRead> {
  let handle;
  try {
    handle = await open(path, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  } catch (error) {
    const reason = fileProblem(error);
    if (reason) return { ok: false, reason };
    throw error;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return { ok: false, reason: 'not a regular file' };
    const head = Buffer.alloc(Math.min(bytes, stats.size));
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return { ok: true, head: head.subarray(0, bytesRead), size: stats.size };
  } finally {
    await handle.close();
  }
}

/** A reason to skip one file, or undefined for errors that are not about it. */
function fileProblem(error: unknown): string | undefined {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return 'file not found';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'symbolic link not followed';
    case 'EISDIR':
      return 'not a regular file';
    default:
      return undefined;
  }
}
