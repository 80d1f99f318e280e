import { readSetting, SETTING } from '../../core/config/settings';
import { type ArchiveLimits, DEFAULT_ARCHIVE_LIMITS } from '../../core/media/archive-safety';
import type { LocalPathRule } from '../../core/media/local-path-rule';
import type { S3SourceRule } from '../../core/media/s3-source-rule';
import {
  boolEnv,
  type EnvSource,
  intEnv,
  oneOfEnv,
  optionalEnv,
  readWorkerEnv,
  requireEnv,
  type WorkerEnv,
} from '../runtime/env';

const SOURCE_KINDS = ['s3_uri', 'staged_files', 'staged_archive', 'local_path'] as const;
type SourceKind = (typeof SOURCE_KINDS)[number];

export interface ManifestLimits {
  readonly maxRows: number;
  readonly maxLineBytes: number;
}

export interface DiscoverConfig {
  readonly worker: WorkerEnv;
  readonly sourceKind: SourceKind;
  readonly sourceUri: string;
  readonly localPathsAllowed: boolean;
  /** LOCAL_MEDIA_ROOTS and SERVICE_PATHS: where a local path and a local manifest's entries may point. */
  readonly localPathRule: LocalPathRule;
  /** Our bucket, SOURCE_BUCKET_NAMES and ASSUME_ROLE_ARN: where an S3 source and an S3 manifest's entries may point. */
  readonly s3SourceRule: S3SourceRule;
  readonly archiveLimits: ArchiveLimits;
  readonly manifestLimits: ManifestLimits;
}

/** The discover task's environment (docs/pipeline.md "Discover"), defaults included. */
export function readDiscoverConfig(env: EnvSource): DiscoverConfig {
  const worker = readWorkerEnv(env);
  return {
    worker,
    sourceKind: oneOfEnv(env, 'SOURCE_KIND', SOURCE_KINDS),
    sourceUri: requireEnv(env, 'SOURCE_URI'),
    localPathsAllowed: boolEnv(env, 'LOCAL_PATHS_ALLOWED', false),
    localPathRule: {
      roots: readSetting(env, 'LOCAL_MEDIA_ROOTS', SETTING.list, []),
      excluded: readSetting(env, 'SERVICE_PATHS', SETTING.list, []),
    },
    s3SourceRule: {
      ownBucket: worker.bucketName,
      allowedBuckets: readSetting(env, 'SOURCE_BUCKET_NAMES', SETTING.list, []),
      assumedRole: optionalEnv(env, 'ASSUME_ROLE_ARN') !== undefined,
    },
    archiveLimits: {
      maxEntries: intEnv(env, 'MAX_ARCHIVE_ENTRIES', DEFAULT_ARCHIVE_LIMITS.maxEntries, { min: 1 }),
      maxTotalBytes: intEnv(env, 'MAX_ARCHIVE_BYTES', DEFAULT_ARCHIVE_LIMITS.maxTotalBytes, { min: 1 }),
      maxEntryBytes: intEnv(env, 'MAX_ARCHIVE_ENTRY_BYTES', DEFAULT_ARCHIVE_LIMITS.maxEntryBytes, { min: 1 }),
      maxCompressionRatio: intEnv(env, 'MAX_COMPRESSION_RATIO', DEFAULT_ARCHIVE_LIMITS.maxCompressionRatio, { min: 1 }),
    },
    manifestLimits: {
      maxRows: intEnv(env, 'MAX_MANIFEST_ROWS', 10_000_000, { min: 1 }),
      maxLineBytes: intEnv(env, 'MAX_MANIFEST_LINE_BYTES', 4096, { min: 16 }),
    },
  };
}
