import { join } from 'node:path';
import { ArchiveRejectedError } from '../../core/media/archive-safety';
import { formatS3Uri, InvalidS3UriError, parseS3Uri, type S3Location } from '../../core/media/s3-uri';
import { displayNameOfStagedUpload, sanitizeDisplayName } from '../../core/media/safe-names';
import { stagingPrefix } from '../../core/store/batch-paths';
import { WorkerError } from '../runtime/failure';
import { archiveCandidates } from './archive-source';
import type { Candidate } from './candidate';
import { downloadToFile, listObjects } from './s3-io';
import { noMediaMessage, type SourceContext } from './source-context';

/** Direct uploads the API handler staged under `staging/{ds}/{op}/files/`: each is checked and copied into the batch. */
export async function* stagedFilesCandidates(context: SourceContext): AsyncGenerator<Candidate> {
  const folder = stagedLocation(context);
  for await (const object of listObjects(context.ownS3, folder.bucket, folder.key, context.listPageSize)) {
    if (object.key.endsWith('/')) continue;
    const location = { bucket: folder.bucket, key: object.key };
    const storedName = object.key.slice(object.key.lastIndexOf('/') + 1);
    yield {
      kind: 'staged',
      name: sanitizeDisplayName(displayNameOfStagedUpload(storedName)),
      sourceUri: formatS3Uri(location),
      location,
    };
  }
}

/** The archive the API handler staged under `staging/{ds}/{op}/archive/`: downloaded to scratch space, then extracted. */
export async function* stagedArchiveCandidates(context: SourceContext): AsyncGenerator<Candidate> {
  const archive = stagedLocation(context);
  const path = join(context.tempDir, 'archive');
  try {
    await downloadToFile(context.ownS3, archive, path);
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey')
      throw new WorkerError(noMediaMessage(context.config.sourceUri), { cause: error });
    throw error;
  }
  const name = archive.key.slice(archive.key.lastIndexOf('/') + 1);
  try {
    yield* archiveCandidates({ path }, name, formatS3Uri(archive), context);
  } catch (error) {
    if (error instanceof ArchiveRejectedError) throw new WorkerError(error.message, { cause: error });
    throw error;
  }
}

/** A staged source must lie in our bucket, under this operation's staging prefix: anything else is refused. */
function stagedLocation(context: SourceContext): S3Location {
  const { sourceUri, worker } = context.config;
  const expected = stagingPrefix(worker.datasetId, worker.operationId);
  let location: S3Location;
  try {
    location = parseS3Uri(sourceUri);
  } catch (error) {
    if (error instanceof InvalidS3UriError) throw new WorkerError(noMediaMessage(sourceUri), { cause: error });
    throw error;
  }
  if (location.bucket !== worker.bucketName || !location.key.startsWith(expected) || location.key.includes('/../')) {
    throw new WorkerError(`A staged source must be under s3://${worker.bucketName}/${expected}, got ${sourceUri}`);
  }
  return location;
}
