import { PutObjectCommand } from '@aws-sdk/client-s3';
import { workerErrorKey } from '../../core/pipeline/worker-error-report';
import { createS3Client } from './clients';
import { type EnvSource, optionalEnv } from './env';

/**
 * How a worker fails (docs/pipeline.md): one JSON line `{"error": "<readable message>"}` on stderr, exit code 1. The line
 * is what `mark-failed` records on the dataset, so it must read well on its own.
 */
export class WorkerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WorkerError';
  }
}

/** The single line printed for `error`: its message, newlines flattened. */
export function failureLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return JSON.stringify({ error: message.replace(/\s*\n\s*/g, ' ').trim() || 'Unknown error' });
}

/**
 * Leaves the failure where `mark-failed` finds it (core/pipeline/worker-error-report.ts). Best effort and bounded:
 * a worker that cannot reach S3 still exits with its stderr line.
 */
export async function reportFailure(error: unknown, env: EnvSource): Promise<void> {
  const bucket = optionalEnv(env, 'BUCKET_NAME');
  const datasetId = optionalEnv(env, 'DATASET_ID');
  const operationId = optionalEnv(env, 'OPERATION_ID');
  const task = optionalEnv(env, 'TASK') ?? 'worker';
  if (!bucket || !datasetId || !operationId || !optionalEnv(env, 'AWS_REGION')) return;
  const body = {
    error: (JSON.parse(failureLine(error)) as { error: string }).error,
    task,
    at: new Date().toISOString(),
  };
  const s3 = createS3Client(env);
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: workerErrorKey(datasetId, operationId, task, optionalEnv(env, 'SHARD_INDEX')),
        Body: JSON.stringify(body),
        ContentType: 'application/json',
      }),
      { abortSignal: AbortSignal.timeout(10_000) },
    );
  } catch {
    // The stderr line below still carries the message.
  } finally {
    s3.destroy();
  }
}

export function exitWithFailure(error: unknown): never {
  process.stderr.write(`${failureLine(error)}\n`);
  process.exit(1);
}
