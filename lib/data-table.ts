import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { DATASET_INDEX, TABLE_KEYS, TTL_ATTRIBUTE } from '../core/store/table-schema';

/**
 * The single table of docs/data-model.md: datasets, media, clusters and idempotency
 * records, keys `pk`/`sk`, GSI `gsi1` listing datasets, TTL on `expires_at`.
 *
 * - On-demand: traffic is bursty (a pipeline writes millions of media items, then nothing).
 * - Point-in-time recovery and deletion protection; RETAIN so `cdk destroy` never drops data.
 * - Encrypted with the AWS managed key (aws/dynamodb): key use shows in CloudTrail and
 *   nothing else (key policy, grants to every worker role) has to be kept right. A
 *   customer managed key would only add value with cross-account access or key-level
 *   revocation, which this deployment does not need.
 */
export class DataTable extends Construct {
  readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      removalPolicy: RemovalPolicy.RETAIN,
      globalSecondaryIndexes: [
        {
          indexName: DATASET_INDEX.name,
          partitionKey: { name: DATASET_INDEX.partitionKey, type: dynamodb.AttributeType.STRING },
          sortKey: { name: DATASET_INDEX.sortKey, type: dynamodb.AttributeType.STRING },
          projectionType: dynamodb.ProjectionType.ALL,
        },
      ],
    });
  }
}
