import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DatasetRecord } from '../datasets/dataset-record';
import type { TaskType } from '../datasets/dataset-status';
import { batchWriteAll } from '../store/batch-write';
import { clusterPartition, INITIAL_CLUSTERING_ID, mediaPartition, mediaSortKey } from '../store/table-schema';
import { batchPrefix, clusteringPrefix, stagingPrefix } from './batch-artifacts';

/**
 * Best-effort removal of what a failed operation wrote but never committed. Only uncommitted artefacts are touched:
 * - an add operation whose batch is NOT in the dataset's `batches`: its media items (sk begins with `{batch}#`); in the
 *   committed clustering's partition, the partial clusters it created (`partial = true`, `batch_id = {batch}`) and the
 *   size increments it made to clusters it joined (`added_by_batch.{batch}`, see workers/assign); then
 *   `datasets/{ds}/batches/{batch}/` and `staging/{ds}/{batch}/`;
 * - any operation whose id is not the dataset's committed `clustering_id`: the cluster items and S3 prefix of the
 *   clustering it was building (`DS#{ds}#CLUSTERS#{op}`, `datasets/{ds}/clusterings/{op}/`).
 * A batch committed by `finalize` (auto_reindex failing in the clustering step) stays: it is part of the dataset now.
 */
export interface CleanupTarget {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Absent: S3 is left alone (staging expires by lifecycle; batch files are only read by their own operation). */
  readonly storage?: { readonly s3: S3Client; readonly bucket: string };
}

export interface FailedOperation {
  readonly operationId: string;
  readonly taskType: TaskType;
  /** The dataset item after the operation released its lock. */
  readonly dataset: DatasetRecord;
}

export interface CleanupReport {
  media_items: number;
  cluster_items: number;
  cluster_sizes_restored: number;
  objects: number;
  errors: string[];
}

export async function cleanUpFailedOperation(target: CleanupTarget, failed: FailedOperation): Promise<CleanupReport> {
  const { dataset, operationId } = failed;
  const report: CleanupReport = { media_items: 0, cluster_items: 0, cluster_sizes_restored: 0, objects: 0, errors: [] };
  const attempt = async (what: string, step: () => Promise<void>) => {
    try {
      await step();
    } catch (error) {
      report.errors.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  if (failed.taskType !== 'REINDEX' && !dataset.batches.includes(operationId)) {
    await attempt('media items', async () => {
      report.media_items += await deleteQueried(target, {
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :batch)',
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
        ExpressionAttributeValues: { ':pk': mediaPartition(dataset.id), ':batch': mediaSortKey(operationId, '') },
      });
    });
    await attempt('partial clusters', async () => {
      const undone = await undoAssignedClusters(
        target,
        clusterPartition(dataset.id, dataset.clustering_id ?? INITIAL_CLUSTERING_ID),
        operationId,
      );
      report.cluster_items += undone.deleted;
      report.cluster_sizes_restored += undone.restored;
    });
    for (const prefix of [batchPrefix(dataset.id, operationId), stagingPrefix(dataset.id, operationId)])
      await attempt(prefix, async () => {
        report.objects += await deletePrefix(target, prefix);
      });
  }

  if (dataset.clustering_id !== operationId) {
    await attempt('clustering items', async () => {
      report.cluster_items += await deleteQueried(target, {
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': 'pk' },
        ExpressionAttributeValues: { ':pk': clusterPartition(dataset.id, operationId) },
      });
    });
    const prefix = clusteringPrefix(dataset.id, operationId);
    await attempt(prefix, async () => {
      report.objects += await deletePrefix(target, prefix);
    });
  }
  return report;
}

interface KeyQuery {
  readonly KeyConditionExpression: string;
  readonly FilterExpression?: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues: Record<string, unknown>;
}

/** Deletes the clusters the batch created and takes back the size it added to the clusters it joined. */
async function undoAssignedClusters(target: CleanupTarget, partition: string, batchId: string) {
  const created: { pk: string; sk: string }[] = [];
  let restored = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await target.client.send(
      new QueryCommand({
        TableName: target.tableName,
        KeyConditionExpression: '#pk = :pk',
        FilterExpression: '(#partial = :true AND #batch = :batch) OR attribute_exists(#added.#op)',
        ProjectionExpression: '#pk, #sk, #partial, #batch, #added.#op',
        ExpressionAttributeNames: {
          '#pk': 'pk',
          '#sk': 'sk',
          '#partial': 'partial',
          '#batch': 'batch_id',
          '#added': 'added_by_batch',
          '#op': batchId,
        },
        ExpressionAttributeValues: { ':pk': partition, ':true': true, ':batch': batchId },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const key = { pk: item.pk as string, sk: item.sk as string };
      if (item.partial === true && item.batch_id === batchId) created.push(key);
      else if (
        await takeBackSize(target, key, batchId, Number((item.added_by_batch as Record<string, unknown>)[batchId]) || 0)
      )
        restored++;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  await deleteKeys(target, created);
  return { deleted: created.length, restored };
}

/** Conditioned on the batch's marker, so a repeated cleanup never subtracts twice. */
async function takeBackSize(
  target: CleanupTarget,
  key: { pk: string; sk: string },
  batchId: string,
  count: number,
): Promise<boolean> {
  try {
    await target.client.send(
      new UpdateCommand({
        TableName: target.tableName,
        Key: key,
        UpdateExpression: 'ADD #size :minus REMOVE #added.#op',
        ConditionExpression: 'attribute_exists(#added.#op)',
        ExpressionAttributeNames: { '#size': 'size', '#added': 'added_by_batch', '#op': batchId },
        ExpressionAttributeValues: { ':minus': -count },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** Deletes every item the query finds, page by page; returns how many. */
async function deleteQueried(target: CleanupTarget, query: KeyQuery): Promise<number> {
  let deleted = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await target.client.send(
      new QueryCommand({
        TableName: target.tableName,
        ...query,
        ExpressionAttributeNames: { ...query.ExpressionAttributeNames, '#sk': 'sk' },
        ProjectionExpression: '#pk, #sk',
        ExclusiveStartKey: startKey,
      }),
    );
    const keys = (page.Items ?? []).map((item) => ({ pk: item.pk as string, sk: item.sk as string }));
    await deleteKeys(target, keys);
    deleted += keys.length;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return deleted;
}

async function deleteKeys(target: CleanupTarget, keys: readonly { pk: string; sk: string }[]): Promise<void> {
  await batchWriteAll(
    target.client,
    target.tableName,
    keys.map((Key) => ({ DeleteRequest: { Key } })),
  );
}

/** Deletes every object under `prefix`; returns how many. */
async function deletePrefix(target: CleanupTarget, prefix: string): Promise<number> {
  if (!target.storage) return 0;
  const { s3, bucket } = target.storage;
  let deleted = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    const objects = (page.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
    if (objects.length) {
      const result = await s3.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }),
      );
      if (result.Errors?.length)
        throw new Error(
          `could not delete ${result.Errors.length} objects, e.g. ${result.Errors[0].Key}: ${result.Errors[0].Message}`,
        );
      deleted += objects.length;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return deleted;
}
