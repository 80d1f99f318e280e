import { matchesAnyWildcard } from '../config/wildcard-pattern';

/**
 * Which buckets an S3 source, and every location a manifest lists, may be read from: never the service's own bucket (it
 * holds every tenant's staging and datasets); with an assumed role, whatever that role can read; without one, only the
 * buckets the deployment allows (SOURCE_BUCKET_NAMES / sourceBucketNames).
 */
export interface S3SourceRule {
  readonly ownBucket: string;
  readonly allowedBuckets: readonly string[];
  readonly assumedRole: boolean;
}

export function s3SourceAllowed(bucket: string, rule: S3SourceRule): boolean {
  if (bucket === rule.ownBucket) return false;
  return rule.assumedRole || matchesAnyWildcard(bucket, rule.allowedBuckets);
}
