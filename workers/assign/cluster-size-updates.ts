import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { clusterKey } from '../../core/store/table-schema';

const PARALLEL_UPDATES = 8;

/**
 * Adds each batch's joiners to existing clusters' sizes, once: the increment is recorded under
 * `added_by_batch.{batch}` in the same write and the write is conditioned on that record being absent, so a retried
 * assign does not count twice, and a failed batch's increments can be found and undone.
 */
export async function addJoinedSizes(
  client: DynamoDBDocumentClient,
  tableName: string,
  at: { datasetId: string; clusteringId: string; batchId: string },
  joined: ReadonlyMap<string, number>,
): Promise<void> {
  const entries = [...joined];
  let next = 0;
  const worker = async () => {
    while (next < entries.length) {
      const [clusterId, count] = entries[next++];
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: clusterKey(at.datasetId, at.clusteringId, clusterId),
            UpdateExpression: 'ADD #size :count SET #added.#batch = :count',
            ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#added.#batch)',
            ExpressionAttributeNames: {
              '#size': 'size',
              '#added': 'added_by_batch',
              '#batch': at.batchId,
              '#pk': 'pk',
            },
            ExpressionAttributeValues: { ':count': count },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // An earlier attempt of this batch counted it already; a missing cluster is a broken clustering.
        if (!error.Item) throw new Error(`Cluster ${clusterId} of clustering ${at.clusteringId} does not exist`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_UPDATES, entries.length) }, worker));
}
