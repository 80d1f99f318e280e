import { createS3Client } from '../aws/s3-client';
import { localMediaLinks, type MediaLinks, presignedMediaLinks } from './media-links';
import { type ReadContext, readContextFromEnv } from './read-context';

/** The read routes that list media items: the table, and the links each item carries (docs/API.md "Images"). */
export interface MediaReadContext extends ReadContext {
  readonly mediaLinks: MediaLinks;
}

let fromEnv: MediaReadContext | undefined;

/** Kept out of ReadContext so the other read routes' bundles do not carry the S3 client and presigner. */
export function mediaReadContextFromEnv(): MediaReadContext {
  if (fromEnv) return fromEnv;
  const context = readContextFromEnv();
  const { config } = context;
  const mediaLinks =
    config.mediaLinks === 'local'
      ? localMediaLinks
      : presignedMediaLinks({
          s3: createS3Client(),
          bucket: config.bucketName,
          sourceBucketNames: config.sourceBucketNames,
          expiresInSeconds: config.mediaUrlExpirySeconds,
        });
  fromEnv = { ...context, mediaLinks };
  return fromEnv;
}
