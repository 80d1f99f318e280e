import type { ExecutionSource } from './execution-input';
import type { MediaSource } from './media-source';
import type { OperationContext } from './operation-context';
import { type Refused, refuse } from './operation-result';
import { deleteStaged, StagingError, stageUploads } from './staging';

export interface PreparedSource {
  readonly ok: true;
  readonly source: ExecutionSource;
  /** Staged keys to delete if the operation does not start. */
  readonly stagedKeys: readonly string[];
}

/** The `source` of the execution input; uploads are staged in our bucket first (500 "Failed to upload…" on failure). */
export async function prepareExecutionSource(
  context: OperationContext,
  datasetId: string,
  operationId: string,
  source: MediaSource,
): Promise<PreparedSource | Refused> {
  if (source.kind === 's3_uri') return { ok: true, source: { kind: 's3_uri', uri: source.uri }, stagedKeys: [] };
  if (source.kind === 'local_path')
    return { ok: true, source: { kind: 'local_path', uri: source.path }, stagedKeys: [] };
  try {
    const staged = await stageUploads(
      { s3: context.s3, bucket: context.config.bucketName, datasetId, operationId },
      source,
    );
    return { ok: true, source: { kind: staged.kind, uri: staged.uri }, stagedKeys: staged.keys };
  } catch (error) {
    if (!(error instanceof StagingError)) throw error;
    context.logger.error('Staging uploads failed', { datasetId, operationId, error });
    return refuse({ reason: 'staging_failed' });
  }
}

/** Best effort: a leftover would expire with the staging lifecycle rule, so a failure here is logged, not raised. */
export async function discardStaged(context: OperationContext, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await deleteStaged(context.s3, context.config.bucketName, keys).catch((error: unknown) =>
    context.logger.error('Could not delete staged uploads', { keys: keys.length, error: error as Error }),
  );
}
