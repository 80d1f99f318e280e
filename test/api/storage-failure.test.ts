import { describe, expect, it } from 'vitest';
import { storageFailure } from '../../lambdas/http/storage-failure';

/** What the SDK raises when the embedded DynamoDB's LevelDB write fails (local/embedded/dynalite-storage-errors.ts). */
function dynamoStorageError(cause: string): Error {
  return Object.assign(new Error(`Storage error: IO error: /data/dynamodb/000003.log: ${cause}`), {
    name: 'InternalServerError',
    $metadata: { httpStatusCode: 500 },
  });
}

describe('a write the storage itself refuses', () => {
  it('is a 507 naming a full disk, also when it is the cause of the error caught', () => {
    const wrapped = new Error('Staging failed', { cause: dynamoStorageError('No space left on device') });
    expect(storageFailure(wrapped)).toEqual({
      statusCode: 507,
      detail:
        'Insufficient storage: the service could not write its data (no space left on device). Free space under DATA_DIR (or make it writable) and retry',
    });
  });

  // A running DATA_DIR cannot be remounted read-only under LevelDB's open log file (the kernel answers "busy"), so the
  // error a read-only remount (e.g. ext4 errors=remount-ro) would raise is injected here; the start-up refusal of a
  // read-only DATA_DIR is tested on a real read-only mount (test/local/preflight.test.ts).
  it('is a 507 naming a read-only file system', () => {
    for (const error of [
      dynamoStorageError('Read-only file system'),
      Object.assign(new Error('EROFS: read-only file system, open'), { code: 'EROFS' }),
    ])
      expect(storageFailure(error)).toEqual({
        statusCode: 507,
        detail:
          'Insufficient storage: the service could not write its data (read-only file system). Free space under DATA_DIR (or make it writable) and retry',
      });
  });

  it('leaves every other failure to the generic 500', () => {
    expect(storageFailure(new Error('connect ECONNREFUSED 127.0.0.1:4569'))).toBeUndefined();
    expect(storageFailure(dynamoStorageError('Corruption: bad block'))).toBeUndefined();
  });
});
