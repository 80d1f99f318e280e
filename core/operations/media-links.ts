import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { matchesAnyWildcard } from '../config/wildcard-pattern';
import type { MediaRecord } from '../datasets/media-record';
import { thumbnailKey } from '../store/batch-paths';

/** What every media item of the API carries to show it (docs/API.md "Images"). */
export interface MediaLinkView {
  /** WebP, longest side at most 256 px. */
  readonly thumbnail_url: string | null;
  /** The media itself; null where this deployment cannot read it (a source read through an assumed role). */
  readonly url: string | null;
}

export type MediaLinks = (media: MediaRecord) => Promise<MediaLinkView>;

export interface PresignedLinkOptions {
  readonly s3: S3Client;
  readonly bucket: string;
  /** Buckets (names or `*` patterns) the function may read besides its own: SOURCE_BUCKET_NAMES. */
  readonly sourceBucketNames: readonly string[];
  readonly expiresInSeconds: number;
}

/**
 * In the cloud: presigned S3 GETs that expire after `expiresInSeconds`, signed with the function's own role, which may
 * read only the thumbnails and media of our bucket and the configured source buckets (lib/api/api.ts). Nothing in the
 * bucket is ever public; a link is a short-lived capability for one object.
 */
export function presignedMediaLinks(options: PresignedLinkOptions): MediaLinks {
  const sign = (bucket: string, key: string) =>
    getSignedUrl(options.s3, new GetObjectCommand({ Bucket: bucket, Key: key }), {
      expiresIn: options.expiresInSeconds,
    });
  const readable = (bucket: string) =>
    bucket === options.bucket || matchesAnyWildcard(bucket, options.sourceBucketNames);
  return async (media) => {
    const location = media.location;
    const [thumbnail_url, url] = await Promise.all([
      sign(options.bucket, thumbnailKey(media.dataset_id, media.batch_id, media.media_id)),
      location && 'bucket' in location && readable(location.bucket) ? sign(location.bucket, location.key) : null,
    ]);
    return { thumbnail_url, url };
  };
}

/** On one machine: the local service serves both itself, behind the same authentication as the API (local/http). */
export const localMediaLinks: MediaLinks = async (media) => {
  const base = `/api/v1/dataset/${encodeURIComponent(media.dataset_id)}/media/${encodeURIComponent(media.batch_id)}/${encodeURIComponent(media.media_id)}`;
  return { thumbnail_url: `${base}/thumbnail`, url: media.location ? `${base}/file` : null };
};
