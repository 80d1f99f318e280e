import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { thumbnailKey } from '../../core/store/batch-paths';
import type { DecodedMedia } from './decode-media';
import type { ManifestEntry } from './manifest';
import { makeThumbnail } from './thumbnail';

export interface ThumbnailTarget {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly datasetId: string;
  readonly batchId: string;
}

/**
 * Wraps a decode function so that every media decoded (and kept) gets its thumbnail, made here from the preview the
 * decode kept (images: the file is decoded once) or from the first sampled frame (videos), and stored under the
 * batch's prefix. The preview is dropped afterwards: only the encoder's pixels wait for inference.
 */
export function writeThumbnails(
  decode: (entry: ManifestEntry) => Promise<DecodedMedia>,
  target: ThumbnailTarget,
  side: number,
): (entry: ManifestEntry) => Promise<DecodedMedia> {
  return async (entry) => {
    const decoded = await decode(entry);
    if (!decoded.ok) return decoded;
    const { preview, ...kept } = decoded;
    const thumbnail = await makeThumbnail(preview ? { preview } : { rgb: decoded.rgb, side });
    await target.s3.send(
      new PutObjectCommand({
        Bucket: target.bucket,
        Key: thumbnailKey(target.datasetId, target.batchId, entry.media_id),
        Body: thumbnail,
        ContentType: 'image/webp',
      }),
    );
    return kept;
  };
}
