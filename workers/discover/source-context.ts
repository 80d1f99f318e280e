import type { S3Client } from '@aws-sdk/client-s3';
import type { DiscoverConfig } from './config';

/** What every source needs to enumerate its candidates. */
export interface SourceContext {
  readonly config: DiscoverConfig;
  /** Reads the customer's source (assumed role when configured). */
  readonly sourceS3: S3Client;
  /** Reads our staging area (task role). */
  readonly ownS3: S3Client;
  /** Scratch space for downloaded archives and extracted entries; removed by the caller. */
  readonly tempDir: string;
  /** ListObjectsV2 page size (S3's default, 1000, when unset). */
  readonly listPageSize?: number;
}

/** The message of docs/pipeline.md (and API.md) when a source yields nothing usable. */
export function noMediaMessage(uri: string): string {
  return `Invalid S3 URI or no media files found at ${uri}`;
}
