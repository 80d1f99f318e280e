import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { thumbnailKey } from '../../core/store/batch-paths';
import type { DecodedMedia } from './decode-media';
import type { HashingMediaReader } from './hashing-reader';
import type { ManifestEntry } from './manifest';
import { makeThumbnail } from './thumbnail';

export interface ThumbnailTarget {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly datasetId: string;
  readonly batchId: string;
}

/**
 * Wraps a decode function so that every media decoded (and kept) gets its thumbnail, made once here from the bytes
 * the reader already holds (images) or from the first sampled frame (videos), and stored under the batch's prefix.
 */
export function writeThumbnails(
  decode: (entry: ManifestEntry) => Promise<DecodedMedia>,
  reader: HashingMediaReader,
  target: ThumbnailTarget,
  side: number,
): (entry: ManifestEntry) => Promise<DecodedMedia> {
  return async (entry) => {
    const decoded = await decode(entry);
    const bytes = reader.takeBytes(entry.media_id);
    if (!decoded.ok) return decoded;
    const thumbnail = await makeThumbnail(entry.type === 'image' && bytes ? { bytes } : { rgb: decoded.rgb, side });
    await target.s3.send(
      new PutObjectCommand({
        Bucket: target.bucket,
        Key: thumbnailKey(target.datasetId, target.batchId, entry.media_id),
        Body: thumbnail,
        ContentType: 'image/webp',
      }),
    );
    return decoded;
  };
}
