import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { getDataset } from '../../core/datasets/dataset-repository';
import { contentHashKey } from '../../core/store/table-schema';

export interface ContentClaimsTarget {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly datasetId: string;
  readonly batchId: string;
}

interface ClaimItem {
  readonly media_id: string;
  readonly batch_id: string;
}

/**
 * Exact duplicates by content (docs/pipeline.md "Embed"): a media claims its SHA-256 in the table with a conditional
 * put. A claim already held by a committed batch, or by another media of this batch, makes it a duplicate (the holder
 * is returned). A claim left by a batch that never committed (failed, or cleaned up) is stale and taken over; a retried
 * shard finds its own claims and keeps them. Media added before hashes were recorded hold no claim.
 */
export class ContentClaims {
  private constructor(
    private readonly target: ContentClaimsTarget,
    private readonly committed: ReadonlySet<string>,
  ) {}

  static async open(target: ContentClaimsTarget): Promise<ContentClaims> {
    const dataset = await getDataset(target.client, target.tableName, target.datasetId);
    return new ContentClaims(target, new Set(dataset?.batches ?? []));
  }

  /** Undefined when `mediaId` now holds `sha256`; otherwise the media id that already does. */
  async claim(sha256: string, mediaId: string): Promise<string | undefined> {
    const key = contentHashKey(this.target.datasetId, sha256);
    for (;;) {
      const holder = await this.current(key);
      if (holder?.media_id === mediaId) return undefined;
      if (holder && (this.committed.has(holder.batch_id) || holder.batch_id === this.target.batchId))
        return holder.media_id;
      if (await this.put(key, mediaId, holder)) return undefined;
      // Another shard of this batch claimed it between the read and the put: look again.
    }
  }

  private async current(key: { pk: string; sk: string }): Promise<ClaimItem | undefined> {
    const result = await this.target.client.send(
      new GetCommand({ TableName: this.target.tableName, Key: key, ConsistentRead: true }),
    );
    return result.Item as ClaimItem | undefined;
  }

  /** Puts the claim if the item is still as read (absent, or the same stale holder). */
  private async put(key: { pk: string; sk: string }, mediaId: string, stale: ClaimItem | undefined): Promise<boolean> {
    try {
      await this.target.client.send(
        new PutCommand({
          TableName: this.target.tableName,
          Item: { ...key, dataset_id: this.target.datasetId, media_id: mediaId, batch_id: this.target.batchId },
          ConditionExpression: stale ? 'media_id = :held AND batch_id = :heldBatch' : 'attribute_not_exists(pk)',
          ExpressionAttributeValues: stale ? { ':held': stale.media_id, ':heldBatch': stale.batch_id } : undefined,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
