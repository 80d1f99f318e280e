import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EmbeddingConfig } from '../../core/datasets/embedding-config';
import { ImageEncoder } from '../model/image-encoder';
import { type ExecutionProvider, type ExecutionProviderPreference, openSession } from '../model/inference-session';
import { type ModelLocation, pinnedSha256, resolveModel } from '../model/model-source';
import { ContentClaims } from './content-claims';
import { decodeMedia } from './decode-media';
import { embedEntries } from './embed-entries';
import { HashingMediaReader } from './hashing-reader';
import { readManifestParts } from './manifest';
import { writeShard } from './shard-output';
import { recordShardDone } from './shard-progress';
import { skipDuplicates } from './skip-duplicates';
import { DEFAULT_VIDEO_FRAME_OPTIONS } from './video-frames';
import { writeThumbnails } from './write-thumbnails';

export interface EmbedShardJob {
  readonly s3: S3Client;
  readonly bucket: string;
  /** Reads source buckets other than ours (assumed-role credentials when the operation has a role). */
  readonly sourceS3: S3Client;
  readonly localPathsAllowed: boolean;
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly datasetId: string;
  readonly operationId: string;
  readonly shardIndex: number;
  readonly partStart: number;
  readonly partEnd: number;
  readonly config: EmbeddingConfig;
  /** MODEL_URI, MODEL_SHA256 (checked against config.model_sha256) and the local model cache. */
  readonly model: { readonly uri: string; readonly sha256?: string; readonly cacheDir: string };
  readonly executionProvider: ExecutionProviderPreference;
  readonly batchSize: number;
  readonly prefetch: number;
  readonly decodeConcurrency: number;
  readonly log: (message: string) => void;
  readonly now?: () => Date;
}

export interface EmbedShardResult {
  readonly embedded: number;
  readonly skipped: number;
  readonly provider: ExecutionProvider;
  readonly seconds: number;
}

/** Step Embed for one shard (docs/pipeline.md): manifest parts → vectors, rows, skipped list → fenced progress. */
export async function runEmbedShard(job: EmbedShardJob): Promise<EmbedShardResult> {
  const started = Date.now();
  const entries = await readManifestParts(job.s3, job.bucket, {
    datasetId: job.datasetId,
    batchId: job.operationId,
    partStart: job.partStart,
    partEnd: job.partEnd,
  });
  const location: ModelLocation = {
    uri: job.model.uri,
    sha256: pinnedSha256(job.config.model_sha256, job.model.sha256),
    cacheDir: job.model.cacheDir,
  };
  const model = await resolveModel(location, () => job.s3);
  job.log(`model ${job.config.model_id} v${job.config.version} sha256 ${model.sha256}`);
  const { session, provider } = await openSession(model.path, job.executionProvider, job.log);
  const encoder = new ImageEncoder(session, job.config.input_size, job.config.dimension);
  const reader = new HashingMediaReader({
    s3: job.s3,
    bucket: job.bucket,
    sourceS3: job.sourceS3,
    localPathsAllowed: job.localPathsAllowed,
  });
  const claims = await ContentClaims.open({
    client: job.client,
    tableName: job.tableName,
    datasetId: job.datasetId,
    batchId: job.operationId,
  });
  try {
    const embedded = await embedEntries(entries, {
      encoder,
      normalisation: job.config,
      decode: writeThumbnails(
        skipDuplicates(
          (entry) =>
            decodeMedia(entry, {
              reader,
              side: job.config.input_size,
              resize: job.config.resize ?? 'crop',
              maxVideoFrames: DEFAULT_VIDEO_FRAME_OPTIONS.maxFrames,
              maxVideoFps: DEFAULT_VIDEO_FRAME_OPTIONS.maxFps,
            }),
          reader,
          claims,
        ),
        { s3: job.s3, bucket: job.bucket, datasetId: job.datasetId, batchId: job.operationId },
        job.config.input_size,
      ),
      batchSize: job.batchSize,
      prefetch: job.prefetch,
      decodeConcurrency: job.decodeConcurrency,
    });
    await writeShard(
      job.s3,
      job.bucket,
      { datasetId: job.datasetId, batchId: job.operationId, shardIndex: job.shardIndex },
      embedded,
    );
    const progress = await recordShardDone(
      { client: job.client, tableName: job.tableName, datasetId: job.datasetId, operationId: job.operationId },
      job.now?.() ?? new Date(),
    );
    const seconds = (Date.now() - started) / 1000;
    job.log(
      `shard ${job.shardIndex}: ${embedded.rows.length} embedded, ${embedded.skipped.length} skipped in ${seconds.toFixed(1)} s ` +
        `on ${provider} (${(entries.length / Math.max(seconds, 1e-3)).toFixed(1)} media/s); shards ${progress.done}/${progress.total}`,
    );
    return { embedded: embedded.rows.length, skipped: embedded.skipped.length, provider, seconds };
  } finally {
    await encoder.release();
  }
}
