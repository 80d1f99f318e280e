/**
 * Keys in the deployment's bucket (docs/data-model.md "S3 layout", docs/pipeline.md). Every builder checks the ids it
 * is given, so a malformed id can never point a write at another dataset's or batch's keys.
 */
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const EXTENSION = /^[a-z0-9]{1,10}$/;

function checkedId(kind: string, value: string): string {
  if (!ID.test(value) || value.includes('..'))
    throw new Error(`Invalid ${kind} ${JSON.stringify(value)} for an S3 key`);
  return value;
}

function pad5(index: number): string {
  if (!Number.isSafeInteger(index) || index < 0 || index > 99_999)
    throw new Error(`Index ${index} out of range 0..99999`);
  return String(index).padStart(5, '0');
}

function datasetPrefix(datasetId: string): string {
  return `datasets/${checkedId('dataset id', datasetId)}/`;
}

/** `datasets/{ds}/batches/{op}/`: everything one add-media operation writes. */
export function batchPrefix(datasetId: string, batchId: string): string {
  return `${datasetPrefix(datasetId)}batches/${checkedId('batch id', batchId)}/`;
}

export function manifestPartKey(datasetId: string, batchId: string, part: number): string {
  return `${batchPrefix(datasetId, batchId)}manifest/part-${pad5(part)}.jsonl`;
}

export function discoveryKey(datasetId: string, batchId: string): string {
  return `${batchPrefix(datasetId, batchId)}discovery.json`;
}

export function planKey(datasetId: string, batchId: string): string {
  return `${batchPrefix(datasetId, batchId)}plan.json`;
}

export function assignKey(datasetId: string, batchId: string): string {
  return `${batchPrefix(datasetId, batchId)}assign.json`;
}

/** Copies of uploaded and archived media, under generated names. */
function mediaPrefix(datasetId: string, batchId: string): string {
  return `${batchPrefix(datasetId, batchId)}media/`;
}

export function mediaObjectKey(datasetId: string, batchId: string, mediaId: string, extension: string): string {
  if (!EXTENSION.test(extension)) throw new Error(`Invalid media extension ${JSON.stringify(extension)}`);
  return `${mediaPrefix(datasetId, batchId)}${checkedId('media id', mediaId)}.${extension}`;
}

export interface ShardKeys {
  /** Row-major float32 little-endian vectors, L2-normalised. */
  readonly vectors: string;
  /** One JSON line per vector row. */
  readonly rows: string;
  /** `[{name, reason}]` of media that could not be decoded. */
  readonly skipped: string;
}

export function embeddingShardKeys(datasetId: string, batchId: string, shardIndex: number): ShardKeys {
  const base = `${batchPrefix(datasetId, batchId)}embeddings/shard-${pad5(shardIndex)}`;
  return { vectors: `${base}.f32`, rows: `${base}.jsonl`, skipped: `${base}.skipped.json` };
}

export interface CheckpointPartKeys {
  /** Vectors of the part's embedded media, as in the shard's .f32. */
  readonly vectors: string;
  /** Their rows, as in the shard's .jsonl. */
  readonly rows: string;
  /** Written last: the manifest entries the part covers and the media it skipped. */
  readonly marker: string;
}

/**
 * `…/checkpoints/shard-{index:05}/part-{n:05}.*`: what an embed shard completed before it was stopped, so its rerun
 * resumes (docs/pipeline.md "Stopping"). Under the batch prefix, so a failed batch's cleanup removes them too.
 */
export function embeddingCheckpointKeys(
  datasetId: string,
  batchId: string,
  shardIndex: number,
  part: number,
): CheckpointPartKeys {
  const base = `${batchPrefix(datasetId, batchId)}checkpoints/shard-${pad5(shardIndex)}/part-${pad5(part)}`;
  return { vectors: `${base}.f32`, rows: `${base}.jsonl`, marker: `${base}.json` };
}

/** `datasets/{ds}/clusterings/{cid}/`: one full clustering. */
export function clusteringPrefix(datasetId: string, clusteringId: string): string {
  return `${datasetPrefix(datasetId)}clusterings/${checkedId('clustering id', clusteringId)}/`;
}

/** `staging/{ds}/{op}/`: what the API handler staged for an operation (lifecycle-expired). */
export function stagingPrefix(datasetId: string, operationId: string): string {
  return `staging/${checkedId('dataset id', datasetId)}/${checkedId('operation id', operationId)}/`;
}

export function stagedFilesPrefix(datasetId: string, operationId: string): string {
  return `${stagingPrefix(datasetId, operationId)}files/`;
}

export function stagedArchivePrefix(datasetId: string, operationId: string): string {
  return `${stagingPrefix(datasetId, operationId)}archive/`;
}

/** `datasets/{ds}/batches/{op}/thumbnails/{media_id}.webp`: made by embed, removed with a failed batch. */
export function thumbnailKey(datasetId: string, batchId: string, mediaId: string): string {
  return `${batchPrefix(datasetId, batchId)}thumbnails/${checkedId('media id', mediaId)}.webp`;
}
