import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { S3Client } from '@aws-sdk/client-s3';
import { batchPrefix } from '../../core/store/batch-paths';
import type { DiscoverySummary } from '../runtime/batch-records';
import { createS3Client } from '../runtime/clients';
import type { EnvSource } from '../runtime/env';
import { WorkerError } from '../runtime/failure';
import { createWorkerLogger } from '../runtime/logger';
import { createSourceS3Client } from '../runtime/source-credentials';
import type { Candidate } from './candidate';
import { type CheckContext, checkCandidate } from './check-candidate';
import { type DiscoverConfig, readDiscoverConfig } from './config';
import { localPathCandidates } from './local-source';
import { ManifestWriter } from './manifest-writer';
import { nothingUsableMessage } from './nothing-usable';
import { mapOrdered } from './ordered-map';
import { deletePrefix } from './s3-io';
import { s3UriCandidates } from './s3-source';
import type { SourceContext } from './source-context';
import { stagedArchiveCandidates, stagedFilesCandidates } from './staged-source';

/** Candidates checked at once: S3 round trips dominate for in-place media, sharp's thread pool for copies. */
const CHECK_CONCURRENCY = 16;
const PROGRESS_EVERY = 1000;

export interface DiscoverOptions {
  /** ListObjectsV2 page size; tests set it small to exercise paging. */
  readonly listPageSize?: number;
}

/**
 * The `discover` task (docs/pipeline.md "Discover"): enumerates the source, checks every candidate by its bytes, copies
 * uploads and archive entries into the batch under generated names, and writes the manifest parts and discovery.json.
 * Nothing usable, or any failure, leaves nothing under the batch prefix and throws (the entry point exits 1).
 */
export async function run(env: EnvSource, options: DiscoverOptions = {}): Promise<DiscoverySummary> {
  const config = readDiscoverConfig(env);
  const { worker } = config;
  const logger = createWorkerLogger('discover', worker);
  const ownS3 = createS3Client(env);
  const sourceS3 = config.sourceKind === 's3_uri' ? createSourceS3Client(env) : ownS3;
  const tempDir = await mkdtemp(join(tmpdir(), `discover-${worker.operationId}-`));
  // A worker stopped by SIGTERM exits when its grace period ends, without reaching `finally` below.
  const removeTempDirAtExit = () => rmSync(tempDir, { recursive: true, force: true });
  process.once('exit', removeTempDirAtExit);
  const context: SourceContext & CheckContext = {
    config,
    sourceS3,
    ownS3,
    tempDir,
    bucketName: worker.bucketName,
    datasetId: worker.datasetId,
    operationId: worker.operationId,
    ...(options.listPageSize ? { listPageSize: options.listPageSize } : {}),
  };
  try {
    const summary = await discover(context, logger);
    logger.info('discovery done', { ...summary, skipped: summary.skipped.slice(0, 10) });
    return summary;
  } catch (error) {
    await removeBatchOutputs(ownS3, config).catch((cleanupError: unknown) =>
      logger.error('cleanup failed', { error: cleanupError as Error }),
    );
    throw error;
  } finally {
    process.off('exit', removeTempDirAtExit);
    await rm(tempDir, { recursive: true, force: true });
    if (sourceS3 !== ownS3) sourceS3.destroy();
    ownS3.destroy();
  }
}

async function discover(context: SourceContext & CheckContext, logger: Logger): Promise<DiscoverySummary> {
  const writer = new ManifestWriter(context.ownS3, context.bucketName, context.datasetId, context.operationId);
  let checked = 0;
  for await (const outcome of mapOrdered(candidatesOf(context), CHECK_CONCURRENCY, (candidate, ordinal) =>
    checkCandidate(candidate, ordinal, context),
  )) {
    if (outcome.ok) await writer.add(outcome.line);
    else writer.skip(outcome.skipped);
    checked += 1;
    if (checked % PROGRESS_EVERY === 0) logger.info('discovery progress', { checked, media: writer.mediaCount });
  }
  if (writer.mediaCount === 0) {
    logger.warn('nothing usable', { checked, skipped: writer.skippedSample() });
    throw new WorkerError(nothingUsableMessage(context.config, writer.skippedSample(), writer.skippedTotal));
  }
  return writer.finish();
}

function candidatesOf(context: SourceContext): AsyncIterable<Candidate> {
  switch (context.config.sourceKind) {
    case 's3_uri':
      return s3UriCandidates(context);
    case 'staged_files':
      return stagedFilesCandidates(context);
    case 'staged_archive':
      return stagedArchiveCandidates(context);
    case 'local_path':
      return localPathCandidates(context);
  }
}

/** Media copies and manifest parts written before the failure: the batch prefix is this operation's alone. */
function removeBatchOutputs(ownS3: S3Client, config: DiscoverConfig): Promise<void> {
  return deletePrefix(ownS3, config.worker.bucketName, batchPrefix(config.worker.datasetId, config.worker.operationId));
}
