import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Writes `bytes` to `path` unless a file with the same bytes is already there (written to a temporary name, then
 * renamed, so a reader never sees half a model); returns the path and the bytes' sha256. Local mode keeps the models it
 * generates under DATA_DIR and hands the hash on as MODEL_SHA256.
 */
export function ensureModelFile(path: string, bytes: Uint8Array): { path: string; sha256: string } {
  const sha256 = sha256Hex(bytes);
  let existing: string | undefined;
  try {
    existing = sha256Hex(readFileSync(path));
  } catch {
    existing = undefined;
  }
  if (existing !== sha256) {
    mkdirSync(dirname(path), { recursive: true });
    const partial = `${path}.${process.pid}.partial`;
    writeFileSync(partial, bytes);
    renameSync(partial, path);
  }
  return { path, sha256 };
}
