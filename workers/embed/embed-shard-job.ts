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
import { CheckpointWriter, concatEmbedded, deleteCheckpoint, readCheckpoint } from './shard-checkpoint';
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
  /** Manifest entries completed between two checkpoint parts (docs/pipeline.md "Stopping"). */
  readonly checkpointEvery: number;
  /** Aborted on SIGTERM: from then on every completed batch is checkpointed at once. */
  readonly signal?: AbortSignal;
  readonly log: (message: string) => void;
  readonly now?: () => Date;
}

export interface EmbedShardResult {
  readonly embedded: number;
  readonly skipped: number;
  readonly provider: ExecutionProvider;
  readonly seconds: number;
}

/**
 * Step Embed for one shard (docs/pipeline.md): manifest parts → vectors, rows, skipped list → fenced progress. A shard
 * that an earlier run checkpointed resumes after the entries it completed; the output is the same as one run's.
 */
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
  const checkpointAt = {
    s3: job.s3,
    bucket: job.bucket,
    datasetId: job.datasetId,
    batchId: job.operationId,
    shardIndex: job.shardIndex,
  };
  const checkpoint = await readCheckpoint(checkpointAt, job.config.dimension);
  if (checkpoint.entriesDone > entries.length)
    throw new Error(
      `Shard ${job.shardIndex}: checkpoint covers ${checkpoint.entriesDone} of ${entries.length} entries`,
    );
  if (checkpoint.parts > 0)
    job.log(
      `shard ${job.shardIndex}: resuming after ${checkpoint.entriesDone} of ${entries.length} media (checkpoint)`,
    );
  const checkpoints = new CheckpointWriter(
    checkpointAt,
    { every: job.checkpointEvery, ...(job.signal ? { signal: job.signal } : {}) },
    checkpoint,
  );
  const model = await resolveModel(location, () => job.s3);
  job.log(`model ${job.config.model_id} v${job.config.version} sha256 ${model.sha256}`);
  const { session, provider } = await openSession(model.bytes, job.executionProvider, job.log);
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
    const embeddedNow = await embedEntries(entries.slice(checkpoint.entriesDone), {
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
              prints: job.config.pixel_agreement !== undefined,
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
      onBatch: (batch, count) => checkpoints.add(batch, count),
    });
    const embedded = concatEmbedded([checkpoint.embedded, embeddedNow]);
    await writeShard(
      job.s3,
      job.bucket,
      { datasetId: job.datasetId, batchId: job.operationId, shardIndex: job.shardIndex },
      embedded,
    );
    await deleteCheckpoint(checkpointAt, checkpoints.parts);
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
