import type { HttpError } from './refusal-status';

/** Messages of a write refused by the storage itself: full (ENOSPC, quota) or read-only (EROFS). */
const STORAGE_FULL = /no space left on device|ENOSPC|disk quota exceeded|EDQUOT|read-only file system|EROFS/i;

/**
 * 507 when an error (or one of its causes) says the storage refused a write: on a local install the embedded DynamoDB and
 * S3 keep their files under DATA_DIR, and a full or read-only disk is the operator's to fix, not a server bug.
 */
export function storageFailure(error: unknown): HttpError | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    const message = (current as Error).message;
    if (typeof message === 'string' && STORAGE_FULL.test(message)) {
      const readOnly = /read-only|EROFS/i.test(message);
      return {
        statusCode: 507,
        detail: `Insufficient storage: the service could not write its data (${readOnly ? 'read-only file system' : 'no space left on device'}). Free space under DATA_DIR (or make it writable) and retry`,
      };
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
