import { HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { classifyS3Source, parseS3Uri } from '../media/s3-uri';
import { isSupportedMediaName } from '../media/supported-media';

/** Listing pages looked at before giving up and letting discovery decide (a page holds up to 1000 keys). */
const PRECHECK_MAX_PAGES = 5;

/**
 * Whether an S3 source can be worth an operation, before any lock is taken: a manifest must exist and not be empty; a
 * folder must hold at least one object with a supported media extension (bytes are checked later, by discovery). Only a
 * certain "no" is a no: a listing cut short at PRECHECK_MAX_PAGES without a match answers yes. Errors (no such bucket,
 * access denied) propagate; the caller answers them with the same 400.
 */
export async function s3SourceHasMedia(client: S3Client, uri: string): Promise<boolean> {
  const { bucket, key } = parseS3Uri(uri);
  if (classifyS3Source(uri) === 'manifest') {
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return (head.ContentLength ?? 0) > 0;
  }
  let continuationToken: string | undefined;
  for (let page = 0; page < PRECHECK_MAX_PAGES; page += 1) {
    const listing = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: key, ContinuationToken: continuationToken }),
    );
    if (listing.Contents?.some((object) => (object.Size ?? 0) > 0 && isSupportedMediaName(object.Key ?? '')))
      return true;
    if (!listing.IsTruncated || !listing.NextContinuationToken) return false;
    continuationToken = listing.NextContinuationToken;
  }
  return true;
}
