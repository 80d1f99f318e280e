import * as z from 'zod/mini';
import { EMBEDDING_CONFIG_SHAPE } from '../datasets/embedding-config';

/**
 * Every JSON body the API answers, as zod/mini schemas. The response builders in core are typed by them
 * (`z.output<…>`, so a field added to a builder but not here fails `tsc`), the OpenAPI document is generated from them
 * (openapi-document.ts), and test/local/openapi-conformance.test.ts checks the real answers of the local service against
 * that document. Handlers import only the types: none of this is in their bundles.
 */
const timestamp = z.iso.datetime({ offset: false });
const id = z.string().check(z.minLength(1));
const count = z.int().check(z.gte(0));
const percent = z.number().check(z.gte(0), z.lte(100));

export const ErrorBody = z.object({ detail: z.string() });

const TASK_TYPE = z.enum(['MEDIA_ADDITION', 'REINDEX', 'INITIAL_INDEX']);
const OPERATION_STATUS = z.enum(['RUNNING', 'SUCCEEDED', 'FAILED']);
const OPERATION_PHASE = z.enum(['discover', 'embed', 'assign', 'cluster']);
const SkippedMediaBody = z.object({ name: z.string(), reason: z.string() });

const ActiveTaskBody = z.object({ type: TASK_TYPE, operation_id: id, started_at: timestamp });

/** The dataset's running or last operation as stored on the dataset (API.md `last_operation`). */
const LastOperationBody = z.object({
  type: TASK_TYPE,
  operation_id: id,
  status: OPERATION_STATUS,
  started_at: timestamp,
  phase: z.optional(OPERATION_PHASE),
  progress: z.optional(percent),
  finished_at: z.optional(timestamp),
  n_added: z.optional(count),
  n_skipped: z.optional(count),
  n_duplicates: z.optional(count),
  skipped: z.optional(z.array(SkippedMediaBody)),
  error: z.optional(z.string()),
});

/** As stored at the dataset's first indexing: the fields of core/datasets/embedding-config.ts, model_id and dimension always. */
const StoredEmbeddingConfigBody = z.catchall(
  z.extend(z.partial(z.object(EMBEDDING_CONFIG_SHAPE)), {
    model_id: EMBEDDING_CONFIG_SHAPE.model_id,
    dimension: EMBEDDING_CONFIG_SHAPE.dimension,
  }),
  z.unknown(),
);

export const DatasetBody = z.object({
  id,
  display_name: z.string(),
  status: z.enum(['READY', 'UPDATING', 'PENDING_INDEX', 'INDEXING', 'ERROR']),
  status_new: z.enum(['READY', 'READ ONLY', 'PARTIAL INDEX', 'INDEXING', 'ERROR']),
  n_images: count,
  n_videos: count,
  progress: percent,
  embedding_config: z.nullable(StoredEmbeddingConfigBody),
  similarity_threshold: z.nullable(z.number().check(z.gt(0), z.lte(1))),
  active_task: z.nullable(ActiveTaskBody),
  last_operation: z.nullable(LastOperationBody),
  error: z.nullable(z.string()),
  clustering_state: z.nullable(z.enum(['full', 'partial'])),
  created_at: timestamp,
  updated_at: timestamp,
});

export const OperationBody = z.object({
  operation_id: id,
  dataset_id: id,
  type: TASK_TYPE,
  status: OPERATION_STATUS,
  phase: z.nullable(OPERATION_PHASE),
  progress: percent,
  n_added: z.nullable(count),
  n_skipped: z.nullable(count),
  n_duplicates: z.nullable(count),
  skipped: z.array(SkippedMediaBody),
  error: z.nullable(z.string()),
  started_at: timestamp,
  finished_at: z.nullable(timestamp),
});

export const MediaBody = z.object({
  media_id: id,
  type: z.enum(['image', 'video']),
  source_uri: z.string(),
  batch_id: id,
  cluster_id: z.nullable(id),
  added_at: timestamp,
  frame_count: z.optional(count),
  thumbnail_url: z.nullable(z.string()),
  url: z.nullable(z.string()),
});

export const ClusterBody = z.object({
  cluster_id: id,
  size: count,
  representative_media_id: id,
  partial: z.boolean(),
});

const nextCursor = z.nullable(z.string());
const pageOf = <T extends z.ZodMiniType>(item: T) => z.object({ items: z.array(item), next_cursor: nextCursor });

const DatasetPageBody = pageOf(DatasetBody);
export const DatasetListBody = z.union([z.array(DatasetBody), DatasetPageBody]);
export const MediaPageBody = pageOf(MediaBody);
export const OperationPageBody = pageOf(OperationBody);
export const ClusterPageBody = z.extend(pageOf(ClusterBody), {
  clustering_id: id,
  clustering_state: z.enum(['full', 'partial']),
});
export const ClusterDetailBody = z.extend(pageOf(MediaBody), {
  cluster: z.extend(ClusterBody, { clustering_id: id }),
});
export const CreatedDatasetBody = z.object({ id });
export const HealthBody = z.object({ status: z.literal('ok') });
export const OpenApiDocumentBody = z.looseObject({
  openapi: z.literal('3.1.0'),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});

export type ErrorDetail = z.output<typeof ErrorBody>;
export type DatasetView = z.output<typeof DatasetBody>;
export type OperationView = z.output<typeof OperationBody>;
export type MediaView = z.output<typeof MediaBody>;
export type ClusterView = z.output<typeof ClusterBody>;
export type DatasetPage = z.output<typeof DatasetPageBody>;
export type MediaPage = z.output<typeof MediaPageBody>;
export type OperationPage = z.output<typeof OperationPageBody>;
export type ClusterPage = z.output<typeof ClusterPageBody>;
export type ClusterDetail = z.output<typeof ClusterDetailBody>;
export type CreatedDataset = z.output<typeof CreatedDatasetBody>;
export type HealthStatus = z.output<typeof HealthBody>;
export type OpenApiDocument = z.output<typeof OpenApiDocumentBody>;
