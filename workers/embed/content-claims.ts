import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
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
 *
 * New bytes, the usual case, cost one request: the put comes first, and the holder is read only when it fails
 * (DynamoDB returns it with the failure; dynalite does not, so then it is read). Every SDK request costs the embed
 * worker ≈ 0.5–1.7 ms of CPU once warm, more before (bench/README.md, issue 9): a few percent of an image.
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
    let stale: ClaimItem | undefined;
    for (;;) {
      const put = await this.put(key, mediaId, stale);
      if (put.claimed) return undefined;
      const holder = put.holder ?? (await this.current(key));
      // Removed between the put and the read: claim it as new.
      if (!holder) {
        stale = undefined;
        continue;
      }
      if (holder.media_id === mediaId) return undefined;
      if (this.committed.has(holder.batch_id) || holder.batch_id === this.target.batchId) return holder.media_id;
      // Stale: take it over if it is still as read (another shard of this batch may take it first: look again).
      stale = holder;
    }
  }

  private async current(key: { pk: string; sk: string }): Promise<ClaimItem | undefined> {
    const result = await this.target.client.send(
      new GetCommand({ TableName: this.target.tableName, Key: key, ConsistentRead: true }),
    );
    return result.Item as ClaimItem | undefined;
  }

  /**
   * Puts the claim if the item is still as last read (absent, or the same stale holder); when it is not, the holder
   * the failed condition saw, where the server returns it.
   */
  private async put(
    key: { pk: string; sk: string },
    mediaId: string,
    stale: ClaimItem | undefined,
  ): Promise<{ claimed: true } | { claimed: false; holder: ClaimItem | undefined }> {
    try {
      await this.target.client.send(
        new PutCommand({
          TableName: this.target.tableName,
          Item: { ...key, dataset_id: this.target.datasetId, media_id: mediaId, batch_id: this.target.batchId },
          ConditionExpression: stale ? 'media_id = :held AND batch_id = :heldBatch' : 'attribute_not_exists(pk)',
          ExpressionAttributeValues: stale ? { ':held': stale.media_id, ':heldBatch': stale.batch_id } : undefined,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // The failure's item is in the wire format: the document client does not convert it.
      return { claimed: false, holder: error.Item ? (unmarshall(error.Item) as ClaimItem) : undefined };
    }
  }
}
