import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { batchPrefix } from './batch-artifacts';

/**
 * Where a failing worker leaves its readable error. In the cloud, Step Functions hands the Catch only the stopped ECS
 * task (exit code, stop reason), never the container's stderr, so `mark-failed` reads the message from here.
 */
const workerErrorPrefix = (datasetId: string, operationId: string) => `${batchPrefix(datasetId, operationId)}errors/`;

export const workerErrorKey = (datasetId: string, operationId: string, task: string, shardIndex?: string) =>
  `${workerErrorPrefix(datasetId, operationId)}${task}${shardIndex ? `-${shardIndex}` : ''}.json`;

export interface WorkerErrorReport {
  readonly error: string;
  readonly task: string;
  readonly at: string;
}

/** The most recent worker error of the operation, or undefined when no worker reported one. */
export async function latestWorkerError(
  s3: S3Client,
  bucket: string,
  datasetId: string,
  operationId: string,
): Promise<WorkerErrorReport | undefined> {
  const listed = await s3.send(
    new ListObjectsV2Command({ Bucket: bucket, Prefix: workerErrorPrefix(datasetId, operationId), MaxKeys: 1000 }),
  );
  const newest = (listed.Contents ?? [])
    .filter((object) => object.Key)
    .sort((a, b) => (b.LastModified?.getTime() ?? 0) - (a.LastModified?.getTime() ?? 0))[0];
  if (!newest) return undefined;
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: newest.Key }));
  const report = JSON.parse(await object.Body!.transformToString()) as Partial<WorkerErrorReport>;
  return typeof report.error === 'string' && report.error.trim()
    ? { error: report.error, task: String(report.task ?? ''), at: String(report.at ?? '') }
    : undefined;
}
