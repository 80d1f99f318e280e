import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Key prefix of direct uploads and archives waiting for the pipeline (docs/data-model.md). */
export const STAGING_PREFIX = 'staging/';

export interface MediaBucketProps {
  /** Days before an object under `staging/` expires. */
  readonly stagingExpirationDays: number;
  /** Retention of the server access logs. */
  readonly accessLogRetention: logs.RetentionDays;
}

/**
 * The one bucket of the deployment: staging uploads, per-batch manifests and
 * embeddings, clusterings. TLS only (1.2+), no public access, SSE-S3.
 *
 * - SSE-S3 rather than KMS: the workers read and write millions of small objects, and
 *   a KMS key would add a request charge per object and a key grant to every role,
 *   for no access boundary the bucket policy and IAM do not already draw.
 * - Versioned: uploads copied out of `staging/` are the only copy of the user's media,
 *   so an overwrite or a delete (a bug in clean-up, an operator's mistake) stays
 *   recoverable for 30 days; noncurrent versions then expire, so cost stays bounded.
 * - Server access logs go to a separate bucket (AwsSolutions-S1).
 */
export class MediaBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: MediaBucketProps) {
    super(scope, id);

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules:
        props.accessLogRetention === logs.RetentionDays.INFINITE
          ? []
          : [{ id: 'expire-access-logs', expiration: Duration.days(props.accessLogRetention) }],
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'media-bucket/',
      lifecycleRules: [
        {
          id: 'expire-staging',
          prefix: STAGING_PREFIX,
          expiration: Duration.days(props.stagingExpirationDays),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        {
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration: Duration.days(30),
          expiredObjectDeleteMarker: true,
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });
  }
}
